using System.Text;
using Microsoft.Win32.SafeHandles;

namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// One file being read: its identity (inode and the first bytes), how far it has been read and how far what was
/// read has been emitted. Two offsets, because a line is read before it is emitted: <see cref="CommittedOffset"/>
/// is what may be written to the pos file (everything before it is in every destination's buffer), and is where
/// reading resumes after a failed emit or a crash.
/// </summary>
public sealed class TailedFile : IDisposable
{
    /// <summary>How many leading bytes identify a file beyond its inode (a reused inode has other first bytes).</summary>
    public const int FingerprintSize = 128;

    private SafeFileHandle? _handle;
    private readonly byte[] _fingerprint = new byte[FingerprintSize];

    public TailedFile(string path, FileStatus status, long offset)
    {
        Path = path;
        Inode = status.Inode;
        ReadOffset = CommittedOffset = offset;
    }

    /// <summary>The name the file had when it was opened (a rotated file keeps it, for log lines).</summary>
    public string Path { get; set; }

    public ulong Inode { get; }

    /// <summary>The next byte to read from the file.</summary>
    public long ReadOffset { get; set; }

    /// <summary>Everything before this byte has been emitted; the pos file gets this offset.</summary>
    public long CommittedOffset { get; set; }

    /// <summary>The end of the last whole line handed to the emitter (committed once the emit succeeds).</summary>
    public long ConsumedOffset { get; set; }

    /// <summary>An unterminated last line read so far: the file's bytes [ReadOffset - CarryLength, ReadOffset).</summary>
    public byte[] Carry { get; private set; } = Array.Empty<byte>();

    public int CarryLength { get; set; }

    /// <summary>True while the rest of a line longer than max_line_size is being skipped up to its newline.</summary>
    public bool SkippingLongLine { get; set; }

    /// <summary>When the file stopped being the one at its path (renamed, deleted, replaced); null while current.</summary>
    public DateTimeOffset? RotatedAt { get; set; }

    /// <summary>This file's own pos file entry (follow_inodes only; otherwise the path has one).</summary>
    public PositionEntry? Entry { get; set; }

    /// <summary>A file found again after a restart or a copytruncate: read to its end, then closed without waiting.</summary>
    public bool CloseAtEof { get; set; }

    /// <summary>
    /// A file restarted from 0 after a copytruncate (or the path's first file): the time of the newest copy read before
    /// it. Copies newer than that, other than of this file, hold what the path held in between (see TailInput.CheckPath).
    /// </summary>
    public DateTimeOffset? CopiesAfter { get; set; }

    /// <summary>True after the last read found no more bytes.</summary>
    public bool AtEof { get; set; }

    /// <summary>The multiline event being assembled (format_firstline), with the offset of its first line.</summary>
    public StringBuilder? PendingEvent { get; set; }

    public long PendingEventStart { get; set; }

    public DateTimeOffset PendingEventUpdatedAt { get; set; }

    /// <summary>Bytes read in the current second, for read_bytes_limit_per_second.</summary>
    public long BytesInWindow { get; set; }

    public long WindowStartTicks { get; set; }

    public int FingerprintLength { get; private set; }

    public ReadOnlySpan<byte> Fingerprint => _fingerprint.AsSpan(0, FingerprintLength);

    public bool IsOpen => _handle is not null;

    /// <summary>The open handle; files are opened with delete sharing so logrotate can rename and remove them.</summary>
    public SafeFileHandle Handle => _handle ??= File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    public void Open(SafeFileHandle handle) => _handle = handle;

    /// <summary>Closes the handle (open_on_every_update closes after each read; a rotated file closes for good).</summary>
    public void CloseHandle()
    {
        _handle?.Dispose();
        _handle = null;
    }

    /// <summary>Appends bytes to the unterminated line, growing the carry buffer as needed.</summary>
    public void AppendCarry(ReadOnlySpan<byte> bytes)
    {
        if (CarryLength + bytes.Length > Carry.Length)
        {
            var grown = new byte[Math.Max(CarryLength + bytes.Length, Math.Max(256, Carry.Length * 2))];
            Carry.AsSpan(0, CarryLength).CopyTo(grown);
            Carry = grown;
        }
        bytes.CopyTo(Carry.AsSpan(CarryLength));
        CarryLength += bytes.Length;
    }

    public void ClearCarry()
    {
        CarryLength = 0;
        // An idle file should not keep a large line's buffer.
        if (Carry.Length > 64 * 1024) Carry = Array.Empty<byte>();
    }

    /// <summary>Records the file's leading bytes as they become known (they are read once, from offset 0).</summary>
    public void LearnFingerprint(ReadOnlySpan<byte> leading)
    {
        var n = Math.Min(leading.Length, FingerprintSize);
        if (n <= FingerprintLength) return;
        // Longer first bytes extend what is known only if they agree with it; otherwise the file changed under us
        // (truncated and rewritten), which FingerprintStillMatches reports to the reader.
        if (!leading.StartsWith(Fingerprint)) return;
        leading[..n].CopyTo(_fingerprint);
        FingerprintLength = n;
    }

    /// <summary>
    /// Reads the file's first bytes again and says whether they are still the ones learnt: false means the file was
    /// truncated and rewritten, or the inode now belongs to another file, so the offsets no longer apply.
    /// </summary>
    public bool FingerprintStillMatches()
    {
        if (FingerprintLength == 0) return true;
        Span<byte> current = stackalloc byte[FingerprintSize];
        var n = RandomAccess.Read(Handle, current[..FingerprintLength], 0);
        return n == FingerprintLength && current[..n].SequenceEqual(Fingerprint);
    }

    /// <summary>Reads up to <see cref="FingerprintSize"/> leading bytes when fewer are known.</summary>
    public void RefreshFingerprint()
    {
        if (FingerprintLength == FingerprintSize) return;
        Span<byte> leading = stackalloc byte[FingerprintSize];
        var n = RandomAccess.Read(Handle, leading, 0);
        LearnFingerprint(leading[..n]);
    }

    public void Dispose() => CloseHandle();

    public override string ToString() => $"{Path} (inode {Inode}, read {ReadOffset}, committed {CommittedOffset})";
}
