using System.Collections.Concurrent;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Buffers;

/// <summary>
/// Drives one buffered output (fluentd's Output flush threads, lib/fluent/plugin/output.rb): queues due chunks,
/// writes them through the plugin, retries failures with backoff, and hands a chunk that cannot be delivered to the
/// secondary, the @ERROR label or the dead-letter directory — never drops it.
/// <para>Retry accounting is per output (how long to wait: the destination is down) and per chunk (when to give
/// up on one chunk). A failed chunk is retried first, so order between chunks is kept, until it has failed
/// <see cref="FailuresBeforeTryingAnother"/> times in a row; then it goes to the back of the queue and the next
/// chunk is tried. So one poison chunk cannot hold the others back (fluent/fluentd#4258, #2123), and only that chunk
/// is handed off when its own retries run out.</para>
/// </summary>
public sealed class BufferedOutputRunner : IChunkSink
{
    private readonly BufferedOutputPlugin _output;
    private readonly OutputBuffer _buffer;
    private readonly BufferConfig _config;
    private readonly RetryPolicy _policy;
    private readonly ChunkHandOff _handOff;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly object _retryLock = new();
    private readonly Dictionary<string, RetryState> _chunkRetries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (StoredChunk Chunk, DateTimeOffset Deadline)> _awaitingCommit = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private RetryState? _retry;

    /// <summary>Consecutive failures of one chunk after which the next chunk in the queue is tried instead.</summary>
    public const int FailuresBeforeTryingAnother = 3;
    private CancellationTokenSource? _stopping;
    private Task[] _loops = Array.Empty<Task>();

    public BufferedOutputRunner(BufferedOutputPlugin output, OutputBuffer buffer, BufferConfig config, RetryPolicy policy,
        ChunkHandOff handOff, ILogger log, TimeProvider clock)
    {
        _output = output;
        _buffer = buffer;
        _config = config;
        _policy = policy;
        _handOff = handOff;
        _log = log;
        _clock = clock;
        // A full chunk (or one queued in immediate mode) is written now, not at the next flush_thread_interval tick.
        _buffer.ChunkQueued = Wake;
        // A new staged chunk may fall due before the current idle wait ends: the threads wait again for its time.
        _buffer.ChunkStaged = Wake;
    }

    public OutputBuffer Buffer => _buffer;
    public ChunkHandOff HandOff => _handOff;
    public OutputMetrics Metrics => _buffer.Metrics;
    public string OutputId => _output.Id ?? "?";
    /// <summary>The output plugin's class: a reload carries chunks only to an output of the same @id and class.</summary>
    public Type OutputClass => _output.GetType();

    /// <summary>The output-level retry state read under its lock (a RetryState is not thread-safe); null when not retrying.</summary>
    public RetryStatus? ReadRetry()
    {
        lock (_retryLock) return _retry is null ? null : new RetryStatus(_retry.Start, _retry.Steps, _retry.NextTime);
    }

    public void Append(EventStream stream) => _buffer.Write(stream);

    public void Start()
    {
        _buffer.Resume();
        _stopping = new CancellationTokenSource();
        _loops = Enumerable.Range(0, Math.Max(1, _config.FlushThreadCount))
            .Select(i => Task.Run(() => FlushLoopAsync(i, _stopping.Token)))
            .ToArray();
    }

    private TimeSpan Seconds(double s) => TimeSpan.FromSeconds(Math.Max(s, 0.001));

    /// <summary>
    /// Nothing to write: sleep flush_thread_interval, or less when a staged chunk falls due sooner. fluentd polls at
    /// flush_thread_interval, so its flush_interval 1s chunks go out 1.0 s after creation on average; waking at the
    /// due time itself sends them no later than fluentd's rule allows and never before.
    /// </summary>
    private TimeSpan IdleWait()
    {
        var idle = Seconds(_config.FlushThreadInterval);
        // A chunk already due but still staged (the queue is at queued_chunks_limit_size, or queuing it failed)
        // waits the normal interval rather than spinning.
        var now = _clock.GetUtcNow();
        if (_buffer.NextDueAt() is { } due && due > now && due - now + TimeSpan.FromMilliseconds(1) < idle)
            idle = due - now + TimeSpan.FromMilliseconds(1);
        return idle;
    }

