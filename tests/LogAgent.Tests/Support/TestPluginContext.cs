using LogAgent.Core.Plugins;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Tests.Support;

/// <summary>
/// A plugin context for unit tests of one plugin: the real registry, binder and factory, with emitted and
/// rejected events captured in lists instead of routed.
/// </summary>
public sealed class TestPluginContext : IPluginContext
{
    private readonly PluginFactory _factory = new(PluginRegistry.CreateWithBuiltIns());

    public List<EventStream> Emitted { get; } = new();
    public List<(string Tag, EventTime Time, Record Record, Exception Error)> Errors { get; } = new();

    public ILogger Logger { get; set; } = NullLogger.Instance;
    public PluginMetrics Metrics { get; } = new();
    public IEventRouter Router => new CapturingRouter(Emitted);
    public IEventRouter GetLabelRouter(string label) => Router;
    public string Hostname { get; set; } = "test-host";
    public int WorkerId => 0;
    public string? RootDirectory { get; set; }

    public void EmitError(string tag, EventTime time, Record record, Exception error) => Errors.Add((tag, time, record, error));

    public ParserPlugin CreateParser(ConfigSection? parseSection, string defaultType) =>
        _factory.Build<ParserPlugin>(PluginKind.Parser, parseSection ?? new ConfigSection("parse", "", "test", 0), _ => this, defaultType);

    public FormatterPlugin CreateFormatter(ConfigSection? formatSection, string defaultType) =>
        _factory.Build<FormatterPlugin>(PluginKind.Formatter, formatSection ?? new ConfigSection("format", "", "test", 0), _ => this, defaultType);

    public OutputPlugin CreateOutput(ConfigSection outputSection) =>
        _factory.Build<OutputPlugin>(PluginKind.Output, outputSection, _ => this);

    /// <summary>Builds a configured plugin of the given kind from a section made of key/value pairs.</summary>
    public T Build<T>(PluginKind kind, string type, params (string Key, string Value)[] parameters) where T : Plugin
    {
        var section = Section(kind.ToString().ToLowerInvariant(), type, parameters);
        return _factory.Build<T>(kind, section, _ => this);
    }

    /// <summary>Builds a configured plugin from a prepared section (with nested sections).</summary>
    public T Build<T>(PluginKind kind, ConfigSection section) where T : Plugin => _factory.Build<T>(kind, section, _ => this);

    public static ConfigSection Section(string name, string? type, params (string Key, string Value)[] parameters)
    {
        var section = new ConfigSection(name, "", "test.conf", 1);
        int line = 2;
        if (type is not null) section.Add(new ConfigParameter("@type", type, "test.conf", line++));
        foreach (var (k, v) in parameters) section.Add(new ConfigParameter(k, v, "test.conf", line++));
        return section;
    }

    private sealed class CapturingRouter(List<EventStream> sink) : IEventRouter
    {
        public void Emit(EventStream stream) => sink.Add(stream);
    }
}
