using System.Runtime.InteropServices;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>
/// fsync of a directory, which makes a rename inside it durable: without it, a power cut after the rename can leave
/// the directory pointing at the old file (or none). .NET has no API for it (a directory cannot be opened as a
/// FileStream), so libc's open(O_RDONLY|O_DIRECTORY) and fsync are called. Elsewhere than Linux it does nothing.
/// </summary>
internal static class DirectoryFsync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux (x86-64 and arm64)

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = open(directory, ReadOnly | Directory);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            close(fd);
        }
    }

    // CharSet.Ansi marshals as UTF-8 on Unix.
    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
}
