namespace LogAgent.Core.Prometheus;

/// <summary>
/// One metric family at one moment: its name, type and help, and every sample under it. A summary's or histogram's
/// samples carry a <see cref="MetricSample.Suffix"/> (<c>_sum</c>, <c>_count</c>, <c>_bucket</c>).
/// </summary>
public sealed record MetricFamily(string Name, MetricType Type, string Help, IReadOnlyList<MetricSample> Samples);

/// <summary>One line of a family: the name's suffix (usually empty), the labels in order, and the value.</summary>
public sealed record MetricSample(string Suffix, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)
{
    public static MetricSample Of(IReadOnlyList<KeyValuePair<string, string>> labels, double value) => new("", labels, value);
}
