using System.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Events;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Buffers;

/// <summary>
/// One output's buffer (fluentd's Buffer, lib/fluent/plugin/buffer.rb): staged chunks by metadata, the queue of
/// chunks waiting to be written, the chunks being written, and the limits. Writing returns only when every event is
/// in a chunk, so an input may acknowledge then; when full, overflow_action decides (throw, block, drop oldest).
/// </summary>
public sealed class OutputBuffer : IDisposable
{
    private readonly object _lock = new();
    private readonly BufferConfig _config;
    private readonly Func<IChunkStore> _openStore;
    private IChunkStore? _store;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly Action<string, EventTime, Record, Exception> _rejectEvent;
    private readonly Dictionary<ChunkMetadata, StoredChunk> _staged = new();
    private readonly LinkedList<StoredChunk> _queue = new();
    private readonly Dictionary<string, StoredChunk> _dequeued = new(StringComparer.Ordinal);
    private readonly long _chunkLimit;
    private readonly long _totalLimit;
    private readonly FlushMode _flushMode;
    private long _bytes;
    private bool _closed;

    /// <param name="openStore">Opens the chunk store; called at <see cref="Resume"/> (start), so a dry run never
    /// touches or locks a buffer directory that a running agent owns.</param>
    public OutputBuffer(BufferConfig config, ChunkKeys keys, Func<IChunkStore> openStore, ILogger log, TimeProvider clock,
        Action<string, EventTime, Record, Exception> rejectEvent)
    {
        _config = config;
        Keys = keys;
        _openStore = openStore;
        _log = log;
        _clock = clock;
        _rejectEvent = rejectEvent;
        _chunkLimit = config.ResolvedChunkLimitSize;
        _totalLimit = config.ResolvedTotalLimitSize;
        _flushMode = config.ResolvedFlushMode(keys);
    }

    public ChunkKeys Keys { get; }
    public OutputMetrics Metrics { get; } = new();

    public int QueueLength { get { lock (_lock) return _queue.Count; } }
    public int StagedCount { get { lock (_lock) return _staged.Count; } }
    public int InFlightCount { get { lock (_lock) return _dequeued.Count; } }
    public long TotalBytes { get { lock (_lock) return _bytes; } }
    public bool IsEmpty { get { lock (_lock) return _staged.Count == 0 && _queue.Count == 0 && _dequeued.Count == 0; } }

    private IChunkStore Store => _store ?? throw new InvalidOperationException("the buffer is not started");

    /// <summary>
    /// Opens the store and takes over the chunks a previous run left (file buffer): staged stay staged, queued are
    /// queued first.
    /// </summary>
    public void Resume()
    {
        lock (_lock)
        {
            _store = _openStore();
            var resumed = _store.Resume();
            foreach (var chunk in resumed)
            {
                Attach(chunk);
                _bytes += chunk.ByteSize;
            }
            // Queued chunks go first, then staged chunks in sequence order; of several staged chunks with the same
            // metadata (fluentd leaves these) only the newest stays staged, the older ones are queued before it.
            foreach (var chunk in resumed.Where(c => c.State == ChunkState.Queued).OrderBy(c => c.Sequence))
                _queue.AddLast(chunk);
            foreach (var group in resumed.Where(c => c.State == ChunkState.Staged).GroupBy(c => c.Metadata))
            {
                var ordered = group.OrderBy(c => c.Sequence).ToList();
                foreach (var older in ordered.Take(ordered.Count - 1))
                {
                    older.Enqueue();
                    _queue.AddLast(older);
                }
                _staged[group.Key] = ordered[^1];
            }
            if (_queue.Count + _staged.Count > 0)
                _log.LogInformation("resumed {Queued} queued and {Staged} staged chunks ({Bytes} bytes)", _queue.Count, _staged.Count, _bytes);
            Metrics.BufferState = State;
        }
    }

