using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using LogAgent.Core.Forward;
using MessagePack;

namespace LogAgent.Cat;

/// <summary>
/// <c>logagent cat TAG</c>: fluentd's fluent-cat. Reads events from standard input and sends them to a forward
/// server as PackedForward requests through <see cref="ForwardSender"/>, the forward output's own client, so the
/// connection setup (handshake, TLS) is the output's. Whatever has arrived on standard input while a request was
/// on its way goes out as the next request: one event per request when lines trickle in, large requests when
/// a file is piped in.
/// </summary>
public static class CatCommand
{
    private const int MaxEventsPerRequest = 1000;
    private const int MaxBytesPerRequest = 1 << 20;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, Stream input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        CatCommandLine options;
        try
        {
            options = CatCommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"logagent cat: {e.Message}\n{CatCommandLine.Usage}");
            return 2;
        }
        if (options.Help)
        {
            await output.WriteLineAsync(CatCommandLine.Usage);
            return 0;
        }
        ForwardSender sender;
        try
        {
            sender = await ForwardSender.ConnectAsync(options.Host, options.Port, options.ConnectTimeout, cancellationToken,
                options.TlsClient(), options.Handshake());
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            await error.WriteLineAsync($"logagent cat: cannot connect to {options.Host}:{options.Port}: {e.Message}");
            return 1;
        }
        await using (sender)
        {
            return await SendAllAsync(options, sender, input, error, cancellationToken);
        }
    }

    private static async Task<int> SendAllAsync(CatCommandLine options, ForwardSender sender, Stream input, TextWriter error, CancellationToken cancellationToken)
    {
        // Reading and sending run side by side: the reader never waits for the network, and the sender takes every
        // event that is ready as one request.
        var events = Channel.CreateBounded<CatEvent>(new BoundedChannelOptions(MaxEventsPerRequest) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in CatEventReader.ReadAsync(input, options.Format, options.MessageKey, cancellationToken))
                    await events.Writer.WriteAsync(e, cancellationToken);
                events.Writer.Complete();
            }
            catch (Exception e)
            {
                events.Writer.Complete(e);
            }
        }, cancellationToken);

        long sent = 0;
        try
        {
            var entries = new ArrayBufferWriter<byte>(64 * 1024);
            while (await events.Reader.WaitToReadAsync(cancellationToken))
            {
                entries.Clear();
                int count = 0;
                while (count < MaxEventsPerRequest && entries.WrittenCount < MaxBytesPerRequest && events.Reader.TryRead(out var e))
                {
                    WriteEntry(entries, e, options.TimeAsInteger);
                    count++;
                }
                await SendAsync(options, sender, entries.WrittenMemory, count, cancellationToken);
                sent += count;
            }
            await reading;
            return 0;
        }
        catch (CatInputException e)
        {
            await error.WriteLineAsync($"logagent cat: {e.Message} ({sent} events before it were sent)");
            return 1;
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException or ForwardProtocolException)
        {
            await error.WriteLineAsync($"logagent cat: sending to {options.Host}:{options.Port} failed after {sent} events: {e.Message}");
            return 1;
        }
    }

    private static async Task SendAsync(CatCommandLine options, ForwardSender sender, ReadOnlyMemory<byte> entries, int count, CancellationToken cancellationToken)
    {
        // A fresh random id per request, as out_forward uses the chunk's unique id; the ack must echo it.
        byte[]? chunkId = options.Ack ? RandomNumberGenerator.GetBytes(16) : null;
        var frame = PackedForwardFrame.Create(options.Tag, entries, count, gzip: false, chunkId);
        await sender.SendAsync(frame, SendTimeout, cancellationToken);
        if (frame.ChunkId is { } ack) await sender.ReadAckAsync(ack, options.AckTimeout, cancellationToken);
    }

    private static void WriteEntry(ArrayBufferWriter<byte> entries, CatEvent e, bool timeAsInteger)
    {
        var writer = new MessagePackWriter(entries);
        writer.WriteArrayHeader(2);
        // fluent-cat's --time-as-integer: for receivers older than fluentd 0.14, which cannot read EventTime.
        if (timeAsInteger) writer.Write(e.Time.Seconds);
        else e.Time.WriteTo(ref writer);
        writer.WriteRaw(e.Record);
        writer.Flush();
    }
}
