using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Reload;

/// <summary>
/// The sd_notify messages the agent sends as a systemd service (Type=notify): READY=1 once started, and around a
/// reload RELOADING=1 with MONOTONIC_USEC (which Type=notify-reload requires) then READY=1. The test plays systemd: it
/// binds the NOTIFY_SOCKET datagram socket and starts the agent as the child of a process named systemd.
/// </summary>
public class SystemdNotifyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        private readonly Task _receiving;

        public NotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _receiving = Task.Run(ReceiveAsync);
        }

        public string Path { get; }
        public ConcurrentQueue<string> Messages { get; } = new();

        private async Task ReceiveAsync()
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    int n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                    Messages.Enqueue(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _receiving.Wait(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task The_agent_sends_READY_then_RELOADING_with_MONOTONIC_USEC_and_READY_around_a_reload()
    {
        using var dir = new TempDirectory();
        var config = dir.File("agent.conf");
        File.WriteAllText(config, $"""
            <source>
              @type forward
              bind 127.0.0.1
              port {FreePort.Get()}
            </source>
            {ReloadTests.FileMatch("out", dir.Sub("out"))}
            """);
        using var notify = new NotifySocket(dir.File("notify.sock"));
        using var agent = AgentProcess.AsSystemdService(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path }, "-c", config);
        await Eventually.True(() => notify.Messages.Contains("READY=1"), Deadline,
            () => $"READY=1; got [{string.Join(" | ", notify.Messages)}]; stderr:\n{agent.Stderr}");

        // CLOCK_MONOTONIC is one clock for every process on the machine: the agent's stamp lies between these two.
        long before = MonotonicMicroseconds();
        agent.Signal(AgentProcess.SIGHUP);
        await Eventually.True(() => notify.Messages.Count(m => m == "READY=1") >= 2, Deadline,
            () => $"a second READY=1; got [{string.Join(" | ", notify.Messages)}]; stderr:\n{agent.Stderr}");
        long after = MonotonicMicroseconds();

        var messages = notify.Messages.ToList();
        Assert.Equal("READY=1", messages[0]);
        var reloading = Assert.Single(messages, m => m.StartsWith("RELOADING=1", StringComparison.Ordinal));
        var lines = reloading.Split('\n');
        Assert.Equal("RELOADING=1", lines[0]);
        Assert.StartsWith("MONOTONIC_USEC=", lines[1]);
        long stamp = long.Parse(lines[1]["MONOTONIC_USEC=".Length..]);
        Assert.InRange(stamp, before, after);
        Assert.True(messages.IndexOf(reloading) < messages.LastIndexOf("READY=1"), $"RELOADING=1 before READY=1: [{string.Join(" | ", messages)}]");

        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
    }

    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000.0));
}
