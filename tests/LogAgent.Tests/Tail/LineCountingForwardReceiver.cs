using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using MessagePack;

namespace LogAgent.Tests.Tail;

/// <summary>
/// A forward server that counts how often each numbered line arrived, for a million lines without keeping them:
/// it reads PackedForward requests (<c>[tag, entries, {"chunk": id, ...}]</c>, entries as str/bin, text or gzip), finds
/// <c>"line NNNNNNN "</c> at the start of each event's <c>message</c>, counts it, and acks the chunk only after that.
/// A message of any other shape (a torn or misread line) is kept aside as malformed. Written independently of
/// LogAgent's decoder, like <see cref="Forward.TestForwardReceiver"/>, which keeps every request and so does not scale.
/// </summary>
public sealed class LineCountingForwardReceiver : IAsyncDisposable
{
    private const string Prefix = "line ";
    private const int Digits = 7;

    private readonly int[] _counts;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _malformed = new();
    private readonly Task _accept;
    private long _events, _distinct, _requests, _connections;

    public LineCountingForwardReceiver(int lines)
    {
        _counts = new int[lines + 1];
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Lines => _counts.Length - 1;
    public long Events => Interlocked.Read(ref _events);
    public long Distinct => Interlocked.Read(ref _distinct);
    public long RequestCount => Interlocked.Read(ref _requests);
    public long ConnectionCount => Interlocked.Read(ref _connections);

    /// <summary>Arrivals of line <paramref name="n"/> (1-based).</summary>
    public int CountOf(int n) => Volatile.Read(ref _counts[n]);

    /// <summary>Line numbers never received, in order.</summary>
    public List<int> Missing() => Enumerable.Range(1, Lines).Where(n => CountOf(n) == 0).ToList();

    /// <summary>Arrivals beyond the first, over all lines.</summary>
    public long Duplicates() => Enumerable.Range(1, Lines).Sum(n => (long)Math.Max(0, CountOf(n) - 1));

    /// <summary>Line numbers received more than once, in order.</summary>
    public List<int> Duplicated() => Enumerable.Range(1, Lines).Where(n => CountOf(n) > 1).ToList();

    /// <summary>Messages that were not a numbered line of the expected shape (at most 100 kept), and how many there were.</summary>
    public (List<string> First, int Count) Malformed
    {
        get { lock (_malformed) return (_malformed.Take(100).ToList(), _malformedCount); }
    }

    private int _malformedCount;

    private async Task AcceptAsync()
    {
        var handlers = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                handlers.Add(Task.Run(() => HandleAsync(client)));
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        await Task.WhenAll(handlers);
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[1 << 20];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    // Make room: drop what was parsed, and grow when one request fills the whole buffer.
                    var grown = start == 0 ? new byte[buffer.Length * 2] : buffer;
                    Buffer.BlockCopy(buffer, start, grown, 0, end - start);
                    buffer = grown;
                    end -= start;
                    start = 0;
                }
                var n = await stream.ReadAsync(buffer.AsMemory(end), _stop.Token);
                if (n == 0) return;
                end += n;
                while (TryTakeRequest(buffer.AsMemory(start, end - start), out var used, out var chunk))
                {
                    start += used;
                    if (chunk is not null)
                        await stream.WriteAsync(MessagePackSerializer.Serialize(new Dictionary<string, object> { ["ack"] = chunk }), _stop.Token);
                }
                if (start == end) start = end = 0;
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    /// <summary>Counts the lines of one whole request at the start of <paramref name="bytes"/>; false when it is incomplete.</summary>
    private bool TryTakeRequest(ReadOnlyMemory<byte> bytes, out int used, out string? chunk)
    {
        used = 0;
        chunk = null;
        var reader = new MessagePackReader(bytes);
        try
        {
            reader.CreatePeekReader().Skip();
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        var elements = reader.ReadArrayHeader();
        if (elements != 3) throw new InvalidDataException($"expected a PackedForward request [tag, entries, options], got {elements} elements");
        reader.ReadString(); // tag
        var entries = System.Buffers.BuffersExtensions.ToArray((reader.NextMessagePackType == MessagePackType.Binary ? reader.ReadBytes() : reader.ReadStringSequence())!.Value);
        var compressed = false;
        var pairs = reader.ReadMapHeader();
        for (var i = 0; i < pairs; i++)
        {
            var key = reader.ReadString();
            if (key == "chunk") chunk = reader.ReadString();
            else if (key == "compressed") compressed = reader.ReadString() == "gzip";
            else reader.Skip();
        }
        used = (int)reader.Consumed;
        if (compressed) entries = Gunzip(entries);
        CountEntries(entries);
        Interlocked.Increment(ref _requests);
        return true;
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private void CountEntries(byte[] entries)
    {
        var reader = new MessagePackReader(entries);
        while (!reader.End)
        {
            reader.ReadArrayHeader();
            reader.Skip(); // time
            var fields = reader.ReadMapHeader();
            byte[]? message = null;
            for (var i = 0; i < fields; i++)
            {
                if (reader.ReadString() == "message") message = reader.ReadStringSequence() is { } m ? System.Buffers.BuffersExtensions.ToArray(m) : null;
                else reader.Skip();
            }
            Interlocked.Increment(ref _events);
            var number = message is null ? -1 : LineNumber(message);
            if (number < 1 || number > Lines)
            {
                lock (_malformed)
                {
                    _malformedCount++;
                    if (_malformed.Count < 100) _malformed.Add(message is null ? "(no message)" : System.Text.Encoding.UTF8.GetString(message));
                }
                continue;
            }
            if (Interlocked.Increment(ref _counts[number]) == 1) Interlocked.Increment(ref _distinct);
        }
    }

    /// <summary>The number of <c>"line NNNNNNN xxx…"</c>, or -1 when the message has another shape.</summary>
    private static int LineNumber(byte[] message)
    {
        if (message.Length != RotationUnderLoadTests.LineLength - 1) return -1;
        for (var i = 0; i < Prefix.Length; i++)
            if (message[i] != Prefix[i]) return -1;
        var number = 0;
        for (var i = Prefix.Length; i < Prefix.Length + Digits; i++)
        {
            var d = message[i] - '0';
            if (d is < 0 or > 9) return -1;
            number = number * 10 + d;
        }
        if (message[Prefix.Length + Digits] != ' ') return -1;
        for (var i = Prefix.Length + Digits + 1; i < message.Length; i++)
            if (message[i] != 'x') return -1;
        return number;
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
