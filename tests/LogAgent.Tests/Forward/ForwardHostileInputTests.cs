using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins.Inputs;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Forward;

/// <summary>
/// Tests that measure time and memory: they run alone, after the parallel tests, so other tests' load neither slows
/// the well-behaved client nor shows up in the heap.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimedForwardCollection
{
    public const string Name = "timed forward tests (run alone)";
}

/// <summary>
/// The forward input under attack: random bytes, truncated requests, lengths announced but never sent, a thousand idle
/// connections, and senders trickling one byte at a time. Each offending connection is closed (or held at a bounded
/// cost) with one warning naming the peer and the reason, and a well-behaved client keeps being served at no less than
/// <see cref="MinimumShareOfBaseline"/> of its rate without the attack.
/// </summary>
[Collection(TimedForwardCollection.Name)]
public class ForwardHostileInputTests
{
    /// <summary>Generous on purpose: attackers and the client share this process and its two CPUs.</summary>
    private const double MinimumShareOfBaseline = 0.3;

    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(1);

    private sealed class Server : IAsyncDisposable
    {
        private Server(AgentEngine engine, CapturingLoggerProvider logs)
        {
            Engine = engine;
            Logs = logs;
        }

        public AgentEngine Engine { get; }
        public CapturingLoggerProvider Logs { get; }
        public ForwardInput Input => Engine.Inputs.OfType<ForwardInput>().Single();
        public int Port => Input.BoundPort;

        // A null output: the client's rate then measures the input, not a test output that decodes every record.
        public static async Task<Server> StartAsync(string inputParameters)
        {
            var logs = new CapturingLoggerProvider();
            var engine = EngineFixture.Build($"""
                <source>
                  @type forward
                  @id in
                  bind 127.0.0.1
                  port 0
                  {inputParameters}
                </source>
                <match **>
                  @type null
                </match>
                """, logs);
            await engine.StartAsync(CancellationToken.None);
            return new Server(engine, logs);
        }

        public async Task<TcpClient> ConnectAsync()
        {
            var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync("127.0.0.1", Port);
            return client;
        }

        /// <summary>The well-behaved client's acked events/s, after a short warm-up so JIT compilation is not measured.</summary>
        public async Task<double> BaselineAsync(WellBehavedSender client)
        {
            await client.MeasureAckedEventsPerSecondAsync(TimeSpan.FromMilliseconds(300));
            return await client.MeasureAckedEventsPerSecondAsync(Measure);
        }

        public IReadOnlyList<string> ClosingLinesFor(int port) =>
            Logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.StartsWith($"closing forward connection from 127.0.0.1:{port}:"))
                .Select(l => l.Message).ToList();

        public string AllLines() => string.Join("\n", Logs.Lines.Select(l => $"[{l.Level}] {l.Message}"));

