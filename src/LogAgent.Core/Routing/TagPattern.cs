using System.Text.RegularExpressions;

namespace LogAgent.Core.Routing;

// TEMPORARY minimal version; replaced by the full fluentd-compatible implementation on merge.
public sealed class TagPattern
{
    private readonly Regex[] _regexes;
    private TagPattern(string text, Regex[] regexes) { Text = text; _regexes = regexes; }
    public string Text { get; }
    public static TagPattern Parse(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) parts = new[] { "**" };
        return new TagPattern(text, parts.Select(p => new Regex("^" + Regex.Escape(p).Replace(@"\*\*", ".*").Replace(@"\*", "[^.]*") + "$")).ToArray());
    }
    public bool Matches(string tag) => _regexes.Any(r => r.IsMatch(tag));
}
