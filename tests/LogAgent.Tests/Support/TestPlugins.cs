using System.Collections.Concurrent;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Tests.Support;

/// <summary>An input the test drives: <c>Emit</c> sends through the router the engine gave it.</summary>
[Plugin(PluginKind.Input, "test_manual", "test input")]
public sealed class ManualInput : InputPlugin
{
    [Parameter("journal", "lifecycle journal name")] public string? Journal { get; set; }

    public void Emit(string tag, params Record[] records)
    {
        var builder = new EventStreamBuilder(tag);
        uint t = 1;
        foreach (var r in records) builder.Add(new EventTime(t++, 0), r);
        Context.Router.Emit(builder.Build());
    }

    public override Task StartAsync(CancellationToken ct) { Journals.Note(Journal, $"start {Id}"); return Task.CompletedTask; }
    public override Task StopAsync(CancellationToken ct) { Journals.Note(Journal, $"stop {Id}"); return Task.CompletedTask; }
    public override Task ShutdownAsync(CancellationToken ct) { Journals.Note(Journal, $"shutdown {Id}"); return Task.CompletedTask; }
}

/// <summary>An output that keeps what it receives.</summary>
[Plugin(PluginKind.Output, "test_capture", "test output")]
public sealed class CaptureOutput : OutputPlugin
{
    private readonly ConcurrentQueue<(string Tag, EventTime Time, Record Record)> _events = new();

    [Parameter("journal", "lifecycle journal name")] public string? Journal { get; set; }
    [Parameter("fail", "throw on emit")] public bool Fail { get; set; }

    public IReadOnlyList<(string Tag, EventTime Time, Record Record)> Events => _events.ToList();

    public override void Emit(EventStream stream)
    {
        if (Fail) throw new IOException($"{Id} is down");
        foreach (var e in stream) _events.Enqueue((stream.Tag, e.Time, e.DecodeRecord()));
    }

    public override Task StartAsync(CancellationToken ct) { Journals.Note(Journal, $"start {Id}"); return Task.CompletedTask; }
    public override Task StopAsync(CancellationToken ct) { Journals.Note(Journal, $"stop {Id}"); return Task.CompletedTask; }
    public override Task ShutdownAsync(CancellationToken ct) { Journals.Note(Journal, $"shutdown {Id}"); return Task.CompletedTask; }
}

/// <summary>A filter that appends its id to the record's "path" so tests see which filters ran, in order.</summary>
[Plugin(PluginKind.Filter, "test_mark", "test filter")]
public sealed class MarkFilter : FilterPlugin
{
    [Parameter("journal", "lifecycle journal name")] public string? Journal { get; set; }
    [Parameter("reject", "send every record to the error stream")] public bool Reject { get; set; }

    public override Record? FilterRecord(string tag, EventTime time, Record record)
    {
        if (Reject) throw new InvalidDataException($"{Id} rejects {tag}");
        record["path"] = (record.TryGetValue("path", out var p) ? p + ">" : "") + Id;
        return record;
    }

    public override Task StartAsync(CancellationToken ct) { Journals.Note(Journal, $"start {Id}"); return Task.CompletedTask; }
    public override Task StopAsync(CancellationToken ct) { Journals.Note(Journal, $"stop {Id}"); return Task.CompletedTask; }
}

/// <summary>A filter that passes records through and counts them in its own plugin metrics: <c>records_seen</c>, and
/// <c>records_by_tag.TAG</c> (a counter per tag, named like the Kinesis outputs' <c>records_failed.CODE</c>), and the
/// gauge <c>last_record_keys</c>: how many keys the last record had (it goes down as well as up).</summary>
[Plugin(PluginKind.Filter, "test_counting", "test filter")]
public sealed class CountingFilter : FilterPlugin
{
    public override Record? FilterRecord(string tag, EventTime time, Record record)
    {
        Context.Metrics.Counter("records_seen").Increment();
        Context.Metrics.Counter("records_by_tag." + tag).Increment();
        Context.Metrics.Gauge("last_record_keys").Set(record.Count);
        return record;
    }
}

/// <summary>Named lists of lifecycle calls, so a test can assert the order the engine drove.</summary>
public static class Journals
{
    private static readonly ConcurrentDictionary<string, List<string>> All = new();

    public static List<string> Get(string name) => All.GetOrAdd(name, _ => new List<string>());

    public static void Note(string? name, string entry)
    {
        if (name is null) return;
        var list = Get(name);
        lock (list) list.Add(entry);
    }
}