    private BufferUsage State()
    {
        lock (_lock)
        {
            long staged = _staged.Values.Sum(c => c.ByteSize);
            long queued = _queue.Sum(c => c.ByteSize) + _dequeued.Values.Sum(c => c.ByteSize);
            return new BufferUsage(_staged.Count, staged, _queue.Count, queued, _totalLimit);
        }
    }

    private void Attach(StoredChunk chunk) => chunk.Expander = (metadata, template) => ChunkPlaceholders.Expand(template, metadata, Keys.Zone);

    /// <summary>Appends a stream. Returns when every event is in a chunk; throws when they could not all be stored.</summary>
    public void Write(EventStream stream)
    {
        if (stream.IsEmpty) return;
        if (Keys.HasTag && !Keys.HasTime && !Keys.HasRecordKeys)
        {
            WriteAsStored(stream);
            return;
        }
        var groups = GroupByMetadata(stream);
        long total = 0;
        foreach (var g in groups) total += g.Bytes.WrittenCount;
        lock (_lock)
        {
            if (_closed) throw new ObjectDisposedException("the buffer is closed (the agent is shutting down)");
            MakeRoom(total, stream.Tag);
            foreach (var group in groups) AppendGroup(group);
            Metrics.Emitted(stream.Count, total);
        }
    }

    // Chunk keys "tag" alone (out_forward's default): one metadata for the whole stream, and the chunk's format is the
    // stream's own [time, record] entries. So the stream's bytes are appended as they are, in one copy, without
    // walking its entries; they are walked (skipped, not decoded) only where a chunk fills and the run must be split.
    private void WriteAsStored(EventStream stream)
    {
        var metadata = Keys.MetadataOf(stream.Tag, default, null);
        var entries = stream.Entries;
        lock (_lock)
        {
            if (_closed) throw new ObjectDisposedException("the buffer is closed (the agent is shutting down)");
            MakeRoom(entries.Length, stream.Tag);
            int offset = 0, remaining = stream.Count, index = 0;
            while (remaining > 0)
            {
                if (!_staged.TryGetValue(metadata, out var chunk)) chunk = StageNewLocked(metadata, entriesHaveTag: false);
                long space = _chunkLimit - chunk.ByteSize;
                long recordSpace = _config.ChunkLimitRecords is { } maxRecords ? maxRecords - chunk.RecordCount : long.MaxValue;
                int n, length;
                if (entries.Length - offset <= space && remaining <= recordSpace) (n, length) = (remaining, entries.Length - offset);
                else (n, length) = EntryPrefix.Fitting(entries[offset..], space, recordSpace);
                if (n == 0)
                {
                    if (chunk.RecordCount == 0)
                    {
                        // One event larger than a whole chunk can never be written: it goes to @ERROR, the rest goes on.
                        var (_, entryLength) = EntryPrefix.Fitting(entries[offset..], long.MaxValue, 1);
                        var entry = new EventStream(stream.Tag, entries.Slice(offset, entryLength), 1);
                        foreach (var e in entry)
                            _rejectEvent(stream.Tag, e.Time, e.DecodeRecord(), new BufferChunkOverflowException(
                                $"a {entryLength} bytes record (nth: {index}) is larger than buffer chunk limit size ({_chunkLimit})"));
                        offset += entryLength;
                        remaining--;
                        index++;
                        continue;
                    }
                    EnqueueLocked(chunk);
                    continue;
                }
                chunk.Append(entries.Span.Slice(offset, length), n);
                _bytes += length;
                offset += length;
                remaining -= n;
                index += n;
                if (IsFull(chunk) || _flushMode == FlushMode.Immediate) EnqueueLocked(chunk);
            }
            Metrics.Emitted(stream.Count, entries.Length);
        }
    }

    private sealed class Group(ChunkMetadata metadata)
    {
        public ChunkMetadata Metadata { get; } = metadata;
        public ArrayBufferWriter<byte> Bytes { get; } = new(1024);
        public List<int> Ends { get; } = new();
        public List<(string Tag, EventTime Time, ReadOnlyMemory<byte> Record)> Entries { get; } = new();
    }

