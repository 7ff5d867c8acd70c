using System.Diagnostics;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>How a shard reader paces itself (the input's parameters).</summary>
public sealed record ShardReadSettings(int MaxRecordsPerCall, TimeSpan FetchInterval)
{
    /// <summary>5 GetRecords calls per second per shard is the service's limit (shared by every consumer of the shard).</summary>
    public static readonly TimeSpan MinCallInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Events emitted (and then checkpointed) at once: bounds what a crash can duplicate and what a refused
    /// emit holds, without an fsync per record. An aggregate is cut only between its user records.</summary>
    public int SliceEvents { get; init; } = 2000;
}

/// <summary>
/// Reads one shard from its start to its end (or until stopped): GetRecords at most 5 times a second, sleeping
/// <c>fetch_interval</c> when caught up, backing off with jitter on throttling (at least a second, as the service asks)
/// and on errors. What a page holds is decoded and emitted in slices; a slice's checkpoint is saved only after every
/// emit of its events returned — i.e. every matching output's buffer took them — so a crash repeats at most the slice
/// in flight and loses nothing. A refused emit (a full buffer with <c>overflow_action throw_exception</c>) is retried
/// after a wait, and no further page is fetched meanwhile; under <c>block</c> the emit itself waits. That is the
/// backpressure: memory stays bounded by one page per shard. An expired iterator (5 minutes, e.g. after such a stall)
/// is fetched again from the checkpoint, never from the stream's start. At the shard's end the checkpoint becomes
/// SHARD_END and the reader returns, which has the coordinator list the shards and start the children.
/// </summary>
public sealed class ShardReader
{
    private static readonly TimeSpan ThrottleBase = TimeSpan.FromSeconds(1); // the service: "wait 1 second between calls"
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(30);

    private readonly IKinesisApi _api;
    private readonly KinesisStreamRef _stream;
    private readonly ShardStart _start;
    private readonly ShardCheckpointStore _store;
    private readonly ConsumedRecordDecoder _decoder;
    private readonly IEventRouter _router;
    private readonly ILogger _log;
    private readonly ShardReadMetrics _metrics;
    private readonly ShardReadSettings _settings;
    private readonly TimeProvider _clock;
    private readonly Backoff _throttleBackoff = new(ThrottleBase);
    private readonly Backoff _errorBackoff = new(TimeSpan.FromSeconds(0.5));
    private readonly Backoff _emitBackoff = new(TimeSpan.FromSeconds(0.1));
    private (string Sequence, long Through)? _skip;
    private long _lastCall;
    private DateTimeOffset _lastEmitWarning = DateTimeOffset.MinValue;

    public ShardReader(IKinesisApi api, KinesisStreamRef stream, ShardStart start, ShardCheckpointStore store, ConsumedRecordDecoder decoder,
        IEventRouter router, ILogger log, ShardReadMetrics metrics, ShardReadSettings settings, TimeProvider? clock = null)
    {
        _api = api;
        _stream = stream;
        _start = start;
        _store = store;
        _decoder = decoder;
        _router = router;
        _log = log;
        _metrics = metrics;
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
    }

    public string ShardId => _start.ShardId;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metrics.Retire();
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        _skip = _start.SkipThrough is { } through ? (_start.Start.SequenceNumber!, through) : null;
        var iterator = await GetIteratorAsync(_start.Start, cancellationToken).ConfigureAwait(false);
        if (iterator is null) return;
        _log.LogInformation("reading shard {Shard} of {Stream} from {Start}", ShardId, _stream.DisplayName, _start.Start);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await PaceAsync(cancellationToken).ConfigureAwait(false);
            GetRecordsResult page;
            try
            {
                _metrics.GetRecordsCalls.Increment();
                page = await _api.GetRecordsAsync(_stream, iterator, _settings.MaxRecordsPerCall, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsApiException e) when (e.ErrorCode == "ExpiredIteratorException")
            {
                _metrics.IteratorRenewals.Increment();
                var resume = ResumePoint();
                _log.LogInformation("shard {Shard}: the iterator expired; fetching a new one at the checkpoint ({Start})", ShardId, resume);
                iterator = await GetIteratorAsync(resume, cancellationToken).ConfigureAwait(false);
                if (iterator is null) return;
                continue;
            }
            catch (AwsApiException e) when (e.IsThrottling)
            {
                _metrics.Throttles.Increment();
                await WaitAsync(_throttleBackoff, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var wait = Cap(_errorBackoff.Next());
                _log.LogWarning("shard {Shard}: GetRecords failed ({Error}); trying again in {Wait:0.0}s", ShardId, e.Message, wait.TotalSeconds);
                await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
                continue;
            }
            _throttleBackoff.Reset();
            _errorBackoff.Reset();
            _metrics.RecordsRead.Add(page.Records.Count);
            _metrics.BytesRead.Add(page.DataBytes);
            if (page.MillisBehindLatest is { } behind) _metrics.MillisBehindLatest.Set(behind);

            await EmitPageAsync(page, cancellationToken).ConfigureAwait(false);

            if (page.ShardEnded)
            {
                MarkEnded();
                return;
            }
            iterator = page.NextShardIterator!;
            bool caughtUp = page.Records.Count < _settings.MaxRecordsPerCall && (page.MillisBehindLatest ?? 0) == 0;
            if (caughtUp) await Task.Delay(_settings.FetchInterval, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Emits a page's events slice by slice, each slice's checkpoint saved after its emit returned.</summary>
    private async Task EmitPageAsync(GetRecordsResult page, CancellationToken cancellationToken)
    {
        var pending = new List<ConsumedEvent>();
        (string Sequence, long? Sub, DateTimeOffset? Arrival)? position = null;
        foreach (var record in page.Records)
        {
            var subRecords = _decoder.Decode(record, ShardId);
            // AT_SEQUENCE_NUMBER starts at the aggregate emitted in part: its first sub-records were emitted before.
            long? skipThrough = _skip is { } skip && skip.Sequence == record.SequenceNumber ? skip.Through : null;
            _skip = null;
            for (int i = 0; i < subRecords.Count; i++)
            {
                if (skipThrough is { } through && subRecords[i].SubSequence <= through) continue;
                pending.AddRange(subRecords[i].Events);
                if (pending.Count >= _settings.SliceEvents && i < subRecords.Count - 1)
                {
                    await CommitAsync(pending, (record.SequenceNumber, subRecords[i].SubSequence, record.ApproximateArrivalTimestamp), cancellationToken).ConfigureAwait(false);
                    pending.Clear();
                }
            }
            position = (record.SequenceNumber, null, record.ApproximateArrivalTimestamp);
            if (pending.Count >= _settings.SliceEvents)
            {
                await CommitAsync(pending, position.Value, cancellationToken).ConfigureAwait(false);
                pending.Clear();
                position = null;
            }
        }
        if (position is { } last) await CommitAsync(pending, last, cancellationToken).ConfigureAwait(false);
    }

    private async Task CommitAsync(List<ConsumedEvent> events, (string Sequence, long? Sub, DateTimeOffset? Arrival) position, CancellationToken cancellationToken)
    {
        var streams = Group(events);
        for (int i = 0; i < streams.Count;)
        {
            try
            {
                _router.Emit(streams[i]);
                i++;
                _emitBackoff.Reset();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not accepted (a buffer full under throw_exception, an output refusing): keep the events and the
                // checkpoint where they are, wait, and offer the same events again. Nothing further is fetched meanwhile.
                var wait = _emitBackoff.Next();
                if (wait > TimeSpan.FromSeconds(5)) wait = TimeSpan.FromSeconds(5);
                var now = _clock.GetUtcNow();
                if (now - _lastEmitWarning >= WarningInterval)
                {
                    _lastEmitWarning = now;
                    _log.LogWarning("shard {Shard}: {Count} events tagged {Tag} were not accepted ({Error}); holding them and the checkpoint at {Sequence}, retrying until they are",
                        ShardId, streams[i].Count, streams[i].Tag, e.Message, _store.Get(ShardId)?.SequenceNumber ?? "(none yet)");
                }
                await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
            }
        }
        _metrics.EventsEmitted.Add(events.Count);
        Save(new ShardCheckpoint(ShardProgress.Open, position.Sequence, position.Sub, _start.Parents, position.Arrival, _clock.GetUtcNow()));
    }

    private void MarkEnded()
    {
        var last = _store.Get(ShardId);
        Save(new ShardCheckpoint(ShardProgress.ShardEnd, last?.SequenceNumber, null, _start.Parents, last?.LastArrival, _clock.GetUtcNow()));
        _log.LogInformation("shard {Shard} of {Stream} was read to its end", ShardId, _stream.DisplayName);
    }

    private void Save(ShardCheckpoint checkpoint)
    {
        try
        {
            _store.Set(ShardId, checkpoint);
            _metrics.CheckpointSaved(checkpoint.SavedAt);
        }
        catch (IOException e)
        {
            // The events are emitted; only the record of it failed (disk full, say). A crash now repeats them on restart,
            // and the next save writes the whole state again.
            _log.LogError("shard {Shard}: saving the checkpoint in {Path} failed ({Error}); a restart before the next save repeats these records", ShardId, _store.Path, e.Message);
        }
    }

    /// <summary>Where a new iterator starts: after the checkpoint, at it for an aggregate emitted in part, else the shard's start.</summary>
    private ShardIteratorStart ResumePoint()
    {
        if (_store.Get(ShardId) is { SequenceNumber: { } sequence } checkpoint)
        {
            if (checkpoint.SubSequenceNumber is { } sub)
            {
                _skip = (sequence, sub);
                return ShardIteratorStart.At(sequence);
            }
            _skip = null;
            return ShardIteratorStart.After(sequence);
        }
        _skip = _start.SkipThrough is { } through ? (_start.Start.SequenceNumber!, through) : null;
        return _start.Start;
    }

    /// <summary>An iterator at <paramref name="start"/>, retried through throttling and errors; null when the shard no longer exists.</summary>
    private async Task<string?> GetIteratorAsync(ShardIteratorStart start, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(ThrottleBase);
        while (true)
        {
            try
            {
                return await _api.GetShardIteratorAsync(_stream, ShardId, start, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsApiException e) when (e.ErrorCode == "ResourceNotFoundException")
            {
                _log.LogError("shard {Shard} of {Stream}: {Error}; the shard is left to the next shard listing", ShardId, _stream.DisplayName, e.Message);
                return null;
            }
            catch (AwsApiException e) when (e.IsThrottling)
            {
                _metrics.Throttles.Increment();
                await WaitAsync(backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var wait = Cap(backoff.Next());
                _log.LogWarning("shard {Shard}: GetShardIterator {Start} failed ({Error}); trying again in {Wait:0.0}s", ShardId, start, e.Message, wait.TotalSeconds);
                await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        var since = Stopwatch.GetElapsedTime(_lastCall);
        if (_lastCall != 0 && since < ShardReadSettings.MinCallInterval)
            await Task.Delay(ShardReadSettings.MinCallInterval - since, _clock, cancellationToken).ConfigureAwait(false);
        _lastCall = Stopwatch.GetTimestamp();
    }

    private Task WaitAsync(Backoff backoff, CancellationToken cancellationToken) =>
        Task.Delay(Cap(backoff.Next()), _clock, cancellationToken);

    private static TimeSpan Cap(TimeSpan wait) => wait > MaxWait ? MaxWait : wait;

    /// <summary>Consecutive events of one tag become one stream (the router matches a stream once).</summary>
    private static List<EventStream> Group(List<ConsumedEvent> events)
    {
        var streams = new List<EventStream>();
        EventStreamBuilder? builder = null;
        foreach (var e in events)
        {
            if (builder is null || builder.Tag != e.Tag)
            {
                if (builder is not null) streams.Add(builder.Build());
                builder = new EventStreamBuilder(e.Tag);
            }
            builder.Add(e.Time, e.Record);
        }
        if (builder is not null) streams.Add(builder.Build());
        return streams;
    }
}
