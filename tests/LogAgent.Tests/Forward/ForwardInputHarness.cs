using System.Net.Sockets;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins.Inputs;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Forward;

/// <summary>
/// A running engine with a forward input on a free loopback port and a <c>test_capture</c> output behind it, plus a
/// client that sends bytes over a real TCP connection and collects what the server writes back.
/// </summary>
public sealed class ForwardInputHarness : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private ForwardInputHarness(AgentEngine engine, CapturingLoggerProvider logs)
    {
        Engine = engine;
        Logs = logs;
    }

    public AgentEngine Engine { get; }
    public CapturingLoggerProvider Logs { get; }
    public ForwardInput Input => Engine.Inputs.OfType<ForwardInput>().Single();
    public CaptureOutput Output => Engine.Output<CaptureOutput>("out");
    public int Port => Input.BoundPort;

    /// <param name="inputParameters">Extra lines for the &lt;source&gt;.</param>
    /// <param name="outputParameters">Extra lines for the test_capture &lt;match&gt;.</param>
    public static async Task<ForwardInputHarness> StartAsync(string inputParameters = "", string outputParameters = "")
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
              @type test_capture
              @id out
              {outputParameters}
            </match>
            """, logs);
        await engine.StartAsync(CancellationToken.None);
        return new ForwardInputHarness(engine, logs);
    }

    public async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", Port);
        return client;
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> on a new connection in the given pieces, half-closes, and returns every byte the
    /// server wrote until it closed its side (it does once it has handled all requests and read end of stream).
    /// </summary>
    public async Task<byte[]> SendAndReadRepliesAsync(byte[] bytes, IEnumerable<int>? cuts = null)
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        using var timeout = new CancellationTokenSource(Deadline);
        int start = 0;
        foreach (var cut in (cuts ?? Array.Empty<int>()).Append(bytes.Length))
        {
            await stream.WriteAsync(bytes.AsMemory(start, cut - start), timeout.Token);
            start = cut;
        }
        client.Client.Shutdown(SocketShutdown.Send);
        return await ReadToEndAsync(stream, timeout.Token);
    }

    public static async Task<byte[]> ReadToEndAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var replies = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0) replies.Write(buffer, 0, n);
        return replies.ToArray();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes or fails at the deadline.</summary>
    public static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        return buffer;
    }

    public Task WaitForEventsAsync(int count) =>
        Eventually.True(() => Output.Events.Count >= count, Deadline, () => $"{Output.Events.Count} of {count} events arrived");

    public Task WaitForLogAsync(string fragment) =>
        Eventually.True(() => Logs.Lines.Any(l => l.Message.Contains(fragment)), Deadline,
            () => $"no log line containing '{fragment}'; lines:\n{string.Join("\n", Logs.Lines.Select(l => l.Message))}");

    public async ValueTask DisposeAsync() => await Engine.StopAsync();
}