    // Entries are stored as [time, record] when tag is a chunk key (the stream's bytes as they are), else as
    // fluentd's standard format [tag, time, record] (output.rb: format_stream with @chunk_key_tag false).
    private List<Group> GroupByMetadata(EventStream stream)
    {
        var groups = new List<Group>(1);
        Group? single = null;
        bool perEntryMetadata = Keys.HasTime || Keys.HasRecordKeys;
        if (!perEntryMetadata) single = new Group(Keys.MetadataOf(stream.Tag, default, null));
        Dictionary<ChunkMetadata, Group>? byMetadata = perEntryMetadata ? new() : null;
        if (single is not null) groups.Add(single);
        foreach (var entry in stream)
        {
            Group group;
            if (single is not null) group = single;
            else
            {
                var record = Keys.HasRecordKeys ? entry.DecodeRecord() : null;
                var metadata = Keys.MetadataOf(stream.Tag, entry.Time, record);
                if (!byMetadata!.TryGetValue(metadata, out group!))
                {
                    byMetadata[metadata] = group = new Group(metadata);
                    groups.Add(group);
                }
            }
            if (Keys.HasTag) group.Bytes.Write(entry.RawEntry.Span);
            else
            {
                var writer = new MessagePackWriter(group.Bytes);
                writer.WriteArrayHeader(3);
                writer.Write(stream.Tag);
                entry.Time.WriteTo(ref writer);
                writer.WriteRaw(entry.RecordBytes.Span);
                writer.Flush();
            }
            group.Ends.Add(group.Bytes.WrittenCount);
            group.Entries.Add((stream.Tag, entry.Time, entry.RecordBytes));
        }
        return groups;
    }

    private void AppendGroup(Group group)
    {
        var bytes = group.Bytes.WrittenMemory;
        int index = 0, offset = 0;
        while (index < group.Ends.Count)
        {
            if (!_staged.TryGetValue(group.Metadata, out var chunk)) chunk = StageNewLocked(group.Metadata, !Keys.HasTag);
            long space = _chunkLimit - chunk.ByteSize;
            long recordSpace = _config.ChunkLimitRecords is { } maxRecords ? maxRecords - chunk.RecordCount : long.MaxValue;
            int n = 0;
            while (index + n < group.Ends.Count && n < recordSpace && group.Ends[index + n] - offset <= space) n++;
            if (n == 0)
            {
                if (chunk.RecordCount == 0)
                {
                    // One event larger than a whole chunk can never be written: it goes to @ERROR, the rest goes on.
                    int size = group.Ends[index] - offset;
                    var (tag, time, recordBytes) = group.Entries[index];
                    _rejectEvent(tag, time, RecordCodec.Decode(recordBytes), new BufferChunkOverflowException(
                        $"a {size} bytes record (nth: {index}) is larger than buffer chunk limit size ({_chunkLimit})"));
                    offset = group.Ends[index];
                    index++;
                    continue;
                }
                EnqueueLocked(chunk);
                continue;
            }
            int end = group.Ends[index + n - 1];
            chunk.Append(bytes.Span[offset..end], n);
            _bytes += end - offset;
            offset = end;
            index += n;
            if (IsFull(chunk) || _flushMode == FlushMode.Immediate) EnqueueLocked(chunk);
        }
    }

    private bool IsFull(StoredChunk chunk) =>
        chunk.ByteSize >= _chunkLimit * _config.ChunkFullThreshold
        || (_config.ChunkLimitRecords is { } max && chunk.RecordCount >= max * _config.ChunkFullThreshold);

    private bool IsOverLimit(long incoming) =>
        _bytes + incoming > _totalLimit || (_config.QueueLimitLength is { } q && _queue.Count >= q);

