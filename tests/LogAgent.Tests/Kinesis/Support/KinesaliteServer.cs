using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.Support;

/// <summary>
/// kinesalite (npm, pinned by tests/services/kinesalite/package-lock.json, installed by .ci/run) as a child process:
/// in memory, bound to 127.0.0.1 on a port the kernel picks (serve.js listens on port 0 and prints the port, so no
/// other process can take it between choosing and binding), streams ACTIVE at once. Killed with its process tree on
/// dispose. When node or kinesalite is missing, <see cref="Start"/> throws naming .ci/run: the tests fail, never skip.
/// </summary>
public sealed partial class KinesaliteServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public static string ServiceDirectory => Path.Combine(RepoPaths.Root, "tests", "services", "kinesalite");

    private KinesaliteServer(Process process) => _process = process;

    public int Port { get; private set; }
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");
    public int ProcessId => _process.Id;

    /// <summary>What kinesalite printed (stdout and stderr), for failure messages.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="serviceDirectory">Where serve.js and node_modules are; tests/services/kinesalite by default.</param>
    public static KinesaliteServer Start(TimeSpan? timeout = null, string? serviceDirectory = null)
    {
        var deadline = timeout ?? TimeSpan.FromSeconds(30);
        var directory = serviceDirectory ?? ServiceDirectory;
        if (!File.Exists(Path.Combine(directory, "node_modules", "kinesalite", "package.json")))
            throw new InvalidOperationException(
                "kinesalite is not installed: run `bash .ci/run` (or `npm ci --omit=optional --ignore-scripts` in tests/services/kinesalite), which installs it");

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("serve.js");
        info.ArgumentList.Add("0");
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"node is not on PATH ({e.Message}): .ci/run installs nodejs and npm from Debian when they are missing");
        }

        var server = new KinesaliteServer(process);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (server._output) server._output.AppendLine(e.Data);
            var m = ListeningLine().Match(e.Data);
            if (m.Success) listening.TrySetResult(int.Parse(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._output) server._output.AppendLine(e.Data); };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("kinesalite exited before listening"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            if (!listening.Task.Wait(deadline))
                throw new TimeoutException($"kinesalite did not report listening within {deadline}");
            server.Port = listening.Task.Result;
            server.WaitUntilAnswering(deadline);
            return server;
        }
        catch (Exception e)
        {
            var output = server.Output;
            server.Dispose();
            throw new InvalidOperationException($"kinesalite did not start ({(e as AggregateException)?.InnerException?.Message ?? e.Message}); its output:\n{output}", e);
        }
    }

    /// <summary>Waits until kinesalite answers an HTTP request (ListStreams), not only until its socket accepts.</summary>
    private void WaitUntilAnswering(TimeSpan timeout)
    {
        using var client = new KinesisTestClient(Endpoint);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                client.ListStreamsAsync().GetAwaiter().GetResult();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or SocketException && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50); // polling a condition with a deadline
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { } // already gone
        _process.Dispose();
    }

    [GeneratedRegex(@"^Listening at http://127\.0\.0\.1:(\d+)$")]
    private static partial Regex ListeningLine();
}
