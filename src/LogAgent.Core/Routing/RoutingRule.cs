using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Routing;

/// <summary>
/// One <c>&lt;filter&gt;</c> or <c>&lt;match&gt;</c> of a label, in config order. Order matters: a filter applies only to
/// events whose first matching <c>&lt;match&gt;</c> comes after it (fluentd's EventRouter builds its pipelines this way).
/// </summary>
public sealed record RoutingRule(TagPattern Pattern, FilterPlugin? Filter, OutputPlugin? Output, string Where)
{
    public bool IsMatch => Output is not null;

    /// <summary>A filter's count of what it passes on (monitoring); null where nothing counts.</summary>
    public EmitCounter? FilterEmits { get; init; }
}
