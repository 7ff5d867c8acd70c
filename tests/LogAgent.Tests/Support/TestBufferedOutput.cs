using System.Collections.Concurrent;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Tests.Support;

/// <summary>
/// A buffered output whose destination the test controls: it can be down (throw), refuse chunks of one tag
/// forever (a poison chunk), refuse with an unrecoverable error, or confirm writes later (delayed commit).
/// </summary>
[Plugin(PluginKind.Output, "test_buffered", "test buffered output")]
public sealed class TestBufferedOutput : BufferedOutputPlugin
{
    private readonly ConcurrentQueue<(string Tag, EventTime Time, Record Record, string ChunkId)> _delivered = new();
    private readonly ConcurrentQueue<string> _pendingCommits = new();
    private int _attempts;

    [Parameter("down", "destination down at start")] public bool Down { get; set; }
    [Parameter("poison_tag", "chunks of this tag always fail")] public string? PoisonTag { get; set; }
    [Parameter("unrecoverable_tag", "chunks of this tag fail unrecoverably")] public string? UnrecoverableTag { get; set; }
    [Parameter("delayed_commit", "confirm writes only when the test says so")] public bool DelayedCommit { get; set; }
    [Parameter("partial_after", "deliver only this many records of a chunk, then report the rest as failed")] public int PartialAfter { get; set; }

    public volatile bool IsDown;
    public int Attempts => Volatile.Read(ref _attempts);
    public IReadOnlyList<(string Tag, EventTime Time, Record Record, string ChunkId)> Delivered => _delivered.ToList();

    public override BufferDefaults BufferDefaults => new() { FlushInterval = 0.1 };
    public override bool UsesDelayedCommit => DelayedCommit;

    public override void Configure(ConfigSection config) => IsDown = Down;

    public override Task WriteAsync(BufferChunk chunk, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (IsDown) throw new IOException("destination is down");
        var entries = new List<ChunkEntry>();
        foreach (var e in chunk) entries.Add(e);
        if (UnrecoverableTag is { } u && entries.Any(e => e.Tag == u)) throw new UnrecoverableWriteException($"{u} is never accepted");
        if (PoisonTag is { } p && entries.Any(e => e.Tag == p)) throw new InvalidDataException($"{p} chunk fails");
        if (PartialAfter > 0 && entries.Count > PartialAfter)
        {
            foreach (var e in entries.Take(PartialAfter)) _delivered.Enqueue((e.Tag, e.Time, e.DecodeRecord(), chunk.UniqueId));
            // The rest, in the chunk's own format: this output's chunks are tag-keyed, so [time, record] entries.
            var rest = new EventStreamBuilder(chunk.Metadata.Tag ?? "");
            foreach (var e in entries.Skip(PartialAfter)) rest.AddRaw(e.Time, e.RecordBytes.Span);
            PartialAfter = 0; // the next attempt succeeds
            var remaining = rest.Build();
            throw new PartialWriteException("throttled", remaining.Entries, remaining.Count);
        }
        foreach (var e in entries) _delivered.Enqueue((e.Tag, e.Time, e.DecodeRecord(), chunk.UniqueId));
        _writeTimes.Enqueue(DateTimeOffset.UtcNow);
        return Task.CompletedTask;
    }

    private readonly ConcurrentQueue<DateTimeOffset> _writeTimes = new();
    /// <summary>When each successful WriteAsync happened (wall clock), for flush timing.</summary>
    public IReadOnlyList<DateTimeOffset> WriteTimes => _writeTimes.ToList();

    public override Task TryWriteAsync(BufferChunk chunk, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (IsDown) throw new IOException("destination is down");
        foreach (var e in chunk) _delivered.Enqueue((e.Tag, e.Time, e.DecodeRecord(), chunk.UniqueId));
        _pendingCommits.Enqueue(chunk.UniqueId);
        return Task.CompletedTask;
    }

    /// <summary>Confirms (or rolls back) every write waiting for confirmation; returns how many.</summary>
    public int ConfirmPending(bool success)
    {
        int n = 0;
        while (_pendingCommits.TryDequeue(out var id))
        {
            if (success) CommitWrite(id); else RollbackWrite(id, new IOException("no ack"));
            n++;
        }
        return n;
    }

    public int PendingCount => _pendingCommits.Count;
}
