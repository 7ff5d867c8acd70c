using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Tests.Forward;

/// <summary>
/// A client that does everything right: PackedForward requests of 1,000 small events, each acked before the next is
/// sent. Its acked events per second say how well the server serves it, e.g. while others attack the server.
/// </summary>
public sealed class WellBehavedSender : IDisposable
{
    public const int EventsPerRequest = 1000;
    private static readonly byte[] Request = BuildRequest();
    private static readonly byte[] ExpectedAck = Requests.Ack("well-behaved");

    private readonly TcpClient _client;

    private WellBehavedSender(TcpClient client) => _client = client;

    public static async Task<WellBehavedSender> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return new WellBehavedSender(client);
    }

    /// <summary>Sends for <paramref name="duration"/> and returns the acked events per second.</summary>
    public async Task<double> MeasureAckedEventsPerSecondAsync(TimeSpan duration)
    {
        var stream = _client.GetStream();
        var ack = new byte[ExpectedAck.Length];
        using var timeout = new CancellationTokenSource(duration + ForwardInputHarness.Deadline);
        long events = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await stream.WriteAsync(Request, timeout.Token);
            await stream.ReadExactlyAsync(ack, timeout.Token);
            Assert.Equal(ExpectedAck, ack);
            events += EventsPerRequest;
        }
        return events / clock.Elapsed.TotalSeconds;
    }

    private static byte[] BuildRequest()
    {
        var entries = new ArrayBufferWriter<byte>();
        for (int i = 0; i < EventsPerRequest; i++)
        {
            var writer = new MessagePackWriter(entries);
            writer.WriteArrayHeader(2);
            new EventTime(1_767_225_600, (uint)i).WriteTo(ref writer);
            writer.WriteMapHeader(3);
            writer.Write("host"); writer.Write("10.0.0.1");
            writer.Write("path"); writer.Write($"/api/v1/items/{i:D6}");
            writer.Write("agent"); writer.Write("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
            writer.Flush();
        }
        return Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write("well.behaved");
            w.Write(entries.WrittenSpan);
            w.WriteMapHeader(1);
            w.Write("chunk");
            w.Write("well-behaved");
        });
    }

    public void Dispose() => _client.Dispose();
}
