using System.Globalization;
using System.Net;
using System.Text;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Config;

/// <summary>
/// Evaluates the <c>#{...}</c> embedded Ruby found in double-quoted config values. fluentd runs it through
/// <c>instance_eval</c> (lib/fluent/config/literal_parser.rb, eval_embedded_code); we are not a Ruby interpreter, so
/// this understands only the small, side-effect-free language real configs use:
/// <list type="bullet">
/// <item><c>ENV['X']</c>, <c>ENV["X"]</c>, <c>ENV.fetch('X')</c>, <c>ENV.fetch('X', 'default')</c>, <c>ENV.fetch('X') { 'default' }</c>, <c>ENV.key?('X')</c></item>
/// <item>string (single and double quoted, with nested <c>#{}</c>), integer, float, <c>true</c>, <c>false</c>, <c>nil</c> literals</item>
/// <item><c>a || b</c>, <c>a &amp;&amp; b</c>, <c>!a</c>, <c>a == b</c>, <c>a != b</c>, <c>a + b</c>, <c>c ? a : b</c>, <c>(…)</c>, <c>x = …; …</c> locals, <c>expr rescue expr</c></item>
/// <item><c>File.join(…)</c>, <c>hostname</c>, <c>Socket.gethostname</c>, <c>worker_id</c>, <c>use_nil</c>, <c>use_default</c></item>
/// <item><c>IPAddr.new(s).ipv6?</c> / <c>.ipv4?</c> (the fluentd-kubernetes-daemonset <c>kubernetes_url</c> idiom)</item>
/// <item><c>.to_s</c>, <c>.to_i</c>, <c>.to_str</c>, <c>.strip</c>, <c>.downcase</c>, <c>.upcase</c>, <c>.nil?</c>, <c>.empty?</c></item>
/// </list>
/// Anything else is rejected before evaluation with a <see cref="ConfigException"/> that quotes the expression, so an
/// unsupported construct is never half-evaluated.
/// </summary>
public sealed class RubyEmbedEvaluator
{
    private readonly ConfigLoadOptions _options;

    public RubyEmbedEvaluator(ConfigLoadOptions? options = null) => _options = options ?? ConfigLoadOptions.Default;

    /// <summary>Evaluates <paramref name="code"/>, the text between <c>#{</c> and <c>}</c>.</summary>
    /// <exception cref="ConfigException">The expression is not supported, or failed as Ruby would (e.g. <c>ENV.fetch</c> of an unset variable).</exception>
    public EmbeddedValue Evaluate(string code, string file, int line)
    {
        Node program;
        try
        {
            program = new Parser(code).ParseAll();
        }
        catch (UnsupportedRuby e)
        {
            throw new ConfigException(
                $"the embedded Ruby expression \"#{{{code}}}\" is not supported ({e.Message}); LogAgent understands only " +
                "ENV lookups, literals, ||, +, File.join, hostname, worker_id, use_nil and use_default", file, line);
        }

        try
        {
            return EmbeddedValue.Of(ToS(new Interpreter(_options).Eval(program)));
        }
        catch (UseNilSignal)
        {
            return EmbeddedValue.Nil;
        }
        catch (UseDefaultSignal)
        {
            return EmbeddedValue.Default;
        }
        catch (RubyError e)
        {
            throw new ConfigException($"the embedded Ruby expression \"#{{{code}}}\" failed: {e.Message}", file, line);
        }
    }

