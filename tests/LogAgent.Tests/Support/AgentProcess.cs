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

    public AgentProcess(params string[] arguments) : this(redirectInput: false, null, systemdExecPid: false, arguments) { }

    /// <summary>Starts the executable with these environment variables added.</summary>
    public AgentProcess(IReadOnlyDictionary<string, string> environment, params string[] arguments)
        : this(redirectInput: false, environment, systemdExecPid: false, arguments) { }

    /// <summary>Starts the executable with standard input a pipe the test writes through <see cref="Input"/>.</summary>
    public static AgentProcess WithInput(params string[] arguments) => new(redirectInput: true, null, systemdExecPid: false, arguments);

    /// <summary>
    /// Starts the executable as systemd starts a service: SYSTEMD_EXEC_PID is its own pid (Microsoft.Extensions.Hosting's
    /// SystemdHelpers.IsSystemdService checks exactly that), which a parent cannot know before the child exists; so a
    /// shell exports its own pid and execs dotnet, which keeps that pid. NOTIFY_SOCKET goes in <paramref name="environment"/>.
    /// </summary>
    public static AgentProcess AsSystemdService(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(redirectInput: false, environment, systemdExecPid: true, arguments);

    private AgentProcess(bool redirectInput, IReadOnlyDictionary<string, string>? environment, bool systemdExecPid, string[] arguments)
    {
        var info = new ProcessStartInfo(systemdExecPid ? "/bin/sh" : "dotnet")
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        if (systemdExecPid)
        {
            // sh -c 'SCRIPT' NAME ARGS...: "$@" are the arguments after NAME.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("export SYSTEMD_EXEC_PID=$$; exec dotnet \"$@\"");
            info.ArgumentList.Add("logagent");
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        info.ArgumentList.Add(ExecutablePath);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

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
        if (kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastWin32Error()}");
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
