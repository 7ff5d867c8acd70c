using System.Globalization;
using System.Text;

namespace LogAgent.Core.Prometheus;

/// <summary>
/// The Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats): per
/// family a <c># HELP name text</c> line (backslash and line feed escaped), a <c># TYPE name type</c> line, then one
/// <c>name{label="value",…} value</c> line per sample, label values with backslash, double quote and line feed
/// escaped. A name appears as one family only (parsers reject a second TYPE line for a name), so
/// <see cref="Write"/> merges families of the same name: the first one's type and help win, and samples of a later one
/// with another type are left out rather than mislabelled.
/// </summary>
public static class PrometheusText
{
    /// <summary>What Prometheus clients send as the Content-Type of this format (the Ruby client's Formats::Text).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<MetricFamily> families)
    {
        var text = new StringBuilder();
        foreach (var family in Merge(families))
        {
            text.Append("# HELP ").Append(family.Name).Append(' ');
            AppendEscaped(text, family.Help, escapeQuote: false);
            text.Append('\n');
            text.Append("# TYPE ").Append(family.Name).Append(' ').Append(TypeName(family.Type)).Append('\n');
            foreach (var sample in family.Samples)
            {
                text.Append(family.Name).Append(sample.Suffix);
                if (sample.Labels.Count > 0)
                {
                    text.Append('{');
                    for (int i = 0; i < sample.Labels.Count; i++)
                    {
                        if (i > 0) text.Append(',');
                        text.Append(sample.Labels[i].Key).Append("=\"");
                        AppendEscaped(text, sample.Labels[i].Value, escapeQuote: true);
                        text.Append('"');
                    }
                    text.Append('}');
                }
                text.Append(' ').Append(FormatValue(sample.Value)).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>Families of the same name as one, in the order each name first appears.</summary>
    public static IReadOnlyList<MetricFamily> Merge(IEnumerable<MetricFamily> families)
    {
        var byName = new Dictionary<string, (MetricFamily First, List<MetricSample> Samples)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var family in families)
        {
            if (!byName.TryGetValue(family.Name, out var merged))
            {
                merged = (family, new List<MetricSample>());
                byName[family.Name] = merged;
                order.Add(family.Name);
            }
            if (merged.First.Type == family.Type) merged.Samples.AddRange(family.Samples);
        }
        return order.Select(name => byName[name]).Select(m => m.First with { Samples = m.Samples }).ToList();
    }

    /// <summary>A sample value as the format writes it: Go's float syntax, with <c>+Inf</c>, <c>-Inf</c> and <c>NaN</c>.</summary>
    public static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Summary => "summary",
        _ => "histogram",
    };

    private static void AppendEscaped(StringBuilder text, string value, bool escapeQuote)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\n': text.Append(@"\n"); break;
                case '"' when escapeQuote: text.Append("\\\""); break;
                default: text.Append(c); break;
            }
        }
    }
}
