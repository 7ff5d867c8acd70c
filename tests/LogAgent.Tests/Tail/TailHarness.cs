using LogAgent.Core.Engine;
using LogAgent.Core.Plugins.Inputs.Tail;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Tail;

/// <summary>
/// A running engine with one tail source (the given body) whose events land in a test_capture output, over a
/// temporary directory; for the in-process tail tests.
/// </summary>
public sealed class TailHarness : IAsyncDisposable
{
    private bool _stopped;

    private TailHarness(TempDirectory directory, AgentEngine engine, CapturingLoggerProvider logs)
    {
        Directory = directory;
        Engine = engine;
        Logs = logs;
    }

    public TempDirectory Directory { get; }
    public AgentEngine Engine { get; }
    public CapturingLoggerProvider Logs { get; }
    public CaptureOutput Output => Engine.Output<CaptureOutput>("out");
    public TailInput Input => Engine.Inputs.OfType<TailInput>().Single();

    public string File(string name) => Directory.File(name);

    /// <summary>Starts an engine; <paramref name="source"/> is the inside of &lt;source&gt;, with {dir} for the directory.</summary>
    public static async Task<TailHarness> StartAsync(string source, TempDirectory? directory = null, string match = "**")
    {
        directory ??= new TempDirectory();
        var logs = new CapturingLoggerProvider();
        var config = $"""
            <source>
              @type tail
              {source.Replace("{dir}", directory.Path)}
            </source>
            <match {match}>
              @type test_capture
              @id out
            </match>
            """;
        var engine = EngineFixture.Build(config, logs);
        await engine.StartAsync(CancellationToken.None);
        return new TailHarness(directory, engine, logs);
    }

    /// <summary>The "message" field of every event captured so far, in arrival order.</summary>
    public List<string> Messages(string key = "message") =>
        Output.Events.Select(e => e.Record.TryGetValue(key, out var v) ? v?.ToString() ?? "" : "").ToList();

    public Task WaitForCount(int count, int seconds = 20) =>
        Eventually.True(() => Output.Events.Count >= count, TimeSpan.FromSeconds(seconds),
            () => $"{Output.Events.Count} of {count} events; last: {string.Join(" | ", Messages().TakeLast(3))}");

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await Engine.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Dispose();
    }
}
