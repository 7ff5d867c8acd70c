using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// The in_tail position file (<c>pos_file</c>) in fluentd's exact on-disk format, so an agent replacing td-agent
/// resumes from the file td-agent left. Mirrors fluentd's <c>PositionFile</c> in lib/fluent/plugin/in_tail/position_file.rb:
/// one line per file, <c>path\t%016x offset\t%016x inode\n</c>; offsets and inodes are rewritten in place at a fixed
/// byte offset (fluentd's <c>FilePositionEntry#update</c>), so a crash never leaves a half-rewritten file; an unwatched
/// entry keeps its line with the offset <c>ffffffffffffffff</c> until the next compaction drops it.
/// </summary>
/// <remarks>
/// fluentd's <c>load</c> compacts (rewrites) the file before reading it; here <see cref="Load"/> only reads, so a
/// position file can be inspected without changing it, and <see cref="Compact"/> is the explicit rewrite. A file that
/// is not in fixed-width form (malformed or short lines, duplicates, no trailing newline) is compacted automatically
/// before the first write, as fluentd's load would have done. Compaction writes a temporary file and renames it over
/// the old one instead of fluentd's truncate-and-write, so a crash mid-compaction keeps the old file.
/// Thread-safe: all file access is serialised by one lock, each update is a single positional write (pwrite).
/// </remarks>
public sealed class PositionFile : IDisposable
{
    /// <summary>position_file.rb: <c>UNWATCHED_POSITION = 0xffffffffffffffff</c>.</summary>
    public const ulong UnwatchedPosition = 0xffffffffffffffff;

    // position_file.rb FilePositionEntry: POS_SIZE = INO_SIZE = 16, the inode at INO_OFFSET = 17, the newline at LN_OFFSET = 33.
    private const int HexSize = 16;
    private const int FieldsSize = 33;

    private readonly object _lock = new();
    private readonly ILogger? _log;
    private readonly bool _fsync;
    private SafeFileHandle _handle;
    // Ruby Hash semantics as in fetch_compacted_entries: a key keeps the position of its first line, the value of its last.
    private readonly List<PositionEntry> _entries = new();
    private readonly Dictionary<string, int> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, int> _byInode = new();
    private bool _needsCompaction;
    private long _length;

    /// <summary>Opens (creating if missing) the position file at <paramref name="path"/>; call <see cref="Load"/> next.</summary>
    /// <param name="followInodes">in_tail's <c>follow_inodes</c>: entries are keyed by inode instead of path.</param>
    /// <param name="fsync">Flush every write to disk (fluentd does not; it relies on the page cache).</param>
    public PositionFile(string path, bool followInodes = false, bool fsync = false, ILogger? logger = null)
    {
        FilePath = Path.GetFullPath(path);
        FollowInodes = followInodes;
        _fsync = fsync;
        _log = logger;
        _handle = OpenHandle();
        _length = RandomAccess.GetLength(_handle);
    }

    public string FilePath { get; }

    public bool FollowInodes { get; }

    /// <summary>Every entry the file holds after de-duplication, watched and unwatched, in file order.</summary>
    public IReadOnlyList<PositionEntry> Entries
    {
        get { lock (_lock) return _entries.ToList(); }
    }

