using System.Text;
using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Routing;

/// <summary>
/// The tag pattern of a <c>&lt;match&gt;</c> or <c>&lt;filter&gt;</c> directive, matched exactly as fluentd does
/// (lib/fluent/match.rb and EventRouter::Rule in lib/fluent/event_router.rb): the argument is split on whitespace
/// into patterns that are ORed; each is <c>**</c> (everything), a <c>/regex/</c>, or a glob where <c>*</c> is one
/// tag part, <c>**</c> zero or more parts and <c>{a,b}</c> alternatives (nestable).
/// </summary>
public sealed class TagPattern
{
    private readonly bool _matchesAll;
    private readonly string[] _literals;
    private readonly Regex[] _regexes;

    private TagPattern(string text, IReadOnlyList<string> alternatives, bool matchesAll, string[] literals, Regex[] regexes)
    {
        Text = text;
        Alternatives = alternatives;
        _matchesAll = matchesAll;
        _literals = literals;
        _regexes = regexes;
    }

    /// <summary>A pattern that matches every tag: what fluentd uses for a <c>&lt;match&gt;</c> without argument.</summary>
    public static TagPattern All { get; } = Parse("**");

    /// <summary>The directive argument as written.</summary>
    public string Text { get; }

    /// <summary>The whitespace-separated patterns, any of which may match.</summary>
    public IReadOnlyList<string> Alternatives { get; }

    /// <summary>
    /// Compiles a directive argument. An empty argument means <c>**</c>: fluentd's agent.rb turns
    /// <c>&lt;match&gt;</c> into <c>&lt;match **&gt;</c>. Throws <see cref="ConfigException"/> (without a location;
    /// use the overload taking the section to name it) for a malformed <c>/regex/</c>.
    /// </summary>
    public static TagPattern Parse(string patternText)
    {
        ArgumentNullException.ThrowIfNull(patternText);
        var alternatives = patternText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (alternatives.Length == 0) alternatives = new[] { "**" };

        bool matchesAll = false;
        var literals = new List<string>();
        var regexes = new List<Regex>();
        foreach (var pattern in alternatives)
        {
            // MatchPattern.create: a lone ** is AllMatchPattern, which never looks at the tag.
            if (pattern == "**") { matchesAll = true; continue; }
            if (TryLiteral(pattern, out var literal)) { literals.Add(literal); continue; }
            // Interpreted, not RegexOptions.Compiled: a label caches each tag's route, so a pattern is matched once
            // per new tag, and compiling would cost Reflection.Emit, JIT time and ~1 MiB of resident code at start.
            regexes.Add(new Regex(ToRegex(pattern), RegexOptions.CultureInvariant));
        }
        return new TagPattern(patternText, alternatives, matchesAll, literals.Distinct().ToArray(), regexes.ToArray());
    }

    /// <summary>As <see cref="Parse(string)"/>, reporting errors at the directive's file and line.</summary>
    public static TagPattern Parse(string patternText, ConfigSection at)
    {
        try
        {
            return Parse(patternText);
        }
        catch (ConfigException e)
        {
            throw new ConfigException(e.Reason, at, e);
        }
    }

    public bool Matches(string tag)
    {
        if (_matchesAll) return true;
        foreach (var literal in _literals)
            if (string.Equals(literal, tag, StringComparison.Ordinal)) return true;
        foreach (var regex in _regexes)
            if (regex.IsMatch(tag)) return true;
        return false;
    }

    public override string ToString() => Text;

