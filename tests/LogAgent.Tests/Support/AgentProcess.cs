using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace LogAgent.Tests.Support;

/// <summary>The real executable as a child process, with its stdout and stderr captured.</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static string ExecutablePath => Path.Combine(RepoPaths.Root, "src", "LogAgent", "bin", Configuration, "net10.0", "logagent.dll");

    public AgentProcess(params string[] arguments) : this(redirectInput: false, null, underSystemd: false, arguments) { }

    /// <summary>Starts the executable with these environment variables added.</summary>
    public AgentProcess(IReadOnlyDictionary<string, string> environment, params string[] arguments)
        : this(redirectInput: false, environment, underSystemd: false, arguments) { }

    /// <summary>Starts the executable with standard input a pipe the test writes through <see cref="Input"/>.</summary>
    public static AgentProcess WithInput(params string[] arguments) => new(redirectInput: true, null, underSystemd: false, arguments);

    /// <summary>
    /// Starts the executable as a child of a process named <c>systemd</c>: Microsoft.Extensions.Hosting.Systemd 10.0.14's
    /// SystemdHelpers.IsSystemdService accepts PID 1 or a parent whose /proc/PPID/comm is "systemd" (its strings hold
    /// NOTIFY_SOCKET, LISTEN_PID and /proc/…/comm, no SYSTEMD_EXEC_PID). So a shell started through a symlink named
    /// <c>systemd</c> runs dotnet as its child (not exec) and writes the child's pid to a file, which <see cref="Id"/>
    /// and <see cref="Signal"/> then use. NOTIFY_SOCKET goes in <paramref name="environment"/>.
    /// </summary>
    public static AgentProcess AsSystemdService(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(redirectInput: false, environment, underSystemd: true, arguments);

    /// <summary>
    /// Starts another build of the agent, an executable file (the packaged single-file one), in
    /// <paramref name="workingDirectory"/>, with <paramref name="environment"/> changed (a null value unsets the variable).
    /// </summary>
    public static AgentProcess Executable(string path, string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        new(path, Array.Empty<string>(), workingDirectory, environment, redirectInput: false, underSystemd: false, arguments);

    private AgentProcess(bool redirectInput, IReadOnlyDictionary<string, string>? environment, bool underSystemd, string[] arguments)
        : this("dotnet", new[] { ExecutablePath }, RepoPaths.Root,
            (environment ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => (string?)kv.Value), redirectInput, underSystemd, arguments) { }

    private AgentProcess(string fileName, string[] leadingArguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment,
        bool redirectInput, bool underSystemd, string[] arguments)
    {
        string? pidFile = null;
        if (underSystemd)
        {
            _systemdDirectory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "logagent-systemd-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(_systemdDirectory);
            File.CreateSymbolicLink(System.IO.Path.Combine(_systemdDirectory, "systemd"), "/bin/sh");
            pidFile = System.IO.Path.Combine(_systemdDirectory, "agent.pid");
        }
        var info = new ProcessStartInfo(underSystemd ? System.IO.Path.Combine(_systemdDirectory!, "systemd") : fileName)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (underSystemd)
        {
            // sh -c 'SCRIPT' NAME ARGS...: "$@" are the arguments after NAME (the agent's command line). The pid file is
            // written before the child can have started the host, and renamed into place so it is never read half-written.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("\"$@\" & echo $! > \"$PIDFILE.tmp\"; mv \"$PIDFILE.tmp\" \"$PIDFILE\"; wait $!; exit $?");
            info.ArgumentList.Add("systemd");
            info.ArgumentList.Add(fileName);
            info.Environment["PIDFILE"] = pidFile!;
        }
        foreach (var (name, value) in environment)
            if (value is null) info.Environment.Remove(name); else info.Environment[name] = value;
        foreach (var a in leadingArguments.Concat(arguments)) info.ArgumentList.Add(a);
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (pidFile is not null)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!File.Exists(pidFile) && DateTime.UtcNow < deadline) Thread.Sleep(10);
            _agentPid = int.Parse(File.ReadAllText(pidFile).Trim());
        }
    }

    private readonly string? _systemdDirectory;
    private readonly int? _agentPid;

    /// <summary>The agent's pid (under <see cref="AsSystemdService"/> the child of the "systemd" shell).</summary>
    public int Id => _agentPid ?? _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Standard input, when started with <see cref="WithInput"/>; close it to give the process end of input.</summary>
    public StreamWriter Input => _process.StandardInput;
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Runs the executable to completion and returns its exit code.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] arguments)
    {
        using var agent = new AgentProcess(arguments);
        int code = agent.WaitForExit(timeout);
        return (code, agent.Stdout, agent.Stderr);
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"logagent did not exit within {timeout}; stderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public void Signal(int signal)
    {
        if (kill(Id, signal) != 0) throw new InvalidOperationException($"kill({Id}, {signal}) failed: errno {Marshal.GetLastWin32Error()}");
    }

    public const int SIGTERM = 15;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGHUP = 1;
    public const int SIGUSR1 = 10;
    public const int SIGUSR2 = 12;
    public const int SIGCONT = 18;

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        if (_systemdDirectory is not null)
            try { Directory.Delete(_systemdDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Waits for a condition with a deadline instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static async Task True(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met within {timeout}: {describe()}");
            await Task.Delay(50);
        }
    }

    /// <summary>The same for a condition that has to ask over the network.</summary>
    public static async Task True(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met within {timeout}: {describe()}");
            await Task.Delay(50);
        }
    }
}
