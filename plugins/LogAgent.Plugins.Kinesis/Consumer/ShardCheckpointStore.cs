using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>A state file that exists but cannot be read as one: the agent stops naming it instead of starting over.</summary>
public sealed class CheckpointFileException(string path, string problem, Exception? inner = null)
    : IOException($"Kinesis checkpoint file {path} is unreadable: {problem}. It is left as it is; fix or remove it (removing it starts every shard at initial_position again)", inner)
{
    public string Path { get; } = path;
}

/// <summary>
/// The consumer's state file: one per stream, every shard's <see cref="ShardCheckpoint"/> as JSON. Saved atomically —
/// written to a temporary file, fsynced, renamed over the old one, and the directory fsynced — so a crash or a power
/// cut leaves either the old state or the new one, never a torn file (the fluentd in-kinesis plugin rewrites its file in
/// place, and a crash can leave it empty). An exclusive lock on <c>PATH.lock</c>, held while the store is open, keeps a
/// second agent from consuming with the same state; it is a separate file because the rename replaces the state file's
/// inode. A file that exists but cannot be read is a <see cref="CheckpointFileException"/>, never an empty state.
/// </summary>
public sealed class ShardCheckpointStore : IDisposable
{
    private const int FormatVersion = 1;

    private readonly FileStream _lock;
    private readonly object _gate = new();
    private readonly Dictionary<string, ShardCheckpoint> _shards;

    private ShardCheckpointStore(string path, FileStream lockFile, Dictionary<string, ShardCheckpoint> shards)
    {
        Path = path;
        _lock = lockFile;
        _shards = shards;
    }

    public string Path { get; }

    /// <summary>The stream the file belongs to (checked on open: a state file of another stream is refused).</summary>
    public string Stream { get; private init; } = "";

    /// <summary>Opens (or creates the directory of) the state file of <paramref name="stream"/> and takes its lock.</summary>
    public static ShardCheckpointStore Open(string path, string stream)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        System.IO.Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"Kinesis checkpoint file {path} is in use by another process (cannot lock {path}.lock: {e.Message}); two consumers never share a state file", e);
        }
        try
        {
            // The pid is for people looking at the directory; the lock is what excludes.
            lockFile.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
            lockFile.Write(pid);
            lockFile.Flush();
            var shards = File.Exists(path) ? Read(path, stream) : new Dictionary<string, ShardCheckpoint>(StringComparer.Ordinal);
            // A temporary file left by a crash between write and rename is an incomplete copy: the state file is authoritative.
            if (File.Exists(path + ".tmp")) File.Delete(path + ".tmp");
            return new ShardCheckpointStore(path, lockFile, shards) { Stream = stream };
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Every shard's checkpoint, as last saved.</summary>
    public IReadOnlyDictionary<string, ShardCheckpoint> Shards
    {
        get { lock (_gate) return new Dictionary<string, ShardCheckpoint>(_shards, StringComparer.Ordinal); }
    }

    public ShardCheckpoint? Get(string shardId)
    {
        lock (_gate) return _shards.GetValueOrDefault(shardId);
    }

    /// <summary>Records <paramref name="checkpoint"/> for the shard and saves the whole file before returning.</summary>
    public void Set(string shardId, ShardCheckpoint checkpoint)
    {
        lock (_gate)
        {
            _shards[shardId] = checkpoint;
            Save();
        }
    }

    /// <summary>Forgets shards that left the stream (their children have taken over) and saves.</summary>
    public void Remove(IEnumerable<string> shardIds)
    {
        lock (_gate)
        {
            bool changed = false;
            foreach (var id in shardIds) changed |= _shards.Remove(id);
            if (changed) Save();
        }
    }

    private void Save()
    {
        var temporary = Path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("version", FormatVersion);
                json.WriteString("stream", Stream);
                json.WriteStartObject("shards");
                foreach (var (id, c) in _shards.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WriteStartObject(id);
                    json.WriteString("state", c.Progress == ShardProgress.ShardEnd ? "SHARD_END" : "OPEN");
                    if (c.SequenceNumber is not null) json.WriteString("sequence_number", c.SequenceNumber);
                    if (c.SubSequenceNumber is { } sub) json.WriteNumber("sub_sequence_number", sub);
                    json.WriteStartArray("parents");
                    foreach (var parent in c.Parents) json.WriteStringValue(parent);
                    json.WriteEndArray();
                    if (c.LastArrival is { } arrival) json.WriteString("last_arrival", arrival.UtcDateTime.ToString("O"));
                    json.WriteString("saved_at", c.SavedAt.UtcDateTime.ToString("O"));
                    json.WriteEndObject();
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
        DirectoryFsync.Flush(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
    }

    private static Dictionary<string, ShardCheckpoint> Read(string path, string stream)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFileException(path, e.Message, e);
        }
        if (bytes.Length == 0) throw new CheckpointFileException(path, "it is empty (0 bytes)");
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException($"a JSON {root.ValueKind}, not an object");
            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != FormatVersion)
                throw new FormatException($"no \"version\": {FormatVersion}");
            var owner = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (owner != stream) throw new FormatException($"it belongs to stream '{owner}', not '{stream}'");
            if (!root.TryGetProperty("shards", out var shards) || shards.ValueKind != JsonValueKind.Object)
                throw new FormatException("no \"shards\" object");
            var result = new Dictionary<string, ShardCheckpoint>(StringComparer.Ordinal);
            foreach (var shard in shards.EnumerateObject())
                result[shard.Name] = ReadShard(shard.Name, shard.Value);
            return result;
        }
        catch (JsonException e)
        {
            throw new CheckpointFileException(path, $"invalid JSON ({e.Message}); a truncated file?", e);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new CheckpointFileException(path, e.Message, e);
        }
    }

    private static ShardCheckpoint ReadShard(string id, JsonElement shard)
    {
        if (shard.ValueKind != JsonValueKind.Object) throw new FormatException($"shard {id} is not an object");
        var progress = Required(shard, id, "state").GetString() switch
        {
            "OPEN" => ShardProgress.Open,
            "SHARD_END" => ShardProgress.ShardEnd,
            var other => throw new FormatException($"shard {id} has state '{other}' (OPEN or SHARD_END)"),
        };
        string? sequence = shard.TryGetProperty("sequence_number", out var seq) ? seq.GetString() : null;
        if (sequence is not null && (sequence.Length == 0 || !sequence.All(char.IsAsciiDigit)))
            throw new FormatException($"shard {id} has sequence_number '{sequence}', not a decimal number");
        long? sub = shard.TryGetProperty("sub_sequence_number", out var subElement) ? subElement.GetInt64() : null;
        var parents = shard.TryGetProperty("parents", out var p) ? p.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        DateTimeOffset? arrival = shard.TryGetProperty("last_arrival", out var a) ? a.GetDateTimeOffset() : null;
        var saved = Required(shard, id, "saved_at").GetDateTimeOffset();
        return new ShardCheckpoint(progress, sequence, sub, parents, arrival, saved);
    }

    private static JsonElement Required(JsonElement shard, string id, string name) =>
        shard.TryGetProperty(name, out var value) ? value : throw new FormatException($"shard {id} has no \"{name}\"");

    public void Dispose() => _lock.Dispose();
}
