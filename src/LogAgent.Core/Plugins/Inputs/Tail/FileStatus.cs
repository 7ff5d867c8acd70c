using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// What stat(2) says of a file that .NET's FileInfo does not: the inode and device (rotation is detected by the inode
/// changing under a path, and fluentd's pos file records it), the link count (0 once a file open here was deleted)
/// and the size and mtime, in one system call.
/// </summary>
/// <remarks>
/// Read with statx(2) rather than stat(2) because struct statx has one layout on every Linux architecture (struct
/// stat differs between x86-64 and arm64); glibc has had the wrapper since 2.28.
/// </remarks>
public readonly record struct FileStatus(ulong Inode, ulong Device, long Size, uint LinkCount, DateTimeOffset ModifiedAt, bool IsRegularFile)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>The file a path leads to (symbolic links followed), or null when there is none.</summary>
    public static FileStatus? Of(string path) => Stat(AtFdCwd, path, 0);

    /// <summary>The path itself, not what a symbolic link points to.</summary>
    public static FileStatus? OfLink(string path) => Stat(AtFdCwd, path, AtSymlinkNoFollow);

    /// <summary>The open file behind a handle, whatever its name now is (fstat).</summary>
    public static FileStatus Of(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Stat((int)handle.DangerousGetHandle(), "", AtEmptyPath)
                ?? throw new IOException("fstat of an open file found no file");
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private static FileStatus? Stat(int dirFd, string path, int flags)
    {
        if (statx(dirFd, path, flags, StatxBasicStats, out var buffer) == 0)
        {
            const ushort typeMask = 0xF000, regular = 0x8000;
            var modified = DateTimeOffset.FromUnixTimeSeconds(buffer.MtimeSeconds).AddTicks(buffer.MtimeNanoseconds / 100);
            return new FileStatus(buffer.Inode, ((ulong)buffer.DevMajor << 32) | buffer.DevMinor, (long)buffer.Size,
                buffer.LinkCount, modified, (buffer.Mode & typeMask) == regular);
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno is ENOENT or ENOTDIR) return null;
        throw new IOException($"statx {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, out StatxBuffer statxbuf);

    // linux/stat.h struct statx, 256 bytes; only the fields read here are named.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(16)] public uint LinkCount;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}