    private void MakeRoom(long incoming, string tag)
    {
        if (!IsOverLimit(incoming)) return;
        switch (_config.OverflowAction)
        {
            case OverflowAction.ThrowException:
                throw new BufferOverflowException($"buffer space has too many data: {_bytes} bytes held, limit {_totalLimit} (tag {tag})");
            case OverflowAction.DropOldestChunk:
                while (IsOverLimit(incoming) && _queue.First?.Value is { } oldest)
                {
                    _queue.RemoveFirst();
                    _bytes -= oldest.ByteSize;
                    _log.LogWarning("dropping oldest chunk to make space after buffer overflow chunk_id=\"{Id}\" records={Records} bytes={Bytes}",
                        oldest.UniqueId, oldest.RecordCount, oldest.ByteSize);
                    oldest.Purge();
                }
                if (IsOverLimit(incoming))
                    throw new BufferOverflowException($"buffer space has too many data and no queued chunk can be dropped (tag {tag})");
                return;
            case OverflowAction.Block:
                var waitingSince = _clock.GetUtcNow();
                bool warned = false;
                while (IsOverLimit(incoming) && !_closed)
                {
                    // Staged chunks are queued so the flush threads can free space.
                    foreach (var chunk in _staged.Values.ToList()) EnqueueLocked(chunk);
                    Monitor.Wait(_lock, TimeSpan.FromMilliseconds(200));
                    if (!warned && _clock.GetUtcNow() - waitingSince > TimeSpan.FromSeconds(1))
                    {
                        _log.LogWarning("buffer full (overflow_action block): input is waiting for {Bytes} bytes of space", incoming);
                        warned = true;
                    }
                }
                if (_closed) throw new ObjectDisposedException("the buffer closed while an input waited for space");
                return;
        }
    }

    /// <summary>Raised (under the buffer's lock: keep it short) when a chunk was queued, so a flush thread can start at once.</summary>
    public Action? ChunkQueued { get; set; }

    /// <summary>Raised (under the buffer's lock) when a new chunk was staged, so the flush threads wait for its due time.</summary>
    public Action? ChunkStaged { get; set; }

    private StoredChunk StageNewLocked(ChunkMetadata metadata, bool entriesHaveTag)
    {
        var chunk = Store.Create(metadata, entriesHaveTag);
        Attach(chunk);
        _staged[metadata] = chunk;
        ChunkStaged?.Invoke();
        return chunk;
    }

    /// <summary>
    /// When a staged chunk falls due in interval mode. A whole-second flush_interval follows fluentd's rule to the
    /// letter (output.rb enqueue_thread_run: <c>chunk.created_at.to_i + flush_interval.to_i &lt;= Time.now.to_i</c>), so a
    /// chunk is due at a wall-clock second boundary, as fluentd's are; a fractional one (which fluentd truncates, to 0
    /// for anything under a second) is honoured exactly.
    /// </summary>
    private DateTimeOffset IntervalDueAt(StoredChunk chunk)
    {
        double interval = _config.FlushInterval;
        if (interval >= 1 && interval == Math.Floor(interval))
            return DateTimeOffset.FromUnixTimeSeconds(chunk.CreatedAt.ToUnixTimeSeconds() + (long)interval);
        return chunk.CreatedAt.AddSeconds(interval);
    }

    private DateTimeOffset? DueAt(StoredChunk chunk) => _flushMode switch
    {
        FlushMode.Interval => IntervalDueAt(chunk),
        FlushMode.Lazy => chunk.Metadata.Timekey is { } t
            ? DateTimeOffset.FromUnixTimeSeconds(t + Keys.Timekey + (long)_config.TimekeyWait)
            : chunk.CreatedAt.AddSeconds(_config.FlushInterval),
        _ => null,
    };

    /// <summary>The earliest time a staged chunk falls due by the flush mode, or null when none will by time alone.</summary>
    public DateTimeOffset? NextDueAt()
    {
        lock (_lock)
        {
            DateTimeOffset? next = null;
            foreach (var chunk in _staged.Values)
                if (DueAt(chunk) is { } due && (next is null || due < next)) next = due;
            return next;
        }
    }

    private void EnqueueLocked(StoredChunk chunk)
    {
        _staged.Remove(chunk.Metadata);
        chunk.Enqueue();
        _queue.AddLast(chunk);
        Monitor.PulseAll(_lock);
        ChunkQueued?.Invoke();
    }

