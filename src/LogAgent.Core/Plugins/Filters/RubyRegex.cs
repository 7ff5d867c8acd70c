using System.Text;
using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// Compiles regular expressions written for Ruby (Onigmo) into .NET ones with the same meaning for the common
/// syntax: in Ruby <c>^</c> and <c>$</c> always match at line boundaries (so .NET Multiline is always on), Ruby's
/// <c>m</c> flag is .NET's Singleline, and <c>\h</c> (hex digit) has no .NET counterpart and is expanded.
/// </summary>
public static class RubyRegex
{
    /// <summary><c>Regexp.compile(pattern, options)</c>; throws <see cref="ArgumentException"/> for a bad pattern.</summary>
    public static Regex Compile(string pattern, bool ignoreCase = false, bool dotMatchesNewline = false)
    {
        var options = RegexOptions.Multiline | RegexOptions.CultureInvariant | RegexOptions.Compiled;
        if (ignoreCase) options |= RegexOptions.IgnoreCase;
        if (dotMatchesNewline) options |= RegexOptions.Singleline;
        return new Regex(Translate(pattern), options);
    }

    /// <summary>
    /// A <c>:regexp</c> config value (Config.regexp_value in lib/fluent/config/types.rb): <c>/pattern/flags</c> with
    /// flags <c>i</c> and <c>m</c>, or a bare pattern. At most two characters may follow the last slash, otherwise
    /// it is "missing right slash". Throws <see cref="ConfigException"/> without a location.
    /// </summary>
    public static Regex FromConfigValue(string text)
    {
        try
        {
            if (!text.StartsWith('/')) return Compile(text);
            int right = text.LastIndexOf('/');
            if (right < text.Length - 3) throw new ConfigException($"invalid regexp: missing right slash: {text}");
            var flags = text[(right + 1)..];
            // For "/x" the only slash is the first one, so the pattern is empty: fluentd's str[1...0].
            var body = right == 0 ? "" : text[1..right];
            return Compile(body, ignoreCase: flags.Contains('i'), dotMatchesNewline: flags.Contains('m'));
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"invalid regexp: {text}: {e.Message}");
        }
    }

    private static string Translate(string pattern)
    {
        if (!pattern.Contains("\\h", StringComparison.Ordinal) && !pattern.Contains("\\H", StringComparison.Ordinal)) return pattern;
        var sb = new StringBuilder(pattern.Length + 16);
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                char next = pattern[++i];
                if (next == 'h') sb.Append(inClass ? "0-9a-fA-F" : "[0-9a-fA-F]");
                else if (next == 'H' && !inClass) sb.Append("[^0-9a-fA-F]");
                else sb.Append(c).Append(next);
                continue;
            }
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            sb.Append(c);
        }
        return sb.ToString();
    }
}