    /// <summary>
    /// The index of the <c>}</c> that closes a <c>#{</c> whose code starts at <paramref name="start"/>, or -1.
    /// fluentd asks Ruby's lexer (Ripper) for this; braces, quoted strings and comments are enough for real configs.
    /// </summary>
    public static int FindCodeEnd(string text, int start)
    {
        int depth = 0;
        for (int i = start; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '{':
                    depth++;
                    break;
                case '}':
                    if (depth == 0) return i;
                    depth--;
                    break;
                case '\'':
                    i = SkipQuoted(text, i, '\'');
                    if (i < 0) return -1;
                    break;
                case '"':
                    i = SkipQuoted(text, i, '"');
                    if (i < 0) return -1;
                    break;
                case '#':
                    // A Ruby comment runs to the end of the line.
                    while (i < text.Length && text[i] != '\n') i++;
                    break;
            }
        }
        return -1;
    }

    /// <summary>Index of the closing quote of a string literal opened at <paramref name="open"/>, or -1.</summary>
    private static int SkipQuoted(string text, int open, char quote)
    {
        for (int i = open + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\') { i++; continue; }
            if (c == quote) return i;
            if (quote == '"' && c == '#' && i + 1 < text.Length && text[i + 1] == '{')
            {
                i = FindCodeEnd(text, i + 2);
                if (i < 0) return -1;
            }
        }
        return -1;
    }

    internal static string ToS(object? value) => value switch
    {
        IPAddress ip => ip.ToString(),
        RubyConstant c => c.Name,
        // Otherwise the interpreter's values (nil, booleans, integers, floats, strings) are ones a record holds too.
        _ => RubyValueText.RubyToS(value),
    };

    // ---- syntax -------------------------------------------------------------------------------------------------

    private sealed class UnsupportedRuby(string message) : Exception(message);

    /// <summary>A Ruby runtime error (KeyError, TypeError, NoMethodError, …): what <c>rescue</c> catches.</summary>
    private sealed class RubyError(string message) : Exception(message);

    private sealed class UseNilSignal : Exception;
    private sealed class UseDefaultSignal : Exception;

    private sealed record RubyConstant(string Name);

    private abstract record Node;
    private sealed record Literal(object? Value) : Node;
    private sealed record Interpolated(IReadOnlyList<Node> Parts) : Node;
    private sealed record Sequence(IReadOnlyList<Node> Statements) : Node;
    private sealed record Or(Node Left, Node Right) : Node;
    private sealed record And(Node Left, Node Right) : Node;
    private sealed record Not(Node Operand) : Node;
    private sealed record Equal(Node Left, Node Right, bool Negated) : Node;
    private sealed record Plus(Node Left, Node Right) : Node;
    private sealed record Conditional(Node Condition, Node Then, Node Else) : Node;
    private sealed record Assign(string Name, Node Value) : Node;
    private sealed record Variable(string Name) : Node;
    private sealed record Rescue(Node Body, Node Fallback) : Node;
    private sealed record Builtin(string Name) : Node;
    private sealed record Constant(string Name) : Node;
    private sealed record Index(Node Receiver, Node Key) : Node;
    private sealed record Call(Node Receiver, string Method, IReadOnlyList<Node> Arguments, Node? Block) : Node;

    private static readonly HashSet<string> Builtins = ["hostname", "worker_id", "use_nil", "use_default"];
    private static readonly HashSet<string> Constants = ["ENV", "File", "Socket", "IPAddr"];
    private static readonly HashSet<string> Methods =
    [
        "fetch", "key?", "has_key?", "include?", "join", "gethostname", "new", "ipv4?", "ipv6?",
        "to_s", "to_i", "to_str", "strip", "downcase", "upcase", "nil?", "empty?",
    ];

    private enum TokenKind { Identifier, Constant, String, Integer, Float, Operator, End }

    private sealed record Token(TokenKind Kind, string Text, Node? Value = null);

    private sealed class Parser
    {
        private readonly List<Token> _tokens;
        private readonly HashSet<string> _locals;
        private int _next;

        public Parser(string code, HashSet<string>? locals = null)
        {
            _locals = locals ?? new HashSet<string>(StringComparer.Ordinal);
            _tokens = Tokenize(code);
        }

        public Node ParseAll()
        {
            var program = ParseSequence(TokenKind.End, null);
            Expect(TokenKind.End, null);
            return program;
        }

        private Token Peek(int ahead = 0) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

        private bool IsOperator(string op, int ahead = 0) => Peek(ahead).Kind == TokenKind.Operator && Peek(ahead).Text == op;

        private bool Accept(string op)
        {
            if (!IsOperator(op)) return false;
            _next++;
            return true;
        }

        private void Expect(TokenKind kind, string? text)
        {
            var t = Peek();
            if (t.Kind != kind || (text is not null && t.Text != text))
                throw new UnsupportedRuby(t.Kind == TokenKind.End ? $"expected '{text}' before the end" : $"unexpected '{t.Text}'");
            _next++;
        }

        private Node ParseSequence(TokenKind endKind, string? endOperator)
        {
            var statements = new List<Node>();
            while (true)
            {
                while (Accept(";")) { }
                var t = Peek();
                if (t.Kind == endKind && (endOperator is null || t.Text == endOperator)) break;
                if (t.Kind == TokenKind.End) break;
                statements.Add(ParseStatement());
                if (!IsOperator(";")) break;
            }
            return statements.Count switch
            {
                0 => new Literal(null),
                1 => statements[0],
                _ => new Sequence(statements),
            };
        }

        // Ruby binds `x = a rescue b` as `x = (a rescue b)`, and the rescue modifier is the loosest operator.
        private Node ParseStatement()
        {
            var node = ParseAssignment();
            while (Peek().Kind == TokenKind.Identifier && Peek().Text == "rescue")
            {
                _next++;
                node = new Rescue(node, ParseAssignment());
            }
            return node;
        }

        private Node ParseAssignment()
        {
            var t = Peek();
            if (t.Kind == TokenKind.Identifier && IsOperator("=", 1) && !IsKeyword(t.Text) && !Builtins.Contains(t.Text))
            {
                _next += 2;
                _locals.Add(t.Text); // as in Ruby, the name is a local from here on, even inside its own value
                return new Assign(t.Text, ParseStatement());
            }
            return ParseTernary();
        }

        private Node ParseTernary()
        {
            var condition = ParseOr();
            if (!Accept("?")) return condition;
            var then = ParseTernary();
            Expect(TokenKind.Operator, ":");
            return new Conditional(condition, then, ParseTernary());
        }

        private Node ParseOr()
        {
            var node = ParseAnd();
            while (Accept("||")) node = new Or(node, ParseAnd());
            return node;
        }

        private Node ParseAnd()
        {
            var node = ParseEquality();
            while (Accept("&&")) node = new And(node, ParseEquality());
            return node;
        }

        private Node ParseEquality()
        {
            var node = ParsePlus();
            if (Accept("==")) return new Equal(node, ParsePlus(), false);
            if (Accept("!=")) return new Equal(node, ParsePlus(), true);
            return node;
        }

        private Node ParsePlus()
        {
            var node = ParseUnary();
            while (Accept("+")) node = new Plus(node, ParseUnary());
            return node;
        }

        private Node ParseUnary() => Accept("!") ? new Not(ParseUnary()) : ParsePostfix();

        private Node ParsePostfix()
        {
            var node = ParsePrimary();
            while (true)
            {
                if (Accept("."))
                {
                    var name = Peek();
                    if (name.Kind is not (TokenKind.Identifier or TokenKind.Constant)) throw new UnsupportedRuby($"unexpected '{name.Text}' after '.'");
                    if (!Methods.Contains(name.Text)) throw new UnsupportedRuby($"method '{name.Text}' is not supported");
                    _next++;
                    var args = new List<Node>();
                    if (Accept("("))
                    {
                        if (!Accept(")"))
                        {
                            do args.Add(ParseStatement()); while (Accept(","));
                            Expect(TokenKind.Operator, ")");
                        }
                    }
                    Node? block = null;
                    if (IsOperator("{"))
                    {
                        if (name.Text != "fetch") throw new UnsupportedRuby($"a block on '{name.Text}' is not supported");
                        _next++;
                        if (IsOperator("|")) throw new UnsupportedRuby("block parameters are not supported");
                        block = ParseSequence(TokenKind.Operator, "}");
                        Expect(TokenKind.Operator, "}");
                    }
                    node = new Call(node, name.Text, args, block);
                }
                else if (Accept("["))
                {
                    var key = ParseStatement();
                    Expect(TokenKind.Operator, "]");
                    node = new Index(node, key);
                }
                else
                {
                    return node;
                }
            }
        }

        private Node ParsePrimary()
        {
            var t = Peek();
            _next++;
            switch (t.Kind)
            {
                case TokenKind.String:
                    return t.Value!;
                case TokenKind.Integer:
                    return new Literal(long.Parse(t.Text.Replace("_", ""), CultureInfo.InvariantCulture));
                case TokenKind.Float:
                    return new Literal(double.Parse(t.Text.Replace("_", ""), CultureInfo.InvariantCulture));
                case TokenKind.Operator when t.Text == "(":
                    var inner = ParseSequence(TokenKind.Operator, ")");
                    Expect(TokenKind.Operator, ")");
                    return inner;
                case TokenKind.Identifier:
                    switch (t.Text)
                    {
                        case "true": return new Literal(true);
                        case "false": return new Literal(false);
                        case "nil": return new Literal(null);
                    }
                    if (Builtins.Contains(t.Text)) return new Builtin(t.Text);
                    if (_locals.Contains(t.Text)) return new Variable(t.Text);
                    throw new UnsupportedRuby($"'{t.Text}' is not supported");
                case TokenKind.Constant:
                    if (Constants.Contains(t.Text)) return new Constant(t.Text);
                    throw new UnsupportedRuby($"'{t.Text}' is not supported");
                case TokenKind.End:
                    throw new UnsupportedRuby("the expression ends early");
                default:
                    throw new UnsupportedRuby($"unexpected '{t.Text}'");
            }
        }

        private static bool IsKeyword(string s) => s is "true" or "false" or "nil" or "rescue";

        private static readonly string[] Operators = ["||", "&&", "==", "!=", "+", "?", ":", "=", ";", "(", ")", "[", "]", ",", ".", "{", "}", "!", "|"];

        private List<Token> Tokenize(string code)
        {
            var tokens = new List<Token>();
            int i = 0;
            while (i < code.Length)
            {
                char c = code[i];
                if (c is ' ' or '\t' or '\r') { i++; continue; }
                if (c == '\n') { tokens.Add(new Token(TokenKind.Operator, ";")); i++; continue; }
                if (c == '#') { while (i < code.Length && code[i] != '\n') i++; continue; }
                if (char.IsAsciiLetter(c) || c == '_')
                {
                    int start = i;
                    while (i < code.Length && (char.IsAsciiLetterOrDigit(code[i]) || code[i] == '_')) i++;
                    // Method names may end in ? or ! (ipv6?, key?); `x ? a : b` needs the space, as it does in Ruby style.
                    if (i < code.Length && code[i] is '?' or '!' && !(i + 1 < code.Length && code[i + 1] == '=')) i++;
                    var word = code[start..i];
                    tokens.Add(new Token(char.IsAsciiLetterUpper(c) ? TokenKind.Constant : TokenKind.Identifier, word));
                    continue;
                }
                if (char.IsAsciiDigit(c))
                {
                    int start = i;
                    while (i < code.Length && (char.IsAsciiDigit(code[i]) || code[i] == '_')) i++;
                    bool isFloat = false;
                    if (i + 1 < code.Length && code[i] == '.' && char.IsAsciiDigit(code[i + 1]))
                    {
                        isFloat = true;
                        i++;
                        while (i < code.Length && (char.IsAsciiDigit(code[i]) || code[i] == '_')) i++;
                    }
                    tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, code[start..i]));
                    continue;
                }
                if (c == '\'') { tokens.Add(new Token(TokenKind.String, "'", ReadSingleQuoted(code, ref i))); continue; }
                if (c == '"') { tokens.Add(new Token(TokenKind.String, "\"", ReadDoubleQuoted(code, ref i))); continue; }
                var op = Operators.FirstOrDefault(o => string.CompareOrdinal(code, i, o, 0, o.Length) == 0);
                if (op is null) throw new UnsupportedRuby($"unexpected '{c}'");
                tokens.Add(new Token(TokenKind.Operator, op));
                i += op.Length;
            }
            tokens.Add(new Token(TokenKind.End, ""));
            return tokens;
        }

        private static Node ReadSingleQuoted(string code, ref int i)
        {
            var sb = new StringBuilder();
            for (i++; i < code.Length; i++)
            {
                char c = code[i];
                if (c == '\'') { i++; return new Literal(sb.ToString()); }
                if (c == '\\' && i + 1 < code.Length && code[i + 1] is '\'' or '\\') { sb.Append(code[++i]); continue; }
                sb.Append(c);
            }
            throw new UnsupportedRuby("unterminated string");
        }

        private Node ReadDoubleQuoted(string code, ref int i)
        {
            var parts = new List<Node>();
            var sb = new StringBuilder();
            for (i++; i < code.Length; i++)
            {
                char c = code[i];
                if (c == '"')
                {
                    i++;
                    if (sb.Length > 0 || parts.Count == 0) parts.Add(new Literal(sb.ToString()));
                    return parts.Count == 1 ? parts[0] : new Interpolated(parts);
                }
                if (c == '\\' && i + 1 < code.Length) { sb.Append(RubyStringEscapes.Unescape(code[++i])); continue; }
                if (c == '#' && i + 1 < code.Length && code[i + 1] == '{')
                {
                    int end = FindCodeEnd(code, i + 2);
                    if (end < 0) throw new UnsupportedRuby("unterminated #{ in a string");
                    if (sb.Length > 0) { parts.Add(new Literal(sb.ToString())); sb.Clear(); }
                    parts.Add(new Parser(code[(i + 2)..end], _locals).ParseAll());
                    i = end;
                    continue;
                }
                sb.Append(c);
            }
            throw new UnsupportedRuby("unterminated string");
        }
    }

    // ---- evaluation ---------------------------------------------------------------------------------------------

    private sealed class Interpreter(ConfigLoadOptions options)
    {
        private readonly Dictionary<string, object?> _locals = new(StringComparer.Ordinal);

        private static bool Truthy(object? v) => v is not null && v is not false;

        public object? Eval(Node node)
        {
            switch (node)
            {
                case Literal l: return l.Value;
                case Interpolated s: return string.Concat(s.Parts.Select(p => ToS(Eval(p))));
                case Sequence s:
                    object? last = null;
                    foreach (var statement in s.Statements) last = Eval(statement);
                    return last;
                case Or o:
                    var left = Eval(o.Left);
                    return Truthy(left) ? left : Eval(o.Right);
                case And a:
                    var first = Eval(a.Left);
                    return Truthy(first) ? Eval(a.Right) : first;
                case Not n: return !Truthy(Eval(n.Operand));
                case Equal e: return Equals(Eval(e.Left), Eval(e.Right)) != e.Negated;
                case Plus p: return Add(Eval(p.Left), Eval(p.Right));
                case Conditional c: return Truthy(Eval(c.Condition)) ? Eval(c.Then) : Eval(c.Else);
                case Assign a: return _locals[a.Name] = Eval(a.Value);
                case Variable v: return _locals.GetValueOrDefault(v.Name);
                case Rescue r:
                    // Like Ruby's rescue modifier this catches runtime errors only; use_nil/use_default pass through
                    // (fluentd's SetNil/SetDefault derive from Exception, not StandardError).
                    try { return Eval(r.Body); }
                    catch (RubyError) { return Eval(r.Fallback); }
                case Builtin b:
                    return b.Name switch
                    {
                        "hostname" => options.GetHostName(),
                        "worker_id" => options.WorkerId.ToString(CultureInfo.InvariantCulture),
                        "use_nil" => throw new UseNilSignal(),
                        _ => throw new UseDefaultSignal(),
                    };
                case Constant k: return new RubyConstant(k.Name);
                case Index i:
                    var receiver = Eval(i.Receiver);
                    var key = Eval(i.Key);
                    if (receiver is RubyConstant { Name: "ENV" })
                        return key is string name ? options.GetEnvironmentVariable(name) : throw new RubyError($"no implicit conversion of {TypeName(key)} into String");
                    throw new RubyError($"[] is not supported on {TypeName(receiver)}");
                case Call call: return Invoke(call);
                default: throw new InvalidOperationException(node.GetType().Name);
            }
        }

        private static new bool Equals(object? a, object? b) => a switch
        {
            null => b is null,
            long x when b is double y => x == y,
            double x when b is long y => x == y,
            _ => a.Equals(b),
        };

        private static object Add(object? a, object? b) => (a, b) switch
        {
            (string x, string y) => x + y,
            (long x, long y) => x + y,
            (long x, double y) => x + y,
            (double x, long y) => x + y,
            (double x, double y) => x + y,
            (string, _) => throw new RubyError($"no implicit conversion of {TypeName(b)} into String"),
            (null, _) => throw new RubyError("undefined method '+' for nil"),
            _ => throw new RubyError($"{TypeName(b)} can't be added to {TypeName(a)}"),
        };

        private object? Invoke(Call call)
        {
            var receiver = Eval(call.Receiver);
            var args = call.Arguments.Select(Eval).ToList();
            switch (receiver, call.Method)
            {
                case (RubyConstant { Name: "ENV" }, "fetch"):
                    if (args.Count is < 1 or > 2) throw new RubyError($"wrong number of arguments (given {args.Count}, expected 1..2)");
                    var name = args[0] as string ?? throw new RubyError($"no implicit conversion of {TypeName(args[0])} into String");
                    var value = options.GetEnvironmentVariable(name);
                    if (value is not null) return value;
                    if (call.Block is not null) return Eval(call.Block);
                    if (args.Count == 2) return args[1];
                    throw new RubyError($"key not found: \"{name}\" (ENV.fetch without a default, and the variable is not set)");
                case (RubyConstant { Name: "ENV" }, "key?" or "has_key?" or "include?"):
                    return args.Count == 1 && args[0] is string k ? options.GetEnvironmentVariable(k) is not null : throw new RubyError("ENV.key? takes one string");
                case (RubyConstant { Name: "File" }, "join"):
                    return FileJoin(args);
                case (RubyConstant { Name: "Socket" }, "gethostname"):
                    return options.GetHostName();
                case (RubyConstant { Name: "IPAddr" }, "new"):
                    return args.Count == 1 && args[0] is string text && TryParseAddress(text, out var address)
                        ? address
                        : throw new RubyError($"invalid address: {(args.Count == 1 ? ToS(args[0]) : "")}");
                case (IPAddress ip, "ipv6?"): return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
                case (IPAddress ip, "ipv4?"): return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
                case (_, "to_s"): return ToS(receiver);
                case (string s, "to_str"): return s;
                case (string s, "to_i"): return LeadingInteger(s);
                case (long n, "to_i"): return n;
                case (double d, "to_i"): return (long)Math.Truncate(d);
                case (null, "to_i"): return 0L;
                case (string s, "strip"): return s.Trim(' ', '\t', '\n', '\v', '\f', '\r', '\0');
                case (string s, "downcase"): return s.ToLowerInvariant();
                case (string s, "upcase"): return s.ToUpperInvariant();
                case (string s, "empty?"): return s.Length == 0;
                case (_, "nil?"): return receiver is null;
                default: throw new RubyError($"undefined method '{call.Method}' for {TypeName(receiver)}");
            }
        }

        // Ruby's File.join: one '/' between parts, whatever separators the parts already carry at the seam.
        private static string FileJoin(List<object?> parts)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < parts.Count; i++)
            {
                var part = parts[i] as string ?? throw new RubyError($"no implicit conversion of {TypeName(parts[i])} into String");
                if (i == 0) { sb.Append(part); continue; }
                bool endsWithSlash = sb.Length > 0 && sb[^1] == '/';
                if (endsWithSlash) sb.Append(part.TrimStart('/'));
                else if (part.StartsWith('/')) sb.Append(part);
                else sb.Append('/').Append(part);
            }
            return sb.ToString();
        }

        private static long LeadingInteger(string s)
        {
            var t = s.TrimStart();
            int i = 0;
            if (i < t.Length && t[i] is '-' or '+') i++;
            while (i < t.Length && (char.IsAsciiDigit(t[i]) || (t[i] == '_' && i > 0 && char.IsAsciiDigit(t[i - 1])))) i++;
            var digits = t[..i].Replace("_", "");
            return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : 0;
        }

        // IPAddr.new accepts dotted-quad IPv4 and IPv6 text; .NET's parser also takes "1" or "1.2", which IPAddr rejects.
        private static bool TryParseAddress(string text, out IPAddress address)
        {
            address = IPAddress.None;
            if (text.Contains(':')) return IPAddress.TryParse(text.Trim('[', ']'), out address!);
            var octets = text.Split('.');
            if (octets.Length != 4 || octets.Any(o => o.Length is 0 or > 3 || !o.All(char.IsAsciiDigit))) return false;
            return IPAddress.TryParse(text, out address!);
        }

        private static string TypeName(object? v) => v switch
        {
            null => "nil",
            string => "String",
            long => "Integer",
            double => "Float",
            bool b => b ? "true" : "false",
            IPAddress => "IPAddr",
            RubyConstant c => c.Name,
            _ => v.GetType().Name,
        };
    }
}
