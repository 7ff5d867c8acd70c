using System.Collections.Concurrent;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Routing;

/// <summary>
/// A routing scope: the top level (<c>@ROOT</c>) or a <c>&lt;label @NAME&gt;</c>. Emitting a stream resolves its tag
/// to a <see cref="Route"/> once (cached per tag), runs the filters, and hands the bytes to the output.
/// </summary>
public sealed class Label : IEventRouter
{
    public const string RootName = "@ROOT";
    public const string ErrorName = "@ERROR";

    // Bounds the route cache: a sender inventing a new tag per event must not grow memory without limit.
    private const int MaxCachedRoutes = 4096;

    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly List<RoutingRule> _rules = new();
    private readonly ILogger _log;
    private readonly UnmatchedTagWarning _unmatched;

    public Label(string name, ILogger log)
    {
        Name = name;
        _log = log;
        _unmatched = new UnmatchedTagWarning(log, name);
    }

    public string Name { get; }
    public IReadOnlyList<RoutingRule> Rules => _rules;

    /// <summary>
    /// Called when an output throws; returns true when it took care of the events (sent them to @ERROR).
    /// Otherwise the exception goes back to the input, as fluentd's root agent re-raises it.
    /// </summary>
    public Func<EventStream, Exception, bool>? OnEmitError { get; set; }

    public void Add(RoutingRule rule)
    {
        _rules.Add(rule);
        _routes.Clear();
    }

    public Route RouteFor(string tag)
    {
        if (_routes.TryGetValue(tag, out var route)) return route;
        route = Route.Resolve(_rules, tag);
        if (_routes.Count >= MaxCachedRoutes) _routes.Clear();
        _routes[tag] = route;
        return route;
    }

    public void Emit(EventStream stream)
    {
        if (stream.IsEmpty) return;
        var route = RouteFor(stream.Tag);
        if (route.Output is null)
        {
            _unmatched.Report(stream.Tag, stream.Count);
            return;
        }
        var filters = route.Filters;
        for (int i = 0; i < filters.Length; i++)
        {
            stream = filters[i].Filter(stream);
            if (stream.IsEmpty) return;
            route.FilterEmits[i]?.Add(stream);
        }
        try
        {
            route.Output.Emit(stream);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (OnEmitError?.Invoke(stream, e) != true) throw;
        }
    }
}
