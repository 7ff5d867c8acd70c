using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;

namespace LogAgent.Core.Prometheus;

/// <summary>
/// A <c>&lt;labels&gt;</c> section: label names in the order written, each with its <see cref="LabelTemplate"/>. At most
/// one per element (prometheus.rb: "labels section must have at most 1"); label names must be valid Prometheus names.
/// </summary>
public sealed class ConfiguredLabels
{
    public static readonly ConfiguredLabels None = new(Array.Empty<KeyValuePair<string, LabelTemplate>>());

    private ConfiguredLabels(IReadOnlyList<KeyValuePair<string, LabelTemplate>> labels) => Labels = labels;

    public IReadOnlyList<KeyValuePair<string, LabelTemplate>> Labels { get; }

    public IReadOnlyList<string> Names => Labels.Select(l => l.Key).ToList();

    public bool IsStatic => Labels.All(l => l.Value.IsStatic);

    /// <summary>The <c>&lt;labels&gt;</c> of <paramref name="owner"/> (marked used), or none.</summary>
    public static ConfiguredLabels Of(ConfigSection owner)
    {
        var sections = owner.SectionsNamed("labels").ToList();
        if (sections.Count > 1) throw new ConfigException("labels section must have at most 1", sections[1]);
        if (sections.Count == 0) return None;
        var section = sections[0];
        section.IsUsed = true;
        var labels = new List<KeyValuePair<string, LabelTemplate>>();
        foreach (var parameter in section.Parameters)
        {
            section.UsedParameters.Add(parameter.Key);
            if (!MetricNames.IsValidLabelName(parameter.Key))
                throw new ConfigException($"'{parameter.Key}' is not a valid Prometheus label name", section.Find(parameter.Key)!);
            labels.Add(KeyValuePair.Create(parameter.Key, LabelTemplate.Parse(parameter.Value)));
        }
        return new ConfiguredLabels(labels);
    }

    /// <summary>These labels, then <paramref name="more"/>'s; a label in both takes <paramref name="more"/>'s value in
    /// this one's place (Ruby's Hash#merge).</summary>
    public ConfiguredLabels MergedWith(ConfiguredLabels more)
    {
        var merged = Labels.ToList();
        foreach (var label in more.Labels)
        {
            int at = merged.FindIndex(l => l.Key == label.Key);
            if (at >= 0) merged[at] = label;
            else merged.Add(label);
        }
        return new ConfiguredLabels(merged);
    }

    /// <summary>The label values for one event, in <see cref="Names"/> order.</summary>
    public string[] Values(string? tag, Record? record, string hostname, int workerId)
    {
        var values = new string[Labels.Count];
        for (int i = 0; i < values.Length; i++) values[i] = Labels[i].Value.Expand(tag, record, hostname, workerId);
        return values;
    }

    /// <summary>Label name/value pairs for labels that do not depend on an event (the monitor inputs' labels).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> StaticPairs(string hostname, int workerId) =>
        Labels.Select(l => KeyValuePair.Create(l.Key, l.Value.Expand(null, null, hostname, workerId))).ToList();
}