    /// <summary>
    /// Reads every line. A line that does not match fluentd's <c>POSITION_FILE_ENTRY_REGEX</c>
    /// (<c>^([^\t]+)\t([0-9a-fA-F]+)\t([0-9a-fA-F]+)</c>) is skipped with a warning naming its line number. For a
    /// path (or, with follow_inodes, an inode) seen twice the last watched line wins, as in fluentd's
    /// <c>fetch_compacted_entries</c>; an unwatched line never replaces a watched one.
    /// </summary>
    public void Load()
    {
        lock (_lock)
        {
            _entries.Clear();
            _byPath.Clear();
            _byInode.Clear();
            _needsCompaction = false;
            _length = RandomAccess.GetLength(_handle);
            var bytes = new byte[_length];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(_handle, bytes.AsSpan(read), read);
                if (n == 0) break;
                read += n;
            }
            if (read > 0 && bytes[read - 1] != (byte)'\n') _needsCompaction = true;

            var lineNumber = 0;
            for (var start = 0; start < read;)
            {
                lineNumber++;
                var nl = Array.IndexOf(bytes, (byte)'\n', start, read - start);
                var end = nl < 0 ? read : nl;
                var line = bytes.AsSpan(start, end - start);
                if (TryParse(line, out var path, out var offset, out var inode, out var canonical))
                {
                    var entry = new PositionEntry(path, offset, inode, canonical && nl >= 0 ? start + Encoding.UTF8.GetByteCount(path) + 1 : -1);
                    if (entry.FieldOffset < 0) _needsCompaction = true;
                    Add(entry, lineNumber);
                }
                else
                {
                    _needsCompaction = true;
                    _log?.LogWarning("pos_file {File}: unparsable line {Line} skipped: {Text}", FilePath, lineNumber, Encoding.UTF8.GetString(line));
                }
                start = end + 1;
            }
        }
    }

    /// <summary>The watched entry for <paramref name="path"/>, or null (fluentd's <c>@map[path]</c>).</summary>
    public PositionEntry? Get(string path)
    {
        if (FollowInodes) throw new InvalidOperationException("with follow_inodes the position file is keyed by inode");
        lock (_lock) return _byPath.TryGetValue(path, out var i) && !_entries[i].IsUnwatched ? _entries[i] : null;
    }

    /// <summary>The watched entry for <paramref name="inode"/> with follow_inodes, or null (fluentd's <c>@map[ino]</c>).</summary>
    public PositionEntry? Get(ulong inode)
    {
        if (!FollowInodes) throw new InvalidOperationException("without follow_inodes the position file is keyed by path");
        lock (_lock) return _byInode.TryGetValue(inode, out var i) && !_entries[i].IsUnwatched ? _entries[i] : null;
    }

    /// <summary>
    /// The watched entry for the file, or a new line appended with one write (fluentd's <c>PositionFile#[]</c>). fluentd
    /// appends zeros for both fields; the inode is written here at once so a crash before the first update leaves a
    /// line that still names the right file.
    /// </summary>
    public PositionEntry GetOrAdd(string path, ulong inode)
    {
        if (path.Length == 0 || path.Contains('\t') || path.Contains('\n'))
            throw new ArgumentException("a position file path cannot be empty or contain a tab or newline", nameof(path));
        lock (_lock)
        {
            var existing = FollowInodes ? Get(inode) : Get(path);
            if (existing is not null) return existing;
            CompactIfNeeded();
            var line = Encoding.UTF8.GetBytes(Format(path, 0, inode));
            var entry = new PositionEntry(path, 0, inode, _length + Encoding.UTF8.GetByteCount(path) + 1);
            Write(line, _length);
            _length += line.Length;
            Add(entry, lineNumber: 0);
            return entry;
        }
    }

    /// <summary>Overwrites the entry's offset and inode in place: one 33-byte positional write (fluentd's <c>FilePositionEntry#update</c>).</summary>
    public void Update(PositionEntry entry, ulong offset, ulong inode)
    {
        lock (_lock)
        {
            EnsureOwned(entry);
            CompactIfNeeded();
            Write(Encoding.ASCII.GetBytes($"{offset:x16}\t{inode:x16}"), entry.FieldOffset);
            entry.Offset = offset;
            entry.Inode = inode;
        }
    }

    /// <summary>
    /// Writes <c>ffffffffffffffff</c> over the entry's offset and forgets it (fluentd's <c>unwatch</c>: <c>@map.delete</c>
    /// then <c>update_pos(UNWATCHED_POSITION)</c>); the line stays until <see cref="Compact"/>.
    /// </summary>
    public void MarkUnwatched(PositionEntry entry)
    {
        lock (_lock)
        {
            EnsureOwned(entry);
            CompactIfNeeded();
            Write(Encoding.ASCII.GetBytes($"{UnwatchedPosition:x16}"), entry.FieldOffset);
            entry.Offset = UnwatchedPosition;
        }
    }

    /// <summary>
    /// Rewrites the file with only the watched entries in fixed-width form (fluentd's <c>compact</c>/<c>try_compact</c>),
    /// through a temporary file renamed over the old one; entries kept are moved to their new byte offsets.
    /// </summary>
    public void Compact()
    {
        lock (_lock)
        {
            var kept = _entries.Where(e => !e.IsUnwatched).ToList();
            var text = new StringBuilder();
            long position = 0;
            foreach (var e in kept)
            {
                var line = Format(e.Path, e.Offset, e.Inode);
                e.FieldOffset = position + Encoding.UTF8.GetByteCount(e.Path) + 1;
                position += Encoding.UTF8.GetByteCount(line);
                text.Append(line);
            }
            foreach (var e in _entries.Where(e => e.IsUnwatched)) e.IsInFile = false;

            var temp = FilePath + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
                stream.Flush(flushToDisk: true);
            }
            _handle.Dispose();
            File.Move(temp, FilePath, overwrite: true);
            _handle = OpenHandle();
            _length = position;

            _entries.Clear();
            _byPath.Clear();
            _byInode.Clear();
            foreach (var e in kept) Add(e, lineNumber: 0);
            _needsCompaction = false;
        }
    }

    public void Dispose()
    {
        lock (_lock) _handle.Dispose();
    }

    /// <summary>position_file.rb Entry: <c>POSITION_FILE_ENTRY_FORMAT = "%s\t%016x\t%016x\n"</c>.</summary>
    private static string Format(string path, ulong offset, ulong inode) => $"{path}\t{offset:x16}\t{inode:x16}\n";

    private SafeFileHandle OpenHandle() =>
        File.OpenHandle(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

    private void Add(PositionEntry entry, int lineNumber)
    {
        var index = FollowInodes
            ? (_byInode.TryGetValue(entry.Inode, out var i) ? i : -1)
            : (_byPath.TryGetValue(entry.Path, out var j) ? j : -1);
        if (index < 0)
        {
            _entries.Add(entry);
            if (FollowInodes) _byInode[entry.Inode] = _entries.Count - 1;
            else _byPath[entry.Path] = _entries.Count - 1;
            return;
        }
        var previous = _entries[index];
        // fetch_compacted_entries skips unwatched lines, so they never displace a watched entry.
        if (entry.IsUnwatched && !previous.IsUnwatched) return;
        _needsCompaction = true;
        if (!previous.IsUnwatched)
            _log?.LogWarning("pos_file {File}: {Path} already exists, line {Line} replaces the earlier entry {Previous}",
                FilePath, entry.Path, lineNumber, previous.ToString());
        previous.IsInFile = false;
        _entries[index] = entry;
    }

    private void EnsureOwned(PositionEntry entry)
    {
        var index = FollowInodes
            ? (_byInode.TryGetValue(entry.Inode, out var i) ? i : -1)
            : (_byPath.TryGetValue(entry.Path, out var j) ? j : -1);
        if (!entry.IsInFile || index < 0 || !ReferenceEquals(_entries[index], entry))
            throw new InvalidOperationException($"{entry.Path} is no longer an entry of {FilePath}");
    }

    private void CompactIfNeeded()
    {
        if (_needsCompaction) Compact();
    }

    private void Write(byte[] bytes, long fileOffset)
    {
        RandomAccess.Write(_handle, bytes, fileOffset);
        if (_fsync) RandomAccess.FlushToDisk(_handle);
    }

    /// <summary>
    /// POSITION_FILE_ENTRY_REGEX <c>^([^\t]+)\t([0-9a-fA-F]+)\t([0-9a-fA-F]+)</c>: anything after the inode's hex digits
    /// is ignored, as the regex is not anchored at the end. A field longer than 16 hex digits does not fit 64 bits and
    /// is treated as unparsable. <paramref name="canonical"/> says whether the line is exactly fluentd's fixed-width form.
    /// </summary>
    private static bool TryParse(ReadOnlySpan<byte> line, out string path, out ulong offset, out ulong inode, out bool canonical)
    {
        path = "";
        offset = inode = 0;
        canonical = false;
        var tab = line.IndexOf((byte)'\t');
        if (tab <= 0) return false;
        var rest = line[(tab + 1)..];
        var offsetDigits = HexRun(rest);
        if (offsetDigits == 0 || offsetDigits > HexSize || offsetDigits >= rest.Length || rest[offsetDigits] != (byte)'\t') return false;
        var inodeField = rest[(offsetDigits + 1)..];
        var inodeDigits = HexRun(inodeField);
        if (inodeDigits == 0 || inodeDigits > HexSize) return false;
        offset = ulong.Parse(Encoding.ASCII.GetString(rest[..offsetDigits]), System.Globalization.NumberStyles.HexNumber);
        inode = ulong.Parse(Encoding.ASCII.GetString(inodeField[..inodeDigits]), System.Globalization.NumberStyles.HexNumber);
        path = Encoding.UTF8.GetString(line[..tab]);
        canonical = offsetDigits == HexSize && inodeDigits == HexSize && rest.Length == FieldsSize;
        return true;
    }

    private static int HexRun(ReadOnlySpan<byte> s)
    {
        var n = 0;
        while (n < s.Length && char.IsAsciiHexDigit((char)s[n])) n++;
        return n;
    }
}
