using LogAgent.Tests.Forward;
using LogAgent.Tests.Support;
using MessagePack;
using Xunit.Abstractions;

namespace LogAgent.Tests.Buffers;

/// <summary>
/// At least once across crashes, with real processes: the agent (forward in → file buffer → forward out) is killed
/// with SIGKILL again and again while its destination is down and a client keeps sending; then it restarts with the
/// destination up. Every event the agent acknowledged must arrive; duplicates are counted and reported.
/// </summary>
public class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Kills = 20;

    [Fact]
    public async Task Every_acknowledged_event_arrives_after_repeated_SIGKILLs()
    {
        using var dir = new TempDirectory();
        int inPort = FreePort.Get(), outPort = FreePort.Get();
        var config = dir.File("agent.conf");
        File.WriteAllText(config, $"""
            <system>
              root_dir {dir.Path}/state
            </system>
            <source>
              @type forward
              bind 127.0.0.1
              port {inPort}
            </source>
            <match crash.**>
              @type forward
              @id to_receiver
              require_ack_response true
              ack_response_timeout 5
              connect_timeout 1
              <server>
                host 127.0.0.1
                port {outPort}
              </server>
              <buffer tag>
                @type file
                path {dir.Path}/buffer
                chunk_limit_size 64k
                flush_mode interval
                flush_interval 0.1
                flush_thread_interval 0.05
                flush_thread_burst_interval 0.01
                retry_wait 0.1
                retry_max_interval 0.5
                retry_forever true
              </buffer>
            </match>
            """);

        var acked = new HashSet<long>();
        long next = 0;
        var random = new Random(20261126);
        for (int kill = 0; kill < Kills; kill++)
        {
            using var agent = new AgentProcess("-c", config);
            using var client = await ConnectWhenListening(inPort, agent);
            // Send batches until a random moment, then SIGKILL — possibly in the middle of a batch.
            var killAt = DateTime.UtcNow + TimeSpan.FromMilliseconds(random.Next(100, 600));
            var sending = Task.Run(async () =>
            {
                while (true)
                {
                    var batch = Enumerable.Range(0, 20).Select(_ => Interlocked.Increment(ref next) - 1).ToList();
                    var ok = await client.SendWithAckAsync("crash.test", batch.Select(n => new Record { ["n"] = n, ["pad"] = new string('x', 100) }),
                        $"c{batch[0]}", TimeSpan.FromSeconds(5));
                    if (!ok) return;
                    lock (acked) foreach (var n in batch) acked.Add(n);
                }
            });
            while (DateTime.UtcNow < killAt && !sending.IsCompleted) await Task.Delay(10);
            agent.Signal(AgentProcess.SIGKILL);
            agent.WaitForExit(TimeSpan.FromSeconds(10));
            await sending.WaitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.True(acked.Count > 500, $"only {acked.Count} events were acknowledged across {Kills} runs");

        await using var receiver = new TestForwardReceiver(TestForwardReceiver.AckPolicy.Echo, outPort);
        using (var agent = new AgentProcess("-c", config))
        {
            await Eventually.True(() => Received(receiver).Distinct().Count(acked.Contains) == acked.Count, TimeSpan.FromSeconds(90),
                () => $"{Received(receiver).Distinct().Count(acked.Contains)} of {acked.Count} acknowledged events received; stderr:\n{agent.Stderr[^Math.Min(agent.Stderr.Length, 3000)..]}");
            agent.Signal(AgentProcess.SIGTERM);
            Assert.Equal(0, agent.WaitForExit(TimeSpan.FromSeconds(60)));
        }

        var received = Received(receiver);
        var missing = acked.Where(n => !received.Contains(n)).ToList();
        int duplicates = received.Count - received.Distinct().Count();
        int unacknowledgedDelivered = received.Distinct().Count(n => !acked.Contains(n));
        output.WriteLine($"{Kills} SIGKILLs: {acked.Count} events acknowledged, {received.Count} received, {duplicates} duplicates, " +
            $"{unacknowledgedDelivered} delivered that were never acknowledged (accepted just before a kill), {missing.Count} lost");
        Assert.Empty(missing);
    }

    private static async Task<ForwardTestClient> ConnectWhenListening(int port, AgentProcess agent)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await ForwardTestClient.ConnectAsync(port, TimeSpan.FromSeconds(1));
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new TimeoutException($"the agent did not listen on {port}: {e.Message}; stderr:\n{agent.Stderr}");
            }
        }
    }

    private static List<long> Received(TestForwardReceiver receiver)
    {
        var numbers = new List<long>();
        foreach (var request in receiver.Requests)
        {
            var reader = new MessagePackReader(request.Entries);
            while (!reader.End)
            {
                reader.ReadArrayHeader();
                reader.Skip(); // time
                var record = LogAgent.Sdk.Events.RecordCodec.ReadRecord(ref reader);
                numbers.Add((long)record["n"]!);
            }
        }
        return numbers;
    }
}
