using LogAgent.Core.Plugins;
using LogAgent.Core.Prometheus;
using LogAgent.Core.Routing;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Engine;

/// <summary>The services one plugin instance gets from the engine.</summary>
internal sealed class EnginePluginContext : IPluginContext
{
    private readonly AgentEngine _engine;

    /// <param name="countsEmits">An input's context: every stream it emits is counted (<see cref="Emits"/>) as it
    /// enters the router.</param>
    public EnginePluginContext(AgentEngine engine, ILogger logger, IEventRouter router, bool countsEmits = false)
    {
        _engine = engine;
        Logger = logger;
        Router = countsEmits ? new CountingRouter(router, Emits) : router;
    }

    public ILogger Logger { get; }
    public PluginMetrics Metrics { get; } = new();

    /// <summary>What an input emitted or a filter passed on (fluentd's emit_records / emit_size); unused by other kinds.</summary>
    public EmitCounter Emits { get; } = new();
    public IEventRouter Router { get; }
    public string Hostname => _engine.Hostname;
    public int WorkerId => 0;
    public string? RootDirectory => _engine.Settings.RootDir;

    /// <summary>The running agent as monitoring sees it: for built-in plugins (monitor_agent), not part of the SDK.</summary>
    public AgentStatus AgentStatus => _engine.Status;

    /// <summary>The metrics the engine serves to Prometheus (the prometheus input, filter and output).</summary>
    public PrometheusRegistry Prometheus => _engine.Prometheus;

    public IEventRouter GetLabelRouter(string label) => _engine.FindLabel(label)
        ?? throw new ConfigException($"unknown label: {label}");

    public void EmitError(string tag, EventTime time, Record record, Exception error) =>
        _engine.EmitErrorEvent(tag, time, record, error);

    public ParserPlugin CreateParser(ConfigSection? parseSection, string defaultType) =>
        _engine.BuildChild<ParserPlugin>(PluginKind.Parser, parseSection ?? Synthetic("parse"), Router, defaultType);

    public FormatterPlugin CreateFormatter(ConfigSection? formatSection, string defaultType) =>
        _engine.BuildChild<FormatterPlugin>(PluginKind.Formatter, formatSection ?? Synthetic("format"), Router, defaultType);

    public OutputPlugin CreateOutput(ConfigSection outputSection) =>
        _engine.BuildChild<OutputPlugin>(PluginKind.Output, outputSection, Router, null);

    private static ConfigSection Synthetic(string name) => new(name, "", "(default)", 0);
}
