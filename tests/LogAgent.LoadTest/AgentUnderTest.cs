using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace LogAgent.LoadTest;

/// <summary>
/// The agent's real executable as a child process, and its resource use as Linux reports it: CPU time from
/// /proc/PID/stat (utime + stime) and peak resident memory from /proc/PID/status (VmHWM).
/// </summary>
public sealed class AgentUnderTest : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <param name="executable">An agent executable to start as it is (a published single file or apphost); null:
    /// <c>dotnet</c> on the build output's logagent.dll (<see cref="ExecutablePath"/>).</param>
    public AgentUnderTest(string? executable, string configPath, IEnumerable<KeyValuePair<string, string>> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (executable is null) info.ArgumentList.Add(ExecutablePath);
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(configPath);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        _process = new Process { StartInfo = info };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, _) => { };
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public static string ExecutablePath => Path.Combine(RepositoryRoot(), "src", "LogAgent", "bin", Configuration, "net10.0", "logagent.dll");

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public async Task WaitListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the agent exited with {_process.ExitCode}:\n{Stderr}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    [DllImport("libc")]
    private static extern long sysconf(int name);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>SIGTERM, and waits for the agent to exit (it flushes and logs its metrics on the way out).</summary>
    public int Stop(TimeSpan timeout)
    {
        if (kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastWin32Error()}");
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"the agent did not exit within {timeout} of SIGTERM:\n{Stderr}");
        _process.WaitForExit(); // the stderr reader has read everything
        return _process.ExitCode;
    }

    private const int ScClkTck = 2;

    /// <summary>User plus system CPU seconds the agent has used so far.</summary>
    public double CpuSeconds()
    {
        string stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        // The command name (field 2) may hold spaces; the fields after it start with the state (field 3).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[14 - 3]) + long.Parse(fields[15 - 3]);
        return ticks / (double)sysconf(ScClkTck);
    }

    /// <summary>Peak resident set size in MiB.</summary>
    public double PeakRssMiB() => StatusKiB("VmHWM:") / 1024.0;

    private long StatusKiB(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        throw new InvalidOperationException($"no {field} in /proc/{_process.Id}/status");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LogAgent.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (LogAgent.sln) above " + AppContext.BaseDirectory);
    }
}
