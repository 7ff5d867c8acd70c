namespace LogAgent.Core.Prometheus;

/// <summary>Families built sample by sample (a collector's scrape): each name once, in the order names first appear.</summary>
public sealed class FamilySet
{
    private readonly Dictionary<string, (MetricType Type, string Help, List<MetricSample> Samples)> _families = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();

    public void Add(string name, MetricType type, string help, IReadOnlyList<KeyValuePair<string, string>> labels, double value)
    {
        if (!_families.TryGetValue(name, out var family))
        {
            family = (type, help, new List<MetricSample>());
            _families[name] = family;
            _order.Add(name);
        }
        family.Samples.Add(MetricSample.Of(labels, value));
    }

    public IEnumerable<MetricFamily> Families() =>
        _order.Select(name => new MetricFamily(name, _families[name].Type, _families[name].Help, _families[name].Samples));
}