    private async Task FlushLoopAsync(int index, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                _buffer.EnqueueDue();
                if (index == 0)
                {
                    RollBackExpiredCommits();
                    _handOff.AdoptReplayedChunks(_buffer);
                }
                var wait = RetryWaitRemaining();
                if (wait > TimeSpan.Zero)
                {
                    await WaitAsync(wait < Seconds(_config.FlushThreadInterval) ? wait : Seconds(_config.FlushThreadInterval), stopping);
                    continue;
                }
                var chunk = _buffer.Dequeue();
                if (chunk is null)
                {
                    await WaitAsync(IdleWait(), stopping);
                    continue;
                }
                // The next queued chunk goes out at once: a chunk is queued because it is full (or due), and
                // waiting flush_thread_burst_interval between writes would cap the output at one chunk per
                // interval once the input stops waking the thread (fluentd's emit_buffered wakes a flush thread on
                // every emit while chunks are queued, so under load it too writes back to back). A failed write
                // waits out the retry backoff at the top of the loop instead.
                await FlushAsync(chunk, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _log.LogError("flush thread {Index} of {Output}: unexpected error: {Error}", index, OutputId, e);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await _wake.WaitAsync(delay, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Wakes the flush threads now (tests, and after a commit that frees the output).</summary>
    public void Wake()
    {
        // One pending wake-up per flush thread is enough; more would only make the loops spin.
        if (_wake.CurrentCount < Math.Max(1, _config.FlushThreadCount)) _wake.Release();
    }

    private TimeSpan RetryWaitRemaining()
    {
        lock (_retryLock)
        {
            if (_retry is null) return TimeSpan.Zero;
            var remaining = _retry.NextTime - _clock.GetUtcNow();
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }
    }

    /// <summary>Writes one chunk: to the primary, or to the secondary once the retry state says so.</summary>
    internal async Task FlushAsync(StoredChunk chunk, CancellationToken cancellationToken)
    {
        bool toSecondary;
        lock (_retryLock) toSecondary = _retry?.IsSecondary == true && _handOff.HasSecondary;
        if (toSecondary)
        {
            if (await _handOff.TryWriteSecondaryAsync(chunk, cancellationToken))
            {
                _log.LogWarning("retry succeeded by secondary. chunk_id=\"{Id}\"", chunk.UniqueId);
                Succeeded(chunk);
                return;
            }
            await FailedAsync(chunk, new IOException("secondary failed too"));
            return;
        }

        var started = _clock.GetUtcNow();
        try
        {
            if (_output.UsesDelayedCommit)
            {
                _awaitingCommit[chunk.UniqueId] = (chunk, started.AddSeconds(_config.DelayedCommitTimeout));
                await _output.TryWriteAsync(chunk, cancellationToken);
                return; // Commit or Rollback (or the timeout) finishes it
            }
            await _output.WriteAsync(chunk, cancellationToken);
            Succeeded(chunk);
        }
        catch (UnrecoverableWriteException e)
        {
            _awaitingCommit.TryRemove(chunk.UniqueId, out _);
            _log.LogError("got unrecoverable error in primary and no retry: chunk_id=\"{Id}\" error_class={Class} error=\"{Error}\"",
                chunk.UniqueId, e.GetType().Name, e.Message);
            await HandOffAsync(chunk, e, unrecoverable: true, cancellationToken);
        }
        catch (PartialWriteException e)
        {
            _awaitingCommit.TryRemove(chunk.UniqueId, out _);
            Metrics.Written();
            _log.LogWarning("chunk partly written: {Remaining} of {Total} records go back to the queue chunk_id=\"{Id}\": {Error}",
                e.RemainingCount, chunk.RecordCount, chunk.UniqueId, e.Message);
            _buffer.ReplaceWithRemainder(chunk, e.RemainingEntries.Span, e.RemainingCount);
            RecordOutputFailure(chunk.UniqueId, e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _awaitingCommit.TryRemove(chunk.UniqueId, out _);
            await FailedAsync(chunk, e);
        }
        finally
        {
            // output.rb check_slow_flush: every write's time is summed (flush_time_count, ms); one over
            // slow_flush_log_threshold (20 s) is a slow flush.
            var took = _clock.GetUtcNow() - started;
            Metrics.Flushed(took);
            if (took > TimeSpan.FromSeconds(20)) Metrics.SlowFlush();
        }
    }

    private void Succeeded(StoredChunk chunk)
    {
        _buffer.Purge(chunk);
        Metrics.Written();
        lock (_retryLock)
        {
            _chunkRetries.Remove(chunk.UniqueId);
            if (_retry is not null)
                _log.LogWarning("retry succeeded. chunk_id=\"{Id}\"", chunk.UniqueId);
            _retry = null;
        }
    }

    private async Task FailedAsync(StoredChunk chunk, Exception error)
    {
        Metrics.RolledBack();
        try
        {
            chunk.RecordRetry();
        }
        catch (IOException e)
        {
            _log.LogError("cannot record the retry count of chunk {Id}: {Error}", chunk.UniqueId, e.Message);
        }
        bool giveUp, tryAnother;
        lock (_retryLock)
        {
            RecordOutputFailure(chunk.UniqueId, error);
            if (_chunkRetries.TryGetValue(chunk.UniqueId, out var own)) own.Step();
            else _chunkRetries[chunk.UniqueId] = own = new RetryState(_policy, _handOff.HasSecondary, _clock);
            giveUp = own.IsLimitReached || (_policy.RetryMaxTimes is { } max && chunk.RetryCount > max && !_policy.RetryForever);
            tryAnother = (own.Steps + 1) % FailuresBeforeTryingAnother == 0;
        }
        if (giveUp)
        {
            _log.LogError("failed to flush the buffer, and hit limit for retries: chunk_id=\"{Id}\" retries={Retries}; handing it off",
                chunk.UniqueId, chunk.RetryCount);
            await HandOffAsync(chunk, error, unrecoverable: false, CancellationToken.None);
            lock (_retryLock) _chunkRetries.Remove(chunk.UniqueId);
            return;
        }
        _buffer.Takeback(chunk, toBack: tryAnother);
    }

    private void RecordOutputFailure(string chunkId, Exception error)
    {
        lock (_retryLock)
        {
            if (_retry is null) _retry = new RetryState(_policy, _handOff.HasSecondary, _clock);
            // output.rb update_retry_state: several flush threads may fail within one wait; only a failure after
            // the planned retry time counts as a step, the others just recompute the time.
            else if (_clock.GetUtcNow() >= _retry.NextTime) _retry.Step();
            else _retry.RecalcNextTime();
            Metrics.Retried();
            _log.LogWarning("failed to flush the buffer. retry_times={Steps} next_retry_time={Next:yyyy-MM-dd HH:mm:ss zzz} chunk=\"{Id}\" error_class={Class} error=\"{Error}\"",
                _retry.Steps, _retry.NextTime.ToLocalTime(), chunkId, error.GetType().Name, error.Message);
            if (_retry.IsLimitReached)
            {
                // The output as a whole has failed for retry_timeout: start a fresh backoff; each chunk's own
                // limit decides when it is handed off.
                _retry = new RetryState(_policy, _handOff.HasSecondary, _clock);
            }
        }
    }

    private async Task HandOffAsync(StoredChunk chunk, Exception reason, bool unrecoverable, CancellationToken cancellationToken)
    {
        if (await _handOff.HandOffAsync(chunk, reason, unrecoverable, cancellationToken))
        {
            _buffer.Purge(chunk);
            if (!unrecoverable) Metrics.DeadLettered();
        }
        else
        {
            // Nowhere could take it: keep it (at the back of the queue) rather than lose it.
            _buffer.Takeback(chunk, toBack: true);
        }
    }

    public void Commit(string chunkId)
    {
        if (!_awaitingCommit.TryRemove(chunkId, out var pending)) return;
        Succeeded(pending.Chunk);
        Wake();
    }

    public void Rollback(string chunkId, Exception? reason)
    {
        if (!_awaitingCommit.TryRemove(chunkId, out var pending)) return;
        // Called from the plugin's own thread (an ack reader): the retry bookkeeping runs on the thread pool.
        _ = Task.Run(() => FailedAsync(pending.Chunk, reason ?? new IOException("write rolled back")));
    }

    private void RollBackExpiredCommits()
    {
        var now = _clock.GetUtcNow();
        foreach (var (id, pending) in _awaitingCommit)
            if (pending.Deadline <= now)
            {
                _log.LogWarning("delayed commit timed out: rolling back chunk_id=\"{Id}\" after {Seconds}s", id, _config.DelayedCommitTimeout);
                Rollback(id, new TimeoutException($"no commit within delayed_commit_timeout ({_config.DelayedCommitTimeout}s)"));
            }
    }

    /// <summary>
    /// fluentd's force_flush (SIGUSR1, RPC plugins.flushBuffers): every staged chunk is queued now and the flush
    /// threads are woken, whatever flush_interval says. A retry wait in progress is kept, as fluentd's
    /// submit_flush_all stops at a retry state (lib/fluent/plugin/output.rb).
    /// </summary>
    public void FlushNow()
    {
        _buffer.EnqueueDue(all: true);
        Wake();
    }

    /// <summary>
    /// Stops the flush threads, then (flush_at_shutdown) writes every chunk once more. Whatever a memory buffer still
    /// holds afterwards goes to the dead-letter directory — or, when the pipeline is being reloaded
    /// (<paramref name="carryOver"/> given), into that list for the next pipeline; a file buffer keeps it on disk for
    /// the next start (or the reloaded pipeline, which resumes the same directory). The buffer is released in every
    /// case, also when the flush ran out of time: a reloaded pipeline must be able to open the same file buffer.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken, ICollection<CarriedChunk>? carryOver = null)
    {
        try
        {
            await StopFlushingAsync(cancellationToken);
        }
        finally
        {
            await KeepOrCarryLeftoversAsync(carryOver);
            _buffer.Dispose();
        }
    }

    private async Task StopFlushingAsync(CancellationToken cancellationToken)
    {
        _buffer.Close();
        _stopping?.Cancel();
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);

        if (_config.ResolvedFlushAtShutdown)
        {
            _buffer.EnqueueDue(all: true);
            lock (_retryLock) _retry = null; // one more attempt for each chunk, without waiting out the backoff
            int attempts = _buffer.QueueLength;
            for (int i = 0; i < attempts && !cancellationToken.IsCancellationRequested; i++)
            {
                var chunk = _buffer.Dequeue();
                if (chunk is null) break;
                await FlushAsync(chunk, cancellationToken);
                lock (_retryLock) _retry = null;
            }
            var commitDeadline = _clock.GetUtcNow().AddSeconds(Math.Min(_config.DelayedCommitTimeout, 10));
            while (!_awaitingCommit.IsEmpty && _clock.GetUtcNow() < commitDeadline && !cancellationToken.IsCancellationRequested)
                await Task.Delay(50, CancellationToken.None);
            foreach (var id in _awaitingCommit.Keys.ToList())
                Rollback(id, new TimeoutException("shutdown before the write was confirmed"));
        }
    }

    private async Task KeepOrCarryLeftoversAsync(ICollection<CarriedChunk>? carryOver)
    {
        if (_config.Type == "memory")
        {
            foreach (var chunk in _buffer.AllChunks())
            {
                if (carryOver is not null)
                {
                    carryOver.Add(new CarriedChunk(chunk, OutputId, OutputClass, _handOff));
                    _buffer.Purge(chunk);
                }
                else if (await _handOff.DeadLetterAsync(chunk, "the agent stopped before this memory-buffered chunk was delivered"))
                    _buffer.Purge(chunk);
                else
                    _log.LogError("LOST at shutdown: chunk {Id} ({Records} records) could not be written to the dead-letter directory", chunk.UniqueId, chunk.RecordCount);
            }
        }
        else if (!_buffer.IsEmpty)
        {
            _log.LogInformation("{Chunks} chunks stay in the file buffer for the next start", _buffer.AllChunks().Count);
        }
    }
}
