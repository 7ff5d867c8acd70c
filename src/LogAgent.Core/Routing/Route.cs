using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Routing;

/// <summary>
/// What a tag resolves to in one label: the filters it passes, then the output (null: no pattern matched).
/// <see cref="FilterEmits"/> holds, per filter, where what it passes on is counted (null: not counted).
/// </summary>
public sealed record Route(FilterPlugin[] Filters, EmitCounter?[] FilterEmits, OutputPlugin? Output)
{
    public static Route Resolve(IReadOnlyList<RoutingRule> rules, string tag)
    {
        var filters = new List<FilterPlugin>();
        var emits = new List<EmitCounter?>();
        foreach (var rule in rules)
        {
            if (!rule.Pattern.Matches(tag)) continue;
            if (rule.Filter is not null)
            {
                filters.Add(rule.Filter);
                emits.Add(rule.FilterEmits);
            }
            else return new Route(filters.ToArray(), emits.ToArray(), rule.Output);
        }
        return new Route(filters.ToArray(), emits.ToArray(), null);
    }
}
