using System.Text;
using LogAgent.Sdk.Config;

namespace LogAgent.Tests.Config;

/// <summary>Helpers that make a config model easy to assert on and to compare.</summary>
internal static class ConfigAssert
{
    /// <summary>The value of <paramref name="key"/>, failing the test if it is absent.</summary>
    public static string Value(ConfigSection section, string key)
    {
        var p = section.Find(key);
        Assert.True(p is not null, $"{section} has no parameter '{key}'; it has: {string.Join(", ", section.Parameters.Select(x => x.Key))}");
        return p.Value;
    }

    /// <summary>The only child section named <paramref name="name"/>.</summary>
    public static ConfigSection Single(ConfigSection section, string name)
    {
        var matches = section.SectionsNamed(name).ToList();
        Assert.True(matches.Count == 1, $"{section} has {matches.Count} <{name}> sections, expected 1");
        return matches[0];
    }

    /// <summary>
    /// Asserts two models are the same config: same element names, arguments and nesting order, and the same
    /// parameters (compared as key → value; fluentd keeps them in a hash). File and line are ignored.
    /// </summary>
    public static void SameModel(ConfigSection expected, ConfigSection actual)
    {
        var e = Dump(expected);
        var a = Dump(actual);
        Assert.Equal(e, a);
    }

    /// <summary>An indented text rendering without files or lines, parameters sorted by key.</summary>
    public static string Dump(ConfigSection section)
    {
        var sb = new StringBuilder();
        Dump(section, 0, sb);
        return sb.ToString();
    }

    private static void Dump(ConfigSection section, int depth, StringBuilder sb)
    {
        var indent = new string(' ', depth * 2);
        sb.Append(indent).Append(section.ToString()).Append('\n');
        foreach (var p in section.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            sb.Append(indent).Append("  ").Append(p.Key).Append(" = ").Append(Escape(p.Value)).Append('\n');
        foreach (var s in section.Sections) Dump(s, depth + 1, sb);
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
}
