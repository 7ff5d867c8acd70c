using System.Text;

namespace LogAgent.Core.Prometheus;

/// <summary>
/// What the data model allows as names (prometheus.io/docs/concepts/data_model): a metric name matches
/// <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, a label name <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, and names starting with <c>__</c> are
/// reserved.
/// </summary>
public static class MetricNames
{
    public static bool IsValidMetricName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    public static bool IsValidLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && !name.StartsWith("__", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>A name built from a counter's own name (a plugin counter): every character a name cannot hold becomes <c>_</c>.</summary>
    public static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name) text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        if (text.Length == 0 || char.IsAsciiDigit(text[0])) text.Insert(0, '_');
        return text.ToString();
    }
}
