using System.Text;
using System.Text.RegularExpressions;

namespace LogAgent.Sdk.Text;

/// <summary>
/// Compiles a regular expression written for fluentd (Ruby/Onigmo syntax) as a .NET <see cref="Regex"/>, for
/// parsers and filters alike.
/// <list type="bullet">
/// <item><c>/pattern/flags</c> as fluentd's <c>:regexp</c> config type reads it (lib/fluent/config/types.rb,
/// regexp_value): at most two characters after the last slash, else the right slash is "missing"; <c>i</c> ignores
/// case, <c>m</c> lets <c>.</c> match a newline (.NET Singleline); <c>x</c> (extended) is accepted too, and any
/// other flag is refused rather than ignored, so a typo does not silently change the pattern. Without slashes the
/// whole text is the pattern.</item>
/// <item>In Ruby <c>^</c> and <c>$</c> always match at line breaks, so Multiline is always on.</item>
/// <item>Ruby-only escapes <c>\h</c>/<c>\H</c> (hex digit) and POSIX brackets (<c>[[:alpha:]]</c>) are translated.</item>
/// <item>When the pattern has named groups, unnamed groups do not capture, as in Ruby.</item>
/// </list>
/// </summary>
public static class RubyRegex
{
    private static readonly (string Posix, string Net)[] PosixClasses =
    {
        ("[:alpha:]", @"\p{L}"), ("[:digit:]", "0-9"), ("[:alnum:]", @"\p{L}\p{Nd}"), ("[:upper:]", @"\p{Lu}"),
        ("[:lower:]", @"\p{Ll}"), ("[:space:]", @"\s"), ("[:blank:]", @" \t"), ("[:punct:]", @"\p{P}\p{S}"),
        ("[:xdigit:]", "0-9a-fA-F"), ("[:word:]", @"\w"), ("[:cntrl:]", @"\p{Cc}"), ("[:print:]", @"\P{C}"),
        ("[:graph:]", @"\p{L}\p{M}\p{N}\p{P}\p{S}"),
    };

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="FormatException"/> saying why when it is not a valid pattern.</summary>
    public static Regex Parse(string text, bool compiled = true)
    {
        if (!text.StartsWith('/')) return Compile(text, RegexOptions.None, compiled);
        int close = text.LastIndexOf('/');
        if (close < text.Length - 3)
            throw new FormatException($"invalid regexp: missing right slash: {text}");
        var options = RegexOptions.None;
        foreach (char flag in text[(close + 1)..])
        {
            options |= flag switch
            {
                'i' => RegexOptions.IgnoreCase,
                'm' => RegexOptions.Singleline,
                'x' => RegexOptions.IgnorePatternWhitespace,
                _ => throw new FormatException($"invalid regexp flag '{flag}' in {text} (i, m or x)"),
            };
        }
        // For "/i" the only slash is the first one, so the pattern is empty: fluentd's str[1...0].
        var pattern = close == 0 ? "" : text[1..close];
        return Compile(pattern, options, compiled);
    }

    /// <summary>Compiles a bare pattern (no slashes) with Ruby's line-anchor semantics and the given extra options.</summary>
    public static Regex Compile(string pattern, RegexOptions options = RegexOptions.None, bool compiled = true)
    {
        var translated = Translate(pattern);
        options |= RegexOptions.Multiline | RegexOptions.CultureInvariant;
        if (compiled) options |= RegexOptions.Compiled;
        try
        {
            var probe = new Regex(translated, options & ~RegexOptions.Compiled);
            if (probe.GetGroupNames().Any(n => !int.TryParse(n, out _))) options |= RegexOptions.ExplicitCapture;
            return new Regex(translated, options);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"invalid regexp /{pattern}/: {e.Message}");
        }
    }

    /// <summary>The named groups in the order they appear, which is the order fluentd puts fields in a record.</summary>
    public static string[] NamedGroups(Regex regex) =>
        regex.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToArray();

    private static string Translate(string pattern)
    {
        if (!pattern.Contains("\\h", StringComparison.OrdinalIgnoreCase) && !pattern.Contains("[:", StringComparison.Ordinal)) return pattern;
        var sb = new StringBuilder(pattern.Length + 16);
        // Inside [...] a class cannot be nested, so \h becomes a range there and POSIX brackets only count there.
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                char next = pattern[++i];
                if (next == 'h') sb.Append(inClass ? "0-9a-fA-F" : "[0-9a-fA-F]");
                // Inside a class \H has no .NET spelling; left as it is, .NET refuses it instead of matching wrongly.
                else if (next == 'H' && !inClass) sb.Append("[^0-9a-fA-F]");
                else sb.Append(c).Append(next);
                continue;
            }
            if (c == '[' && inClass && TryPosixClass(pattern, i, out var net, out int length))
            {
                sb.Append(net);
                i += length - 1;
                continue;
            }
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool TryPosixClass(string pattern, int at, out string net, out int length)
    {
        foreach (var (posix, translation) in PosixClasses)
        {
            if (string.CompareOrdinal(pattern, at, posix, 0, posix.Length) == 0)
            {
                net = translation;
                length = posix.Length;
                return true;
            }
        }
        net = "";
        length = 0;
        return false;
    }
}
