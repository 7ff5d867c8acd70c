using System.Net.Sockets;
using System.Text.Json;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Forward;

/// <summary>
/// LogAgent to LogAgent with require_ack_response across a crash: the receiving agent is a real child process that
/// has the chunk but has not acked it (its own buffer is full and blocks the emit, so in_forward holds the ack back)
/// when it is killed with SIGKILL. The sending engine, in process with a file buffer, must resend the chunk to the
/// restarted receiver, and every event must arrive exactly as sent.
/// </summary>
public class ForwardAgentCrashResendTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const int Events = 100;

    [Fact]
    public async Task A_chunk_the_receiver_got_but_never_acked_before_SIGKILL_is_resent_after_restart_and_nothing_is_lost()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        int deadPort = ForwardOutputTests.DeadPort();

        // Receiver, first life: in_forward -> a forward output to nowhere whose tiny buffer blocks on overflow, so the
        // emit behind the ack never returns.
        var blocking = dir.File("receiver-blocking.conf");
        File.WriteAllText(blocking, $"""
            <source>
              @type forward
              bind 127.0.0.1
              port {port}
            </source>
            <match **>
              @type forward
              heartbeat_type none
              <server>
                host 127.0.0.1
                port {deadPort}
              </server>
              <buffer tag>
                @type memory
                chunk_limit_size 512
                total_limit_size 1024
                overflow_action block
                flush_mode interval
                flush_interval 60
              </buffer>
            </match>
            """);
        // Receiver, second life: in_forward -> JSON lines in a file.
        var writing = dir.File("receiver-file.conf");
        File.WriteAllText(writing, $$"""
            <source>
              @type forward
              bind 127.0.0.1
              port {{port}}
            </source>
            <match **>
              @type file
              path {{dir.Path}}/out/${tag}
              append true
              <format>
                @type json
              </format>
              <buffer tag>
                flush_mode interval
                flush_interval 0.1
                flush_thread_interval 0.05
              </buffer>
            </match>
            """);

        using var first = new AgentProcess("-c", blocking);
        await WaitListeningAsync(port, first);

        await using var sender = new SendingEngine(EngineFixture.Build($"""
            <source>
              @type test_manual
              @id in
            </source>
            <match crash.**>
              @type forward
              require_ack_response true
              ack_response_timeout 30
              connect_timeout 1
              heartbeat_interval 0.2
              recover_wait 0.6
              <server>
                host 127.0.0.1
                port {port}
              </server>
              <buffer tag>
                @type file
                path {dir.Path}/sender-buffer
                flush_mode interval
                flush_interval 0.1
                flush_thread_interval 0.05
                retry_wait 0.2
                retry_max_interval 0.5
                retry_forever true
              </buffer>
            </match>
            """));
        await sender.Engine.StartAsync(CancellationToken.None);
        var sent = Enumerable.Range(1, Events).Select(i => new Record { ["seq"] = (long)i, ["msg"] = $"event {i:000}", ["pad"] = new string('p', 40) }).ToArray();
        sender.Engine.Input("in").Emit("crash.resend", sent);

        // The receiver has the request in hand and is stuck before the ack: its buffer says so.
        await Eventually.True(() => (first.Stdout + first.Stderr).Contains("buffer full (overflow_action block)"), Deadline,
            () => $"the first receiver never blocked; stderr:\n{first.Stderr}");
        first.Signal(AgentProcess.SIGKILL);
        first.WaitForExit(TimeSpan.FromSeconds(10));

        using var second = new AgentProcess("-c", writing);
        string OutputText() => Directory.Exists(Path.Combine(dir.Path, "out"))
            ? string.Concat(Directory.GetFiles(Path.Combine(dir.Path, "out"), "*", SearchOption.AllDirectories).Select(File.ReadAllText))
            : "";
        List<JsonElement> Lines() => OutputText().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        await Eventually.True(() => Lines().Count >= Events, Deadline,
            () => $"{Lines().Count} of {Events} events in the restarted receiver's file; its stderr:\n{second.Stderr}");
        await sender.DisposeAsync();
        second.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, second.WaitForExit(TimeSpan.FromSeconds(30)));

        var received = Lines();
        Assert.Equal(Events, received.Count);
        for (int i = 0; i < Events; i++)
        {
            Assert.Equal((long)sent[i]["seq"]!, received[i].GetProperty("seq").GetInt64());
            Assert.Equal((string)sent[i]["msg"]!, received[i].GetProperty("msg").GetString());
            Assert.Equal((string)sent[i]["pad"]!, received[i].GetProperty("pad").GetString());
        }
    }

    private static async Task WaitListeningAsync(int port, AgentProcess agent)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (SocketException e)
            {
                throw new TimeoutException($"the receiving agent did not listen on {port}: {e.Message}; stderr:\n{agent.Stderr}");
            }
        }
    }

    /// <summary>Stops the in-process engine even when the test fails half-way.</summary>
    private sealed class SendingEngine(LogAgent.Core.Engine.AgentEngine engine) : IAsyncDisposable
    {
        public LogAgent.Core.Engine.AgentEngine Engine { get; } = engine;
        private bool _stopped;

        public async ValueTask DisposeAsync()
        {
            if (_stopped) return;
            _stopped = true;
            try { await Engine.StopAsync(); } catch (ObjectDisposedException) { }
        }
    }
}
