using System.IO.Compression;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// Appends bytes to files by path, keeping each file open between writes, creating directories as needed.
/// With gzip every <see cref="Append"/> adds one complete gzip member: a file of concatenated members is a valid
/// gzip file (RFC 1952, 2.2) that <c>zcat</c> reads whole, and what is on disk is readable after every write,
/// as fluentd's out_file does per chunk. The file output uses it per emitted stream; a buffered output can use it
/// per chunk. Thread-safe.
/// </summary>
public sealed class AppendingFileWriter : IDisposable
{
    /// <summary>Files kept open at once; the least recently written is closed beyond this (e.g. many ${tag} paths).</summary>
    public const int MaxOpenFiles = 64;

    private readonly Dictionary<string, (FileStream Stream, long LastUse)> _open = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private readonly bool _gzip;
    private readonly string? _symlinkPath;
    private string? _symlinkTarget;
    private long _uses;

    public AppendingFileWriter(bool gzip, string? symlinkPath = null)
    {
        _gzip = gzip;
        _symlinkPath = symlinkPath;
    }

    /// <summary>The path written last, as fluentd's <c>last_written_path</c>.</summary>
    public string? LastWrittenPath { get; private set; }

    public int OpenFileCount
    {
        get { lock (_lock) return _open.Count; }
    }

    public void Append(string path, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            var stream = Open(path);
            if (_gzip)
            {
                using var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                gzip.Write(data);
            }
            else stream.Write(data);
            LastWrittenPath = path;
            UpdateSymlink(path);
        }
    }

    /// <summary>Pushes what was appended to the operating system.</summary>
    public void Flush()
    {
        lock (_lock)
            foreach (var (stream, _) in _open.Values) stream.Flush();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (stream, _) in _open.Values) stream.Dispose();
            _open.Clear();
        }
    }

    private FileStream Open(string path)
    {
        if (_open.TryGetValue(path, out var entry))
        {
            _open[path] = (entry.Stream, ++_uses);
            return entry.Stream;
        }
        if (_open.Count >= MaxOpenFiles)
        {
            var oldest = _open.MinBy(kv => kv.Value.LastUse);
            oldest.Value.Stream.Dispose();
            _open.Remove(oldest.Key);
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        _open[path] = (stream, ++_uses);
        return stream;
    }

    /// <summary>
    /// fluentd links symlink_path to the newest buffer chunk; without a buffer the newest file written is the
    /// useful target. Not on Windows, where fluentd disables it too.
    /// </summary>
    private void UpdateSymlink(string path)
    {
        if (_symlinkPath is null || OperatingSystem.IsWindows() || path == _symlinkTarget) return;
        var target = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(_symlinkPath));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var temporary = _symlinkPath + ".tmp" + Environment.ProcessId;
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, target);
        File.Move(temporary, _symlinkPath, overwrite: true);
        _symlinkTarget = path;
    }
}
