using LogAgent.Core.Plugins;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Engine;

/// <summary>The services one plugin instance gets from the engine.</summary>
internal sealed class EnginePluginContext : IPluginContext
{
    private readonly AgentEngine _engine;

    public EnginePluginContext(AgentEngine engine, ILogger logger, IEventRouter router)
    {
        _engine = engine;
        Logger = logger;
        Router = router;
    }

    public ILogger Logger { get; }
    public PluginMetrics Metrics { get; } = new();
    public IEventRouter Router { get; }
    public string Hostname => _engine.Hostname;
    public int WorkerId => 0;
    public string? RootDirectory => _engine.Settings.RootDir;

    /// <summary>The running agent as monitoring sees it: for built-in plugins (monitor_agent), not part of the SDK.</summary>
    public AgentStatus AgentStatus => _engine.Status;

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
