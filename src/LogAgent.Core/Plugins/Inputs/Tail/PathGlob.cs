using System.Text;
using System.Text.RegularExpressions;

namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// Expands a path pattern the way Ruby's <c>Dir.glob</c> does for in_tail's <c>path</c> and <c>exclude_path</c>:
/// <c>*</c> and <c>?</c> within one path component, <c>[abc]</c> / <c>[a-z]</c> / <c>[!a]</c> classes, <c>{a,b}</c>
/// alternatives and <c>**/</c> for any depth of directories. As in Ruby, a wildcard does not match a name starting
/// with a dot unless the pattern's component starts with one too.
/// </summary>
public static class PathGlob
{
    /// <summary>True when <paramref name="pattern"/> has any glob syntax at all.</summary>
    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny("*?[{") >= 0;

    /// <summary>Every existing path the pattern matches (files and directories), sorted, without duplicates.</summary>
    public static IReadOnlyList<string> Expand(string pattern)
    {
        var results = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var alternative in ExpandBraces(pattern))
        {
            var absolute = alternative.StartsWith('/');
            var components = alternative.Split('/', StringSplitOptions.RemoveEmptyEntries);
            Walk(absolute ? "/" : "", components, 0, results);
        }
        return results.ToList();
    }

    /// <summary>True when <paramref name="path"/> matches <paramref name="pattern"/> component by component.</summary>
    public static bool IsMatch(string pattern, string path)
    {
        foreach (var alternative in ExpandBraces(pattern))
            if (ToRegex(alternative, wholePath: true).IsMatch(path)) return true;
        return false;
    }

    private static void Walk(string directory, string[] components, int index, SortedSet<string> results)
    {
        if (index == components.Length)
        {
            if (directory.Length > 0) results.Add(directory);
            return;
        }
        var component = components[index];
        if (component == "**")
        {
            // "**/" matches zero or more directories (not hidden ones, as in Ruby).
            Walk(directory, components, index + 1, results);
            foreach (var sub in SafeEntries(directory, directoriesOnly: true))
                if (!Path.GetFileName(sub).StartsWith('.'))
                    Walk(sub, components, index, results);
            return;
        }
        if (!HasWildcards(component))
        {
            var next = Join(directory, component);
            if (index == components.Length - 1 ? Path.Exists(next) : Directory.Exists(next))
                Walk(next, components, index + 1, results);
            return;
        }
        var regex = ToRegex(component, wholePath: false);
        foreach (var entry in SafeEntries(directory, directoriesOnly: index < components.Length - 1))
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith('.') && !component.StartsWith('.')) continue;
            if (regex.IsMatch(name)) Walk(entry, components, index + 1, results);
        }
    }

    private static string Join(string directory, string name) =>
        directory.Length == 0 ? name : directory.EndsWith('/') ? directory + name : directory + "/" + name;

    private static IEnumerable<string> SafeEntries(string directory, bool directoriesOnly)
    {
        var dir = directory.Length == 0 ? "." : directory;
        try
        {
            var entries = directoriesOnly ? Directory.GetDirectories(dir) : Directory.GetFileSystemEntries(dir);
            return directory.Length == 0 ? entries.Select(e => e.StartsWith("./") ? e[2..] : e) : entries;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>Ruby expands <c>{a,b}</c> before matching: <c>/var/log/{a,b}.log</c> is two patterns.</summary>
    internal static IEnumerable<string> ExpandBraces(string pattern)
    {
        var open = pattern.IndexOf('{');
        if (open < 0)
        {
            yield return pattern;
            yield break;
        }
        int depth = 0, close = -1;
        var commas = new List<int>();
        for (int i = open; i < pattern.Length; i++)
        {
            if (pattern[i] == '{') depth++;
            else if (pattern[i] == '}' && --depth == 0) { close = i; break; }
            else if (pattern[i] == ',' && depth == 1) commas.Add(i);
        }
        if (close < 0)
        {
            yield return pattern;
            yield break;
        }
        var head = pattern[..open];
        var tail = pattern[(close + 1)..];
        var start = open + 1;
        foreach (var end in commas.Append(close))
        {
            foreach (var expanded in ExpandBraces(head + pattern[start..end] + tail)) yield return expanded;
            start = end + 1;
        }
    }

    // A glob is turned into a regular expression once: exclude_path and the sibling checks match every file of a
    // directory against the same few patterns at each refresh and rotation.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, bool), Regex> Compiled = new();

    private static Regex ToRegex(string glob, bool wholePath) =>
        Compiled.GetOrAdd((glob, wholePath), static key => Build(key.Item1, key.Item2));

    private static Regex Build(string glob, bool wholePath)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*' when wholePath && i + 2 < glob.Length && glob[i + 1] == '*' && glob[i + 2] == '/':
                    sb.Append("(?:[^/]*/)*");
                    i += 2;
                    break;
                case '*':
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                    var end = glob.IndexOf(']', i + 2);
                    if (end < 0) { sb.Append(@"\["); break; }
                    var body = glob[(i + 1)..end];
                    if (body.StartsWith('!')) body = "^" + body[1..];
                    sb.Append('[').Append(body.Replace(@"\", @"\\")).Append(']');
                    i = end;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
