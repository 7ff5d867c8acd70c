using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;
using Microsoft.Extensions.Logging;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>
/// Keeps one <see cref="ShardReader"/> running per shard that may be read now. It lists the shards at start, every
/// <c>shard_sync_interval</c> (KCL: 60 s) and as soon as a reader reached its shard's end, and lets
/// <see cref="ShardLineage.Plan"/> decide which shards start where: children only after all their parents ended. State
/// of shards read to their end that left the listing is dropped; a shard that left it before being read to its end lost
/// records to the retention, which is logged as an error. A checkpoint older than the stream's retention is logged with
/// the gap and read from TRIM_HORIZON (the only case that rewinds there). <c>shard_ids</c> restricts the readers to a
/// set of shards (the others are another agent's).
/// </summary>
public sealed class ShardCoordinator
{
    private readonly IKinesisApi _api;
    private readonly KinesisStreamRef _stream;
    private readonly ShardCheckpointStore _store;
    private readonly InitialPosition _initial;
    private readonly DateTimeOffset? _initialTimestamp;
    private readonly IReadOnlySet<string>? _shardIds;
    private readonly TimeSpan _syncInterval;
    private readonly Func<ShardStart, ShardReader> _createReader;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, Task> _readers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly HashSet<string> _reportedVanished = new(StringComparer.Ordinal);
    private TimeSpan? _retention;

    public ShardCoordinator(IKinesisApi api, KinesisStreamRef stream, ShardCheckpointStore store, InitialPosition initial,
        DateTimeOffset? initialTimestamp, IReadOnlySet<string>? shardIds, TimeSpan syncInterval, Func<ShardStart, ShardReader> createReader,
        ILogger log, TimeProvider? clock = null)
    {
        _api = api;
        _stream = stream;
        _store = store;
        _initial = initial;
        _initialTimestamp = initialTimestamp;
        _shardIds = shardIds;
        _syncInterval = syncInterval;
        _createReader = createReader;
        _log = log;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Lists and starts readers until cancelled, then waits for the readers to stop.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1));
        try
        {
            _retention = await ReadRetentionAsync(cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan wait = _syncInterval;
                try
                {
                    var listed = await _api.ListShardsAsync(_stream, cancellationToken).ConfigureAwait(false);
                    Apply(listed, cancellationToken);
                    backoff.Reset();
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var retry = backoff.Next();
                    if (retry < wait) wait = retry;
                    _log.LogError("listing the shards of {Stream} failed ({Error}); trying again in {Wait:0.0}s", _stream.DisplayName, e.Message, wait.TotalSeconds);
                }
                // A reader at its shard's end releases the semaphore: its children are listed at once, not a minute later.
                await _wake.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                while (_wake.CurrentCount > 0) await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        Task[] running;
        lock (_readers) running = _readers.Values.ToArray();
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private void Apply(IReadOnlyList<KinesisShard> listed, CancellationToken cancellationToken)
    {
        HashSet<string> reading;
        lock (_readers)
        {
            foreach (var done in _readers.Where(r => r.Value.IsCompleted).Select(r => r.Key).ToList()) _readers.Remove(done);
            reading = new HashSet<string>(_readers.Keys, StringComparer.Ordinal);
        }
        if (_shardIds is not null) listed = listed.Where(s => _shardIds.Contains(s.ShardId) || !s.IsOpen && _shardIds.Overlaps(Descendants(s, listed))).ToList();
        var checkpoints = _store.Shards;
        var plan = ShardLineage.Plan(listed, checkpoints, _initial, _initialTimestamp, reading);
        if (plan.Finished.Count > 0)
        {
            _store.Remove(plan.Finished);
            _log.LogInformation("dropped the state of shards read to their end that left {Stream}: {Shards}", _stream.DisplayName, string.Join(", ", plan.Finished));
        }
        var vanished = plan.Vanished.Where(id => !reading.Contains(id) && (_shardIds is null || _shardIds.Contains(id))).ToList();
        foreach (var id in vanished)
        {
            if (!_reportedVanished.Add(id)) continue;
            var c = checkpoints[id];
            _log.LogError("shard {Shard} of {Stream} left the stream before it was read to its end (checkpoint {Sequence}, last record arrived {Arrival}): its remaining records were trimmed by the retention and are lost; its children are read from their start",
                id, _stream.DisplayName, c.SequenceNumber ?? "(none)", c.LastArrival?.ToString("O") ?? "unknown");
        }
        if (vanished.Count > 0) _store.Remove(vanished);
        foreach (var start in plan.Ready) StartReader(CheckRetention(start, checkpoints.GetValueOrDefault(start.ShardId)), cancellationToken);
    }

    /// <summary>Closed shards count for a shard set when a shard of the set descends from them (their records come first).</summary>
    private static IEnumerable<string> Descendants(KinesisShard shard, IReadOnlyList<KinesisShard> listed)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([shard.ShardId]);
        while (queue.TryDequeue(out var id))
            foreach (var child in listed.Where(s => s.ParentShardId == id || s.AdjacentParentShardId == id))
                if (found.Add(child.ShardId)) queue.Enqueue(child.ShardId);
        return found;
    }

    private ShardStart CheckRetention(ShardStart start, ShardCheckpoint? checkpoint)
    {
        if (_retention is not { } retention || checkpoint?.LastArrival is not { } last) return start;
        var horizon = _clock.GetUtcNow() - retention;
        if (last >= horizon) return start;
        _log.LogError("the checkpoint of shard {Shard} of {Stream} is older than the stream's retention of {Hours} h: records that arrived between {Last} and {Horizon} were trimmed before they were read and are lost; reading the shard from TRIM_HORIZON",
            start.ShardId, _stream.DisplayName, retention.TotalHours, last.ToString("O"), horizon.ToString("O"));
        return start with { Start = ShardIteratorStart.TrimHorizon, SkipThrough = null };
    }

    private void StartReader(ShardStart start, CancellationToken cancellationToken)
    {
        var reader = _createReader(start);
        var task = Task.Run(async () =>
        {
            try
            {
                await reader.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                _log.LogError(e, "the reader of shard {Shard} stopped: {Error}; it is started again at the next shard listing", start.ShardId, e.Message);
            }
            finally
            {
                _wake.Release();
            }
        }, CancellationToken.None);
        lock (_readers) _readers[start.ShardId] = task;
    }

    private async Task<TimeSpan?> ReadRetentionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var summary = await _api.DescribeStreamSummaryAsync(_stream, cancellationToken).ConfigureAwait(false);
            return summary.RetentionPeriodHours is { } hours ? TimeSpan.FromHours(hours) : null;
        }
        catch (AwsApiException e)
        {
            _log.LogWarning("DescribeStreamSummary of {Stream} failed ({Error}): checkpoints are not checked against the retention period", _stream.DisplayName, e.Message);
            return null;
        }
    }
}
