using System.Diagnostics;

namespace LogAgent.Tests.Buffers;

/// <summary>A small tmpfs mounted for one test, so "disk full" is a real ENOSPC from the kernel. Needs root (or CAP_SYS_ADMIN).</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount Mount(string path, string size)
    {
        Directory.CreateDirectory(path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path);
        if (code != 0) throw new InvalidOperationException($"mount -t tmpfs failed ({code}): {output}");
        return new TmpfsMount(path);
    }

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can (probed once by mounting and unmounting one).</summary>
    public static string? WhyUnavailable { get; } = Probe();

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts need Linux";
        var probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "logagent-tmpfs-probe-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (Mount(probe, "64k")) { }
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "cannot mount a tmpfs in this environment (the disk-full test needs root): " + e.Message;
        }
        finally
        {
            try { Directory.Delete(probe); } catch (IOException) { }
        }
    }

    public void Dispose()
    {
        if (Run("umount", Path).Code != 0) Run("umount", "-l", Path);
    }

    private static (int Code, string Output) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}

/// <summary>A fact that is skipped, saying why, where a tmpfs cannot be mounted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (TmpfsMount.WhyUnavailable is { } reason) Skip = reason;
    }
}
