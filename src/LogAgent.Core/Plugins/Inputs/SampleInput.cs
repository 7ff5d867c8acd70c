using System.Text.Json;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs;

/// <summary>
/// Generates sample events (fluentd's in_sample, formerly in_dummy): <c>rate</c> emissions a second, each of
/// <c>size</c> events, cycling through the <c>sample</c> records.
/// </summary>
[Plugin(PluginKind.Input, "sample", "Generates sample events at a fixed rate, for trying out a pipeline.", Aliases = new[] { "dummy" })]
public sealed class SampleInput : InputPlugin
{
    // in_sample.rb spreads each second's emissions over 10 slots so a high rate is not one burst.
    private const int SlotsPerSecond = 10;

    private Record[] _samples = Array.Empty<Record>();
    private long _counter;
    private int _next;
    private CancellationTokenSource? _stopping;
    private Task? _loop;

    [Parameter("tag", "The tag of the generated events.")]
    public string Tag { get; set; } = "sample";

    [Parameter("rate", "Emissions per second.")]
    public int Rate { get; set; } = 1;

    [Parameter("size", "Events per emission.")]
    public int Size { get; set; } = 1;

    [Parameter("auto_increment_key", "If set, each record gets this key with an increasing number starting at 0.")]
    public string? AutoIncrementKey { get; set; }

    [Parameter("suspend", "Accepted for compatibility: the counter is not persisted across restarts.")]
    public bool Suspend { get; set; }

    [Parameter("sample", "A JSON object, or a JSON array of objects used in turn.", Aliases = new[] { "dummy" })]
    public string Sample { get; set; } = "[{\"message\":\"sample\"}]";

    /// <summary>Emissions in total before the input stops emitting (0: unlimited). A LogAgent addition for tests and benchmarks.</summary>
    [Parameter("max_emits", "Stop emitting after this many emissions (0: never). LogAgent addition, for tests and benchmarks.")]
    public long MaxEmits { get; set; }

    public override void Configure(ConfigSection config)
    {
        if (Rate < 1) throw new ConfigException("rate must be at least 1", config.Find("rate") is { } r ? r.File : config.File, config.Find("rate")?.Line ?? config.Line);
        if (Size < 1) throw new ConfigException("size must be at least 1", config.Find("size") is { } s ? s.File : config.File, config.Find("size")?.Line ?? config.Line);
        _samples = ParseSamples(Sample, config);
    }

    private static Record[] ParseSamples(string json, ConfigSection config)
    {
        var at = config.Find("sample") ?? config.Find("dummy");
        try
        {
            var parsed = RecordJson.Parse(json);
            var elements = parsed as List<object?> ?? new List<object?> { parsed };
            if (elements.Count == 0 || elements.Any(e => e is not Record))
                throw new ConfigException("sample must be a JSON object or a non-empty array of objects", at?.File ?? config.File, at?.Line ?? config.Line);
            return elements.Cast<Record>().ToArray();
        }
        catch (JsonException e)
        {
            throw new ConfigException($"sample is not valid JSON: {e.Message}", at?.File ?? config.File, at?.Line ?? config.Line);
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        long emits = 0;
        int perSlot = Rate / SlotsPerSecond, residual = Rate % SlotsPerSecond;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / SlotsPerSecond));
        int slot = 0;
        try
        {
            do
            {
                int count = perSlot + (slot == SlotsPerSecond - 1 ? residual : 0);
                slot = (slot + 1) % SlotsPerSecond;
                for (int i = 0; i < count && !stopping.IsCancellationRequested; i++)
                {
                    if (MaxEmits > 0 && emits >= MaxEmits) return;
                    EmitOnce();
                    emits++;
                }
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) { }
    }

    private void EmitOnce()
    {
        var builder = new EventStreamBuilder(Tag);
        for (int i = 0; i < Size; i++) builder.Add(EventTime.Now, Next());
        try
        {
            Context.Router.Emit(builder.Build());
        }
        catch (Exception e)
        {
            Log.LogError("emit failed: {Error}", e.Message);
        }
    }

    private Record Next()
    {
        var record = new Record(_samples[_next]);
        _next = (_next + 1) % _samples.Length;
        if (AutoIncrementKey is { } key) record[key] = _counter++;
        return record;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping?.Cancel();
        if (_loop is not null) await _loop.WaitAsync(cancellationToken);
    }
}
