using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Config;

/// <summary>
/// Reads fluentd's v1 configuration syntax into a <c>ROOT</c> <see cref="ConfigSection"/>. It follows fluentd 1.15's
/// scanner rule for rule — lib/fluent/config/v1_parser.rb (elements, <c>@include</c>), literal_parser.rb (values) and
/// basic_parser.rb (what counts as spacing, a comment and a line end) — so that every file fluentd accepts is read to
/// the same values, and every syntax error is reported at the line fluentd reports.
/// </summary>
/// <remarks>
/// fluentd numbers an error position that sits just after a newline as the end of the previous line (basic_parser.rb,
/// error_sample): a mismatched <c>&lt;/source&gt;</c> on line 8 is detected after its line end has been consumed and is
/// still reported as line 8. Errors here use the same rule; sections and parameters carry the line they start on.
/// </remarks>
public sealed class FluentConfigParser
{
    // v1_parser.rb: plugin directives reject '@'-prefixed parameters other than the reserved ones.
    private static readonly HashSet<string> ReservedParameters = ["@type", "@id", "@label", "@log_level"];
    private static readonly HashSet<string> DirectiveNames = ["match", "source", "filter", "system"];
    private static readonly Regex UriScheme = new(@"^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$", RegexOptions.Singleline);

    private readonly string _text;
    private readonly string _file;
    private readonly string _baseDirectory;
    private readonly LoadContext _context;
    private readonly int[] _lineStarts;
    private int _pos;

    private sealed class LoadContext(ConfigLoadOptions options)
    {
        public ConfigLoadOptions Options { get; } = options;
        public RubyEmbedEvaluator Evaluator { get; } = new(options);
        /// <summary>Full paths of the files being read, outermost first, to detect include cycles.</summary>
        public List<string> Files { get; } = new();
    }

