using LogAgent.Core.Config;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Support;

/// <summary>Builds an engine from config text with the test plugins registered and log lines captured.</summary>
public static class EngineFixture
{
    public static AgentEngine Build(string config, CapturingLoggerProvider? logs = null, TimeProvider? clock = null)
    {
        var registry = PluginRegistry.CreateWithBuiltIns();
        registry.RegisterAssembly(typeof(EngineFixture).Assembly, "tests");
        var factory = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null) b.AddProvider(logs);
        });
        var root = ConfigLoader.Parse(config, "test.conf", Path.GetTempPath());
        return AgentEngine.Build(root, new EngineOptions { LoggerFactory = factory, Registry = registry, Hostname = "web-1", Clock = clock ?? TimeProvider.System,
            // Never the shared temp default: parallel tests would see each other's dead letters.
            FallbackStateDirectory = Path.Combine(Path.GetTempPath(), "logagent-test-state-" + Guid.NewGuid().ToString("N")[..12]) });
    }

    /// <summary>
    /// Builds and starts the engine most buffer tests use: the manual input <c>in</c> routed to the
    /// <c>test_buffered</c> output <c>out</c>, with <paramref name="matchBody"/> (its parameters and &lt;buffer&gt;)
    /// inside <c>&lt;match **&gt;</c>, <paramref name="extra"/> after it, and an optional system root_dir.
    /// </summary>
    public static (AgentEngine Engine, ManualInput Input, TestBufferedOutput Output) StartManualToBuffered(string matchBody,
        string? extra = null, string? rootDir = null)
    {
        var engine = Build($"""
            <system>
              {(rootDir is null ? "" : "root_dir " + rootDir)}
            </system>
            <source>
              @type test_manual
              @id in
            </source>
            <match **>
              @type test_buffered
              @id out
            {matchBody}
            </match>
            {extra}
            """);
        engine.StartAsync(default).GetAwaiter().GetResult();
        return (engine, engine.Input("in"), engine.Output<TestBufferedOutput>("out"));
    }

    public static T Output<T>(this AgentEngine engine, string id) where T : class =>
        engine.Outputs.Concat(engine.Outputs.OfType<LogAgent.Core.Plugins.Outputs.CopyOutput>().SelectMany(c => c.Stores))
            .OfType<T>().Single(o => ((LogAgent.Sdk.Plugins.Plugin)(object)o).Id == id);

    public static ManualInput Input(this AgentEngine engine, string id) =>
        engine.Inputs.OfType<ManualInput>().Single(i => i.Id == id);
}

/// <summary>Keeps every log line written through it, for assertions on warnings.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<(string Category, LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Lines
    {
        get { lock (_lines) return _lines.ToList(); }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lines) owner._lines.Add((category, logLevel, formatter(state, exception)));
        }
    }
}
