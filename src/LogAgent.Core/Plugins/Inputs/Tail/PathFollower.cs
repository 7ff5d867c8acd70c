namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// Everything followed under one watched path: the file now at the path and, before it, the files that were there
/// earlier and are still being drained after a rotation (oldest first). Without follow_inodes the path has one pos
/// file entry, and it always describes the oldest file not yet finished — so after a crash the agent resumes there
/// (finding the rotated file by its inode) instead of skipping what was left in it.
/// </summary>
public sealed class PathFollower
{
    public PathFollower(string path, string tag, bool isStatic)
    {
        Path = path;
        Tag = tag;
        IsStatic = isStatic;
    }

    public string Path { get; }

    /// <summary>The tag of the file's events (a <c>*</c> in in_tail's tag expanded with this path).</summary>
    public string Tag { get; }

    /// <summary>A path written without a glob: watched even while missing, as fluentd does.</summary>
    public bool IsStatic { get; }

    /// <summary>Oldest first; the last one is at <see cref="Path"/> unless it was rotated away too.</summary>
    public List<TailedFile> Files { get; } = new();

    /// <summary>The file now at the path, or null when the path is missing or its file was rotated away.</summary>
    public TailedFile? Current => Files.Count > 0 && Files[^1].RotatedAt is null ? Files[^1] : null;

    /// <summary>
    /// Since when the path may have had files not seen yet: when a static path was found without a file, or the last
    /// write to the file that disappeared from it (between logrotate's rename and the next create). Null once the
    /// path's next file is followed.
    /// </summary>
    public DateTimeOffset? MissingSince { get; set; }

    /// <summary>True when the file with <paramref name="inode"/> is one of <see cref="Files"/>.</summary>
    public bool Follows(ulong inode) => Files.Exists(f => f.Inode == inode);

    /// <summary>The path's pos file entry (without follow_inodes).</summary>
    public PositionEntry? Entry { get; set; }

    /// <summary>The path no longer matches the pattern: finish its files, then stop following it.</summary>
    public bool Removed { get; set; }

    /// <summary>After a failed emit, nothing is read again before this time (Environment.TickCount64).</summary>
    public long RetryAfterTicks { get; set; }

    // Rotated files and copies already read (or being read), by inode and first bytes: a file closed after it was read
    // is no longer among Files, and must not be taken for one rotated before it was seen when the next rotation is
    // looked into. The first bytes tell a reused inode apart; the oldest are forgotten past a bound.
    private readonly HashSet<(ulong Inode, int Leading)> _takenUp = new();
    private readonly Queue<(ulong Inode, int Leading)> _takenUpOrder = new();
    private const int TakenUpLimit = 4096;

    public void MarkTakenUp(ulong inode, ReadOnlySpan<byte> leading)
    {
        var key = (inode, Hash(leading));
        if (!_takenUp.Add(key)) return;
        _takenUpOrder.Enqueue(key);
        if (_takenUpOrder.Count > TakenUpLimit) _takenUp.Remove(_takenUpOrder.Dequeue());
    }

    public bool WasTakenUp(ulong inode, ReadOnlySpan<byte> leading) => _takenUp.Contains((inode, Hash(leading)));

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Path} ({Files.Count} file(s))";
}
