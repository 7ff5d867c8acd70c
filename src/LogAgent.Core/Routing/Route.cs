using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Routing;

/// <summary>What a tag resolves to in one label: the filters it passes, then the output (null: no pattern matched).</summary>
public sealed record Route(FilterPlugin[] Filters, OutputPlugin? Output)
{
    public static Route Resolve(IReadOnlyList<RoutingRule> rules, string tag)
    {
        var filters = new List<FilterPlugin>();
        foreach (var rule in rules)
        {
            if (!rule.Pattern.Matches(tag)) continue;
            if (rule.Filter is not null) filters.Add(rule.Filter);
            else return new Route(filters.ToArray(), rule.Output);
        }
        return new Route(filters.ToArray(), null);
    }
}