        public async ValueTask DisposeAsync() => await Engine.StopAsync();
    }

    private static int LocalPort(TcpClient client) => ((IPEndPoint)client.Client.LocalEndPoint!).Port;

    /// <summary>Waits until the server closed the connection (end of stream or reset), failing at the deadline.</summary>
    private static async Task AssertClosedByServerAsync(TcpClient client, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            while (await client.GetStream().ReadAsync(buffer, timeout.Token) > 0) { }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the server did not close the connection from port {LocalPort(client)} within {within}");
        }
        catch (IOException) { } // reset: closed too
        catch (InvalidOperationException) when (!client.Connected) { } // a write already saw the reset and disconnected the client
    }

    private static async Task WriteIgnoringCloseAsync(TcpClient client, byte[] bytes)
    {
        try
        {
            await client.GetStream().WriteAsync(bytes);
        }
        catch (IOException) { } // the server may close before it read everything
    }

    private static async Task AssertOneLineEachAsync(Server server, IEnumerable<int> ports, string reason)
    {
        foreach (var port in ports)
        {
            await Eventually.True(() => server.ClosingLinesFor(port).Count > 0, ForwardInputHarness.Deadline,
                () => $"no closing line for port {port}:\n{server.AllLines()}");
            var line = Assert.Single(server.ClosingLinesFor(port));
            Assert.True(line.Contains(reason), $"'{line}' does not say '{reason}'");
        }
    }

    private static void AssertServedAtFullRate(double baseline, double underAttack, string attack) =>
        Assert.True(underAttack >= MinimumShareOfBaseline * baseline,
            $"during {attack} the well-behaved client got {underAttack:N0} acked events/s, less than {MinimumShareOfBaseline:P0} of {baseline:N0} without it");

    [Fact]
    public async Task Random_bytes_close_each_connection_with_one_warning_while_a_good_client_is_served()
    {
        await using var server = await StartAsync("request_timeout 1s");
        using var client = await WellBehavedSender.ConnectAsync(server.Port);
        double baseline = await server.BaselineAsync(client);

        // Eight attackers in a loop: connect, send 4 KiB of seeded random bytes, wait to be closed. Random bytes either
        // break the protocol (closed at once) or leave a request incomplete (closed by request_timeout).
        using var stop = new CancellationTokenSource();
        var ports = new System.Collections.Concurrent.ConcurrentBag<int>();
        var attackers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (int round = 0; !stop.IsCancellationRequested; round++)
            {
                var bytes = new byte[4096];
                new Random(worker * 1000 + round).NextBytes(bytes);
                using var attacker = await server.ConnectAsync();
                ports.Add(LocalPort(attacker));
                await WriteIgnoringCloseAsync(attacker, bytes);
                await AssertClosedByServerAsync(attacker, ForwardInputHarness.Deadline);
            }
        })).ToList();
        double underAttack = await client.MeasureAckedEventsPerSecondAsync(Measure);
        stop.Cancel();
        await Task.WhenAll(attackers);

        AssertServedAtFullRate(baseline, underAttack, $"{ports.Count} random-byte connections");
        foreach (var port in ports)
        {
            await Eventually.True(() => server.ClosingLinesFor(port).Count > 0, ForwardInputHarness.Deadline,
                () => $"no closing line for port {port}:\n{server.AllLines()}");
            Assert.Single(server.ClosingLinesFor(port));
        }
    }

    [Fact]
    public async Task Truncated_requests_are_closed_by_request_timeout_with_one_warning_each()
    {
        await using var server = await StartAsync("request_timeout 1s");
        using var client = await WellBehavedSender.ConnectAsync(server.Port);
        double baseline = await server.BaselineAsync(client);

        var whole = Requests.Message("cut", 1709294400, 1, chunk: "c");
        var attackers = new List<TcpClient>();
        foreach (int length in new[] { 1, 2, 5, whole.Length / 2, whole.Length - 1 })
        {
            var attacker = await server.ConnectAsync();
            await attacker.GetStream().WriteAsync(whole.AsMemory(0, length));
            attackers.Add(attacker);
        }
        double underAttack = await client.MeasureAckedEventsPerSecondAsync(Measure);

        foreach (var attacker in attackers) await AssertClosedByServerAsync(attacker, ForwardInputHarness.Deadline);
        AssertServedAtFullRate(baseline, underAttack, "truncated requests");
        await AssertOneLineEachAsync(server, attackers.Select(LocalPort), "a request was still incomplete 1s after it began");
        foreach (var attacker in attackers) attacker.Dispose();
    }

    // [tag, bin32 of 100 MiB …; [str32 tag of 100 MiB …; [tag, array32 of 2^32-1 entries (nil so far) …
    private static IEnumerable<byte[]> BogusSizeHeaders()
    {
        var size = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(size, 100 * 1024 * 1024);
        yield return [0x93, 0xa1, (byte)'t', MessagePackCode.Bin32, .. size, .. new byte[64 * 1024]];
        yield return [0x93, MessagePackCode.Str32, .. size, .. new byte[64 * 1024]];
        yield return [0x93, 0xa1, (byte)'t', MessagePackCode.Array32, 0xff, 0xff, 0xff, 0xff, .. Enumerable.Repeat(MessagePackCode.Nil, 1000)];
    }

    [Fact]
    public async Task A_length_announced_but_never_sent_allocates_nothing_up_front_and_is_closed_by_request_timeout()
    {
        await using var server = await StartAsync("request_timeout 3s");
        using var client = await WellBehavedSender.ConnectAsync(server.Port);
        double baseline = await server.BaselineAsync(client);

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var attackers = new List<TcpClient>();
        foreach (var header in BogusSizeHeaders())
            for (int i = 0; i < 3; i++)
            {
                var attacker = await server.ConnectAsync();
                await attacker.GetStream().WriteAsync(header);
                attackers.Add(attacker);
            }
        await Eventually.True(() => server.Input.ConnectionCount >= attackers.Count + 1, ForwardInputHarness.Deadline, () => $"{server.Input.ConnectionCount} connections:\n{server.AllLines()}");
        await Task.Delay(300); // let the server read what was sent
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        // Nine connections announcing 100 MiB each: 900 MiB if anything trusted the lengths.
        Assert.True(allocated < 32L << 20, $"{allocated >> 20} MiB allocated while nine connections announced 100 MiB each");

        double underAttack = await client.MeasureAckedEventsPerSecondAsync(Measure);
        foreach (var attacker in attackers) await AssertClosedByServerAsync(attacker, ForwardInputHarness.Deadline);
        AssertServedAtFullRate(baseline, underAttack, "bogus-size requests");
        await AssertOneLineEachAsync(server, attackers.Select(LocalPort), "a request was still incomplete 3s after it began");
        foreach (var attacker in attackers) attacker.Dispose();
    }

    [Fact]
    public async Task A_length_announced_past_chunk_size_limit_closes_the_connection_at_once()
    {
        await using var server = await StartAsync("chunk_size_limit 1m\nrequest_timeout 60s");
        var attackers = new List<TcpClient>();
        foreach (var header in BogusSizeHeaders().Take(2))
        {
            var attacker = await server.ConnectAsync();
            await WriteIgnoringCloseAsync(attacker, header);
            attackers.Add(attacker);
        }
        // Well before request_timeout: the header alone is enough to refuse the request.
        foreach (var attacker in attackers) await AssertClosedByServerAsync(attacker, TimeSpan.FromSeconds(5));
        await AssertOneLineEachAsync(server, attackers.Select(LocalPort), "a request is larger than 1048576 bytes (a value in it announces 104857600 bytes)");
        foreach (var attacker in attackers) attacker.Dispose();
    }

    [Fact]
    public async Task A_thousand_idle_connections_cost_little_memory_and_do_not_slow_a_good_client()
    {
        const int idle = 1000;
        await using var server = await StartAsync("");
        using var client = await WellBehavedSender.ConnectAsync(server.Port);
        double baseline = await server.BaselineAsync(client);

        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
        var connections = new List<TcpClient>();
        try
        {
            for (int i = 0; i < idle; i++) connections.Add(await server.ConnectAsync());
            await Eventually.True(() => server.Input.ConnectionCount >= idle + 1, ForwardInputHarness.Deadline,
                () => $"{server.Input.ConnectionCount} of {idle + 1} connections accepted");
            await Task.Delay(200); // every connection is now waiting for its first byte
            long heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
            long workingSetGrowth = Process.GetCurrentProcess().WorkingSet64 - workingSetBefore;
            double underAttack = await client.MeasureAckedEventsPerSecondAsync(Measure);

            // Both ends of all thousand connections live in this process. A 64 KiB read buffer held per idle
            // connection would alone be 64 MiB.
            Assert.True(heapGrowth < 16L << 20, $"managed heap grew {heapGrowth >> 10} KiB with {idle} idle connections (both ends)");
            Assert.True(workingSetGrowth < 100L << 20, $"working set grew {workingSetGrowth >> 20} MiB with {idle} idle connections (both ends)");
            AssertServedAtFullRate(baseline, underAttack, $"{idle} idle connections");
        }
        finally
        {
            foreach (var connection in connections) connection.Dispose();
        }
        // Idle keepalive connections are legitimate (out_forward keepalive): none was closed or warned about.
        Assert.DoesNotContain(server.Logs.Lines, l => l.Message.StartsWith("closing forward connection"));
    }

    [Fact]
    public async Task Senders_trickling_one_byte_at_a_time_are_closed_by_request_timeout_while_a_good_client_is_served()
    {
        await using var server = await StartAsync("request_timeout 1s");
        using var client = await WellBehavedSender.ConnectAsync(server.Port);
        double baseline = await server.BaselineAsync(client);

        // A valid Forward-mode request of 2,000 entries: every prefix is a plausible request still arriving.
        var request = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write("loris");
            w.WriteArrayHeader(2000);
            for (int i = 0; i < 2000; i++)
            {
                w.WriteArrayHeader(2);
                new EventTime(1_767_225_600, 0).WriteTo(ref w);
                Requests.WriteRecord(ref w, i);
            }
        });
        using var stop = new CancellationTokenSource();
        var lorises = new List<TcpClient>();
        for (int i = 0; i < 50; i++) lorises.Add(await server.ConnectAsync());
        var trickles = lorises.Select(loris => Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < request.Length && !stop.IsCancellationRequested; i++)
                {
                    await loris.GetStream().WriteAsync(request.AsMemory(i, 1));
                    await Task.Delay(5);
                }
            }
            catch (IOException) { } // closed by the server: what is expected
        })).ToList();
        double underAttack = await client.MeasureAckedEventsPerSecondAsync(Measure);

        foreach (var loris in lorises) await AssertClosedByServerAsync(loris, ForwardInputHarness.Deadline);
        stop.Cancel();
        await Task.WhenAll(trickles);
        AssertServedAtFullRate(baseline, underAttack, "50 slow-loris senders");
        await AssertOneLineEachAsync(server, lorises.Select(LocalPort), "a request was still incomplete 1s after it began");
        foreach (var loris in lorises) loris.Dispose();
    }

    private static Task<Server> StartAsync(string inputParameters) => Server.StartAsync(inputParameters);
}
