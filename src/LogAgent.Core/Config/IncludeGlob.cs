using System.Text;
using System.Text.RegularExpressions;

namespace LogAgent.Core.Config;

/// <summary>
/// Expands an <c>@include</c> / <c>!include</c> path the way fluentd does with Ruby's <c>Dir.glob(pattern).sort</c>:
/// <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>{a,b}</c> and <c>**/</c> (any depth); wildcards do not match names starting
/// with '.'; the result is sorted by ordinal (byte) order. A pattern without wildcards yields the file if it exists.
/// </summary>
internal static class IncludeGlob
{
    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(['*', '?', '[', '{']) >= 0;

    public static IReadOnlyList<string> Expand(string pattern)
    {
        if (!HasWildcards(pattern))
            return File.Exists(pattern) ? [pattern] : [];

        var separators = new[] { '/', Path.DirectorySeparatorChar };
        // The longest leading run of segments without wildcards is the directory to start from.
        var segments = pattern.Split(separators);
        int firstWild = Array.FindIndex(segments, HasWildcards);
        var root = string.Join("/", segments[..firstWild]);
        if (root.Length == 0 && pattern.StartsWith('/')) root = "/";
        var startDirectory = root.Length == 0 ? "." : root;
        if (!Directory.Exists(startDirectory)) return [];

        var results = new List<string>();
        Walk(startDirectory, root, segments[firstWild..], results);
        results.Sort(StringComparer.Ordinal);
        return results.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void Walk(string directory, string prefix, string[] rest, List<string> results)
    {
        var segment = rest[0];
        bool last = rest.Length == 1;
        if (segment == "**")
        {
            // "**/" matches zero or more directories.
            if (!last) Walk(directory, prefix, rest[1..], results);
            foreach (var sub in SafeEntries(directory, directories: true))
            {
                var name = Path.GetFileName(sub);
                if (name.StartsWith('.')) continue;
                Walk(sub, Join(prefix, name), rest, results);
            }
            return;
        }

        if (!HasWildcards(segment))
        {
            var path = Path.Combine(directory, segment);
            if (last) { if (File.Exists(path)) results.Add(Join(prefix, segment)); }
            else if (Directory.Exists(path)) Walk(path, Join(prefix, segment), rest[1..], results);
            return;
        }

        var regex = SegmentRegex(segment);
        foreach (var entry in SafeEntries(directory, directories: !last))
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith('.') && !segment.StartsWith('.')) continue;
            if (!regex.IsMatch(name)) continue;
            if (last) results.Add(Join(prefix, name));
            else Walk(entry, Join(prefix, name), rest[1..], results);
        }
    }

    private static IEnumerable<string> SafeEntries(string directory, bool directories)
    {
        try
        {
            return directories ? Directory.GetDirectories(directory) : Directory.GetFiles(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string Join(string prefix, string name) =>
        prefix.Length == 0 ? name : prefix.EndsWith('/') ? prefix + name : prefix + "/" + name;

    private static Regex SegmentRegex(string segment)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[':
                    int close = segment.IndexOf(']', i + 1);
                    if (close < 0) { sb.Append("\\["); break; }
                    var set = segment[(i + 1)..close];
                    if (set.StartsWith('!')) set = "^" + set[1..];
                    sb.Append('[').Append(set.Replace("\\", "\\\\")).Append(']');
                    i = close;
                    break;
                case '{':
                    int end = segment.IndexOf('}', i + 1);
                    if (end < 0) { sb.Append("\\{"); break; }
                    sb.Append("(?:").Append(string.Join("|", segment[(i + 1)..end].Split(',').Select(Regex.Escape))).Append(')');
                    i = end;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