    private FluentConfigParser(string text, string file, string baseDirectory, LoadContext context)
    {
        _text = text;
        _file = file;
        _baseDirectory = baseDirectory;
        _context = context;
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++) if (text[i] == '\n') starts.Add(i + 1);
        _lineStarts = starts.ToArray();
    }

    /// <summary>Parses fluentd-syntax <paramref name="text"/>; <c>@include</c> paths are relative to <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="ConfigException">A syntax error, a failed include or unsupported embedded Ruby, naming file and line.</exception>
    public static ConfigSection Parse(string text, string fileName, string baseDirectory, ConfigLoadOptions? options = null)
    {
        var context = new LoadContext(options ?? ConfigLoadOptions.Default);
        var candidate = Path.IsPathRooted(fileName) || File.Exists(fileName) ? fileName : Path.Combine(baseDirectory, Path.GetFileName(fileName));
        context.Files.Add(Path.GetFullPath(candidate));
        var parser = new FluentConfigParser(text, fileName, baseDirectory, context);
        var root = new ConfigSection("ROOT", "", fileName, 1);
        parser.ParseElement(root: true, elementName: null, openLine: 0, target: root);
        parser.SkipSpacing();
        if (!parser.Eof) parser.Fail("expected EOF");
        return root;
    }

    /// <summary>Reads and parses the file at <paramref name="path"/>; sections and parameters record <paramref name="path"/> as given.</summary>
    public static ConfigSection ParseFile(string path, ConfigLoadOptions? options = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read the configuration file: {e.Message}", path, 0, e);
        }
        return Parse(text, path, Path.GetDirectoryName(path) ?? "", options);
    }

    // ---- elements (v1_parser.rb, parse_element) -----------------------------------------------------------------

    private void ParseElement(bool root, string? elementName, int openLine, ConfigSection target)
    {
        while (true)
        {
            SkipSpacing();
            if (Eof)
            {
                if (root) return;
                Fail($"expected end tag '</{elementName}>' but got end of file (<{elementName}> opened at line {openLine} is not closed)");
            }

            if (At("</"))
            {
                int closeLine = LineOf(_pos);
                _pos += 2;
                var name = ScanElementName();
                SkipSpacing();
                if (!SkipChar('>')) Fail("expected character in tag name");
                if (!SkipLineEnd()) Fail("expected end of line after end tag");
                if (name != elementName)
                {
                    // fluentd detects this after the tag's line end, which also swallows any blank and comment lines
                    // that follow, and so may report a later line; the tag's own line is the one to fix.
                    throw new ConfigException(elementName is null
                        ? $"unmatched end tag: </{name}> has no opening tag"
                        : $"unmatched end tag: </{name}> closes <{elementName}> opened at line {openLine}", _file, closeLine);
                }
                return;
            }

            if (At("<"))
            {
                int tagLine = LineOf(_pos);
                _pos++;
                var name = ScanElementName() ?? "";
                SkipSpacing();
                var argument = ScanString(Boundary.TagArgument);
                SkipSpacing();
                if (!SkipChar('>')) Fail("expected '>'");
                if (!SkipLineEnd()) Fail("expected end of line after tag");
                var section = new ConfigSection(name, argument ?? "", _file, tagLine);
                ParseElement(root: false, name, tagLine, section);
                target.Add(section);
                continue;
            }

            // At the top level of a file, `include` (deprecated) and `@include` may be followed by any spacing.
            if (root && TrySkipIncludeKeyword(out int includeLine))
            {
                ParseInclude(target, includeLine);
                continue;
            }

            int keyLine = LineOf(_pos);
            var key = ScanString(Boundary.Spacing) ?? "";
            int spacingStart = _pos;
            SkipSpacingWithoutComment();
            // A key alone on its line is a flag with an empty value ("support 'tag_mapped' like 'without value'").
            if (_text.AsSpan(spacingStart, _pos - spacingStart).Contains('\n') || Eof)
            {
                target.Add(new ConfigParameter(key, "", _file, keyLine));
                continue;
            }

            if (key == "@include")
            {
                ParseInclude(target, keyLine);
                continue;
            }

            if (key.StartsWith('@') && !ReservedParameters.Contains(key) && (root || DirectiveNames.Contains(elementName!)))
                Fail($"'@' is the system reserved prefix. Don't use '@' prefix parameter in the configuration: {key}");

            var value = ParseLiteral();
            if (!SkipLineEnd()) Fail("expected end of line");
            // null: the value was "#{use_nil}" or "#{use_default}"; the parameter is left out (see ConfigLoader).
            if (value is not null) target.Add(new ConfigParameter(key, value, _file, keyLine));
        }
    }

    private string? ScanElementName()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
        return _pos == start ? null : _text[start.._pos];
    }

    private bool TrySkipIncludeKeyword(out int line)
    {
        line = LineOf(_pos);
        int length = At("@include") ? 8 : At("include") ? 7 : 0;
        if (length == 0) return false;
        int save = _pos;
        _pos += length;
        if (SkipSpacing()) return true;
        _pos = save;
        return false;
    }

    // ---- includes (v1_parser.rb, parse_include / eval_include) --------------------------------------------------

    private void ParseInclude(ConfigSection target, int line)
    {
        var path = ScanString(Boundary.LineEnd);
        Include(target, path, line);
        SkipLineEnd();
    }

    private void Include(ConfigSection target, string? path, int line)
    {
        if (string.IsNullOrEmpty(path)) throw new ConfigException("@include needs a file path", _file, line);

        var scheme = UriScheme.Match(path);
        // A one-letter scheme is a Windows drive (C:\...), as fluentd also decides.
        if (scheme.Success && scheme.Groups[1].Length > 1)
        {
            if (!scheme.Groups[1].Value.Equals("file", StringComparison.OrdinalIgnoreCase))
                throw new ConfigException($"remote includes are not supported: @include {path}", _file, line);
            path = Uri.UnescapeDataString(scheme.Groups[2].Value.StartsWith("//") ? scheme.Groups[2].Value[2..] : scheme.Groups[2].Value);
        }

        var pattern = Path.IsPathRooted(path) ? path : Path.Combine(_baseDirectory, path);
        var files = IncludeGlob.Expand(pattern);
        if (files.Count == 0 && !IncludeGlob.HasWildcards(pattern) && _context.Options.MissingIncludeIsError)
            throw new ConfigException($"@include {path}: no such file ({pattern})", _file, line);

        foreach (var file in files)
        {
            var fullPath = Path.GetFullPath(file);
            if (_context.Files.Contains(fullPath, StringComparer.Ordinal))
            {
                var cycle = string.Join(" -> ", _context.Files.SkipWhile(f => f != fullPath).Append(fullPath).Select(Path.GetFileName));
                throw new ConfigException($"@include {path}: include cycle ({cycle})", _file, line);
            }

            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"include error {path}: {e.Message}", _file, line, e);
            }

            _context.Files.Add(fullPath);
            // The included file's content joins the element holding the @include (fluentd parses it with
            // parse_element(true, nil, attrs, elems) on the enclosing element), so inside <source> it adds parameters.
            var parser = new FluentConfigParser(text, file, Path.GetDirectoryName(file) ?? "", _context);
            parser.ParseElement(root: true, elementName: null, openLine: 0, target);
            parser.SkipSpacing();
            if (!parser.Eof) parser.Fail("expected EOF");
            _context.Files.RemoveAt(_context.Files.Count - 1);
        }
    }

    // ---- values (literal_parser.rb) -----------------------------------------------------------------------------

    private enum Boundary { LineEnd, Spacing, TagArgument }

    /// <summary>A parameter value; null when embedded Ruby asked for nil or the default.</summary>
    private string? ParseLiteral()
    {
        SkipSpacingWithoutComment();
        if (SkipChar('[')) return ScanJson(isArray: true);
        if (SkipChar('{')) return ScanJson(isArray: false);
        return ScanString(Boundary.LineEnd);
    }

    private string? ScanString(Boundary boundary)
    {
        if (SkipChar('"')) return ScanDoubleQuoted();
        if (SkipChar('\'')) return ScanSingleQuoted();
        return ScanUnquoted(boundary);
    }

    // An unquoted value runs to the boundary; '#' is always part of it, so only " #" (after a blank) starts a comment.
    private string? ScanUnquoted(Boundary boundary)
    {
        int start = _pos;
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c != '#' && (c == '\n' || IsBoundary(boundary, _pos))) break;
            _pos++;
        }
        return _pos == start ? null : _text[start.._pos];
    }

    private bool IsBoundary(Boundary boundary, int p) => boundary switch
    {
        Boundary.LineEnd => LineEndFrom(p) >= 0,
        Boundary.Spacing => _text[p] is ' ' or '\t' or '\r' or '\n',
        _ => TagEndsAt(p),
    };

    // ZERO_OR_MORE_SPACING followed by '>': the tag argument stops before blanks (or comments) that lead to '>'.
    private bool TagEndsAt(int p)
    {
        while (p < _text.Length)
        {
            char c = _text[p];
            if (c == '>') return true;
            if (c is ' ' or '\t' or '\r' or '\n') p++;
            else if (c == '#') p = SkipCommentFrom(p);
            else return false;
        }
        return false;
    }

    private string? ScanDoubleQuoted()
    {
        int openLine = LineOf(_pos - 1);
        var sb = new StringBuilder();
        bool useNil = false, useDefault = false;
        while (true)
        {
            if (Eof) Fail($"unexpected end of file in a double quoted string (opened at line {openLine})");
            char c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                break;
            }

            // A character right before a line end: kept with the line end, except that a backslash joins the lines.
            if (_pos + 1 == _text.Length || _text[_pos + 1] is '\r' or '\n')
            {
                int n = _pos + 1 == _text.Length ? 1 : 2;
                if (c != '\\') sb.Append(_text, _pos, n);
                _pos += n;
                continue;
            }

            if (c == '\\')
            {
                char escaped = _text[_pos + 1];
                _pos += 2;
                sb.Append(FluentEscape(escaped));
                continue;
            }

            if (c == '#' && _text[_pos + 1] == '{')
            {
                int line = LineOf(_pos);
                int codeStart = _pos + 2;
                int end = RubyEmbedEvaluator.FindCodeEnd(_text, codeStart);
                if (end < 0)
                {
                    _pos = _text.Length;
                    Fail("expected end of embedded code but $end");
                }
                var value = _context.Evaluator.Evaluate(_text[codeStart..end], _file, line);
                _pos = end + 1;
                switch (value.Kind)
                {
                    case EmbeddedValueKind.UseNil: useNil = true; break;
                    case EmbeddedValueKind.UseDefault: useDefault = true; break;
                    default: sb.Append(value.Text); break;
                }
                continue;
            }

            // Ruby's /./ does not match a newline: a newline not preceded by a character here is an error.
            if (c == '\n') Fail($"unexpected end of file in a double quoted string (opened at line {openLine})");
            sb.Append(c);
            _pos++;
        }
        return useNil || useDefault ? null : sb.ToString();
    }

    // literal_parser.rb, eval_escape_char: other letters and digits are errors; any other symbol stands for itself.
    private string FluentEscape(char c) => c switch
    {
        '"' => "\"",
        '\'' => "'",
        'r' => "\r",
        'n' => "\n",
        't' => "\t",
        'f' => "\f",
        'b' => "\b",
        '0' => "\0",
        _ when char.IsAsciiLetterOrDigit(c) => Fail<string>($"unexpected back-slash escape character '{c}'"),
        _ => c.ToString(),
    };

    // Only \' and \\ are escapes; a single-quoted value cannot span lines.
    private string ScanSingleQuoted()
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (Eof || _text[_pos] == '\n') Fail("unexpected end of file in a single quoted string");
            char c = _text[_pos];
            if (c == '\'')
            {
                _pos++;
                return sb.ToString();
            }
            if (c == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] is '\'' or '\\')
            {
                sb.Append(_text[_pos + 1]);
                _pos += 2;
                continue;
            }
            sb.Append(c);
            _pos++;
        }
    }

    /// <summary>
    /// literal_parser.rb, scan_json: reads characters (across lines) until what was read parses as JSON. A '#' is a
    /// comment when the text before it, closed, would already parse; otherwise it is part of a JSON string. A value
    /// that never becomes valid JSON reads to the end of the file and fails there, which is where fluentd reports it.
    /// </summary>
    private string ScanJson(bool isArray)
    {
        int startLine = LineOf(_pos - 1);
        char close = isArray ? ']' : '}';
        var buffer = new StringBuilder().Append(isArray ? '[' : '{');
        var lineBuffer = new StringBuilder();
        while (!Eof)
        {
            char c = _text[_pos++];
            if (c == '#')
            {
                var candidate = lineBuffer.ToString().TrimEnd();
                if (candidate.EndsWith(',')) candidate = candidate[..^1];
                if (JsonLiteral.TryParse(buffer + candidate + close, out _))
                {
                    while (!Eof && _text[_pos++] != '\n') { }
                    buffer.Append(lineBuffer).Append('\n');
                    lineBuffer.Clear();
                }
                else
                {
                    lineBuffer.Append(c);
                }
                continue;
            }
            if (c == '\n')
            {
                buffer.Append(lineBuffer).Append('\n');
                lineBuffer.Clear();
                continue;
            }
            lineBuffer.Append(c);
            // A JSON text can only become complete on a closing bracket.
            if (c is ']' or '}' && JsonLiteral.TryParse(buffer.ToString() + lineBuffer, out var dumped))
                return dumped;
        }
        // fluentd reports this at the end of the file, where it gave up; the value's own line is the one to fix.
        throw new ConfigException($"got incomplete JSON {(isArray ? "array" : "hash")} configuration: a value starting with " +
                                  $"'{(isArray ? '[' : '{')}' is read as JSON, up to the end of the file if need be, and this one never becomes valid JSON", _file, startLine);
    }

    // ---- scanning primitives (basic_parser.rb) ------------------------------------------------------------------

    private bool Eof => _pos >= _text.Length;

    private bool At(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private bool SkipChar(char c)
    {
        if (Eof || _text[_pos] != c) return false;
        _pos++;
        return true;
    }

    /// <summary>SPACING: blanks, newlines and comments; also matches at the end of the text.</summary>
    private bool SkipSpacing()
    {
        bool matched = false;
        while (true)
        {
            if (Eof) return true;
            char c = _text[_pos];
            if (c is ' ' or '\t' or '\r' or '\n') _pos++;
            else if (c == '#') _pos = SkipCommentFrom(_pos);
            else return matched;
            matched = true;
        }
    }

    // `#.*?(?:\z|[\r\n])`: a comment ends with the first CR or LF, which it includes.
    private int SkipCommentFrom(int p)
    {
        while (p < _text.Length && _text[p] is not ('\r' or '\n')) p++;
        return p < _text.Length ? p + 1 : p;
    }

    private void SkipSpacingWithoutComment()
    {
        while (!Eof && _text[_pos] is ' ' or '\t' or '\r' or '\n') _pos++;
    }

    private bool SkipLineEnd()
    {
        int end = LineEndFrom(_pos);
        if (end < 0) return false;
        _pos = end;
        return true;
    }

    /// <summary>
    /// LINE_END, <c>(?:[ \t]*(?:\#.*)?(?:\z|[\r\n]))+</c>: blanks, an optional comment, then a line end or the end of
    /// the text, repeated (so following blank and comment lines are consumed too). Returns where it ends, or -1.
    /// </summary>
    private int LineEndFrom(int p)
    {
        int matched = -1;
        while (true)
        {
            int q = p;
            while (q < _text.Length && _text[q] is ' ' or '\t') q++;
            if (q < _text.Length && _text[q] == '#')
                while (q < _text.Length && _text[q] != '\n') q++;
            if (q >= _text.Length) return q;
            if (_text[q] is not ('\r' or '\n')) return matched;
            p = matched = q + 1;
        }
    }

    private int LineOf(int pos)
    {
        int index = Array.BinarySearch(_lineStarts, pos);
        return index >= 0 ? index + 1 : ~index;
    }

    // basic_parser.rb, error_sample: a position just after a newline belongs to the line that newline ends.
    private int ErrorLineOf(int pos) => pos > 0 && pos <= _text.Length && _text[pos - 1] == '\n' ? LineOf(pos) - 1 : LineOf(pos);

    [DoesNotReturn]
    private void Fail(string message) => throw new ConfigException(message, _file, ErrorLineOf(_pos));

    [DoesNotReturn]
    private T Fail<T>(string message) => throw new ConfigException(message, _file, ErrorLineOf(_pos));
}
