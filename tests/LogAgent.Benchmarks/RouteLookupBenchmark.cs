using BenchmarkDotNet.Attributes;
using LogAgent.Core.Routing;
using LogAgent.Core.Plugins.Outputs;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Benchmarks;

/// <summary>Resolving a tag to its route: the cached lookup every emit pays, and the uncached resolution.</summary>
[MemoryDiagnoser]
public class RouteLookupBenchmark
{
    private Label _label = null!;
    private RoutingRule[] _rules = null!;

    [GlobalSetup]
    public void Setup()
    {
        _label = new Label("@ROOT", NullLogger.Instance);
        foreach (var pattern in new[] { "system.**", "kube.{audit,apiserver}.**", "app.*.debug", "nginx.error", "nginx.access", "**" })
            _label.Add(new RoutingRule(TagPattern.Parse(pattern), null, new NullOutput(), "bench"));
        _rules = _label.Rules.ToArray();
        _label.RouteFor("nginx.access");
    }

    [Benchmark(Baseline = true)]
    public object CachedRoute() => _label.RouteFor("nginx.access");

    [Benchmark]
    public object ResolveRoute() => Route.Resolve(_rules, "nginx.access");
}
