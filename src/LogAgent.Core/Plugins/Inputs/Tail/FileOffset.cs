using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// Moves a file descriptor's own offset (lseek) to where the tail has read and emitted. The tail reads with
/// positioned reads (pread), which leave that offset at 0; but the offset in <c>/proc/PID/fdinfo/FD</c> is how
/// tools outside the agent see how far an agent has read a log (fluentd's and Fluent Bit's plain read()s move it),
/// so the tail keeps it true, one system call per read turn.
/// </summary>
internal static class FileOffset
{
    public static void Set(SafeFileHandle handle, long offset)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = lseek((int)handle.DangerousGetHandle(), offset, SeekSet); // only informative: a failure changes nothing read
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private const int SeekSet = 0;

    [DllImport("libc", SetLastError = true)]
    private static extern long lseek(int fd, long offset, int whence);
}
