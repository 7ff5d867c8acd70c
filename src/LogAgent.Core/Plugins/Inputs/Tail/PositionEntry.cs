namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// One line of a fluentd position file (<c>path\tOFFSET\tINODE\n</c>) and where its fixed-width fields sit in the file,
/// the counterpart of fluentd's <c>FilePositionEntry</c> (lib/fluent/plugin/in_tail/position_file.rb): its
/// <c>@seek</c> is our <see cref="FieldOffset"/>, the byte just after the path's tab.
/// </summary>
public sealed class PositionEntry
{
    internal PositionEntry(string path, ulong offset, ulong inode, long fieldOffset)
    {
        Path = path;
        Offset = offset;
        Inode = inode;
        FieldOffset = fieldOffset;
    }

    /// <summary>The watched file's path as written in the position file.</summary>
    public string Path { get; }

    /// <summary>How far the file has been read, in bytes; <see cref="PositionFile.UnwatchedPosition"/> once unwatched.</summary>
    public ulong Offset { get; internal set; }

    /// <summary>The inode the offset belongs to (a rotated file has a new inode).</summary>
    public ulong Inode { get; internal set; }

    /// <summary>fluentd writes <c>ffffffffffffffff</c> over the offset of a file it stopped watching (position_file.rb, <c>unwatch</c>).</summary>
    public bool IsUnwatched => Offset == PositionFile.UnwatchedPosition;

    /// <summary>
    /// Byte offset in the position file of the 16-hex offset field (the inode field follows 17 bytes later), or -1 when
    /// the line is not in fluentd's fixed-width form (short hex fields, no newline) and cannot be updated in place
    /// until the file is compacted.
    /// </summary>
    public long FieldOffset { get; internal set; }

    /// <summary>False once the entry was dropped by <see cref="PositionFile.Compact"/> or replaced by a later line.</summary>
    public bool IsInFile { get; internal set; } = true;

    public override string ToString() => $"{Path}\t{Offset:x16}\t{Inode:x16}";
}