    /// <summary>
    /// The .NET regular expression one pattern compiles to, anchored with <c>\A</c> and <c>\Z</c> as fluentd's
    /// GlobMatchPattern does.
    /// </summary>
    internal static string ToRegex(string pattern)
    {
        // fluentd ≥ 1.11.2 (PR #3071): a pattern between slashes is a regular expression, anchored the same way.
        // One that starts with a slash but does not end with one is "invalid match - regex".
        if (pattern.StartsWith('/'))
        {
            if (!pattern.EndsWith('/'))
                throw new ConfigException($"invalid match - regex: '{pattern}' starts with '/' but does not end with one");
            // A lone "/" both starts and ends with a slash: Ruby's pat[1..-2] is then the empty string.
            var body = pattern.Length >= 2 ? pattern[1..^1] : "";
            try
            {
                _ = new Regex(body, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException($"invalid match - regex: '{pattern}': {e.Message}");
            }
            return @"\A(?:" + body + @")\Z";
        }
        return @"\A" + GlobToRegexBody(pattern) + @"\Z";
    }

    /// <summary>
    /// A literal port of GlobMatchPattern#initialize, including its quirks: a dot is emitted only when something
    /// follows it (so a trailing dot is dropped and <c>a.</c> matches <c>a</c>); before <c>**</c> the dot becomes a
    /// look-ahead "a dot or the end follows" (so <c>a.**</c> matches <c>a</c>); <c>**.</c> becomes "anything up to a
    /// dot, or the start"; braces still open at the end become alternatives of the escaped (literal) fragments.
    /// </summary>
    private static string GlobToRegexBody(string pattern)
    {
        var stack = new Stack<List<string>>();
        var regex = new List<StringBuilder> { new() };
        bool escape = false, dot = false;
        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            var last = regex[^1];
            if (escape)
            {
                last.Append(Regex.Escape(c.ToString()));
                escape = false;
                i++;
                continue;
            }
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                if (dot)
                {
                    last.Append(@"(?![^\.])");
                    dot = false;
                }
                if (i + 2 < pattern.Length && pattern[i + 2] == '.')
                {
                    last.Append(@"(?:.*\.|\A)");
                    i += 3;
                }
                else
                {
                    last.Append(".*");
                    i += 2;
                }
                continue;
            }
            if (dot)
            {
                last.Append(@"\.");
                dot = false;
            }

            if (c == '\\') escape = true;
            else if (c == '.') dot = true;
            else if (c == '*') last.Append(@"[^\.]*");
            else if (c == '{')
            {
                stack.Push(new List<string>());
                regex.Add(new StringBuilder());
            }
            else if (c == '}' && stack.Count > 0)
            {
                var alternatives = stack.Pop();
                alternatives.Add(Pop(regex));
                regex[^1].Append("(?:").AppendJoin('|', alternatives).Append(')');
            }
            else if (c == ',' && stack.Count > 0)
            {
                stack.Peek().Add(Pop(regex));
                regex.Add(new StringBuilder());
            }
            else if (IsWordChar(c)) last.Append(c);
            else last.Append(Regex.Escape(c.ToString()));
            i++;
        }

        // Unclosed braces: match.rb joins the pending fragments with Regexp.union of *strings*, which escapes them,
        // so their wildcards become literal text.
        while (stack.Count > 0)
        {
            var alternatives = stack.Pop();
            alternatives.Add(Pop(regex));
            regex[^1].Append("(?:").AppendJoin('|', alternatives.Select(Regex.Escape)).Append(')');
        }
        return regex[^1].ToString();
    }

    private static string Pop(List<StringBuilder> regex)
    {
        var top = regex[^1].ToString();
        regex.RemoveAt(regex.Count - 1);
        return top;
    }

    private static bool IsWordChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_';

    /// <summary>
    /// Most patterns are plain tags (<c>app.access</c>); those compare by string equality instead of a regex. The
    /// literal is what the glob translation would match: the pattern with one trailing dot dropped.
    /// </summary>
    private static bool TryLiteral(string pattern, out string literal)
    {
        literal = pattern;
        foreach (char c in pattern)
            if (!(IsWordChar(c) || c is '.' or '-')) return false;
        if (pattern.EndsWith('.')) literal = pattern[..^1];
        return true;
    }
}