    /// <summary>Queues the staged chunks that are due by the flush mode (interval, lazy/timekey), or all of them.</summary>
    public void EnqueueDue(bool all = false)
    {
        lock (_lock)
        {
            if (_staged.Count == 0) return;
            var now = _clock.GetUtcNow();
            int queuedLimit = _config.QueuedChunksLimitSize ?? _config.FlushThreadCount;
            foreach (var chunk in _staged.Values.ToList())
            {
                bool due = all || _flushMode switch
                {
                    FlushMode.Interval => IntervalDueAt(chunk) <= now && _queue.Count < Math.Max(queuedLimit, 1) + _dequeued.Count,
                    FlushMode.Immediate => true,
                    _ => DueAt(chunk) <= now,
                };
                if (!due) continue;
                try
                {
                    EnqueueLocked(chunk);
                }
                catch (IOException e)
                {
                    _log.LogError("cannot queue chunk {Id}: {Error}; it stays staged and is tried again", chunk.UniqueId, e.Message);
                }
            }
        }
    }

    /// <summary>The next queued chunk to write, or null; it stays held (not deletable by overflow) until purged or taken back.</summary>
    public StoredChunk? Dequeue()
    {
        lock (_lock)
        {
            if (_queue.First?.Value is not { } first) return null;
            _queue.RemoveFirst();
            _dequeued[first.UniqueId] = first;
            return first;
        }
    }

    public StoredChunk? FindInFlight(string chunkId)
    {
        lock (_lock) return _dequeued.GetValueOrDefault(chunkId);
    }

    /// <summary>The chunk was delivered (or moved away): delete it.</summary>
    public void Purge(StoredChunk chunk)
    {
        lock (_lock)
        {
            if (!_dequeued.Remove(chunk.UniqueId)) _queue.Remove(chunk);
            _bytes -= chunk.ByteSize;
            chunk.Purge();
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>
    /// Writing failed: the chunk goes back to the front of the queue (order is kept), or to the back when the
    /// runner decides another chunk should be tried first.
    /// </summary>
    public void Takeback(StoredChunk chunk, bool toBack = false)
    {
        lock (_lock)
        {
            if (_dequeued.Remove(chunk.UniqueId))
            {
                if (toBack) _queue.AddLast(chunk);
                else _queue.AddFirst(chunk);
            }
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Part of a chunk was delivered: replace it with a queued chunk of the remaining entries.</summary>
    public void ReplaceWithRemainder(StoredChunk chunk, ReadOnlySpan<byte> remaining, int count)
    {
        lock (_lock)
        {
            var rest = Store.CreateQueued(chunk.Metadata, chunk.EntriesHaveTag, remaining, count, chunk.RetryCount + 1);
            Attach(rest);
            _dequeued.Remove(chunk.UniqueId);
            _bytes -= chunk.ByteSize;
            chunk.Purge();
            _bytes += rest.ByteSize;
            _queue.AddLast(rest);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Adds a whole chunk's entries as a new queued chunk (replayed dead letters).</summary>
    public void AdoptQueued(ChunkMetadata metadata, bool entriesHaveTag, ReadOnlySpan<byte> entries, int count, int retryCount)
    {
        lock (_lock)
        {
            var chunk = Store.CreateQueued(metadata, entriesHaveTag, entries, count, retryCount);
            Attach(chunk);
            _bytes += chunk.ByteSize;
            _queue.AddLast(chunk);
        }
    }

    /// <summary>Stops accepting writes (inputs waiting in block mode are released with an error).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Every chunk still held, for shutdown handling.</summary>
    public IReadOnlyList<StoredChunk> AllChunks()
    {
        lock (_lock) return _queue.Concat(_staged.Values).Concat(_dequeued.Values).ToList();
    }

    public void Dispose() => _store?.Dispose();
}

/// <summary>One event larger than chunk_limit_size (fluentd's BufferChunkOverflowError).</summary>
public sealed class BufferChunkOverflowException(string message) : Exception(message);
