using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LogAgent.Tests.Kinesis.Support;

/// <summary>One HTTP/1.1 request as the stand-ins see it: the raw request target, every header in order, the whole body.</summary>
public sealed class StandInRequest
{
    public StandInRequest(string method, string target, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body)
    {
        Method = method;
        Target = target;
        Headers = headers;
        Body = body;
    }

    public string Method { get; }

    /// <summary>The request target exactly as sent (still percent-encoded): path and query.</summary>
    public string Target { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }
    public byte[] Body { get; }

    public string Path => Target.Split('?', 2)[0];
    public string BodyText => Encoding.UTF8.GetString(Body);
    public bool HasHeader(string name) => Header(name) is not null;
    public string Query => Target.Split('?', 2) is { Length: 2 } parts ? parts[1] : "";

    /// <summary>The first value of a header, by case-insensitive name; null when absent.</summary>
    public string? Header(string name)
    {
        foreach (var h in Headers)
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
        return null;
    }
}

/// <summary>What a stand-in answers. <see cref="Reset"/> is no answer at all: the connection is reset (TCP RST).</summary>
public sealed class StandInResponse
{
    public StandInResponse(int status, byte[] body, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        Status = status;
        Body = body;
        Headers = headers?.ToList() ?? new List<KeyValuePair<string, string>>();
    }

    public int Status { get; }
    public byte[] Body { get; }
    public List<KeyValuePair<string, string>> Headers { get; }

    public static StandInResponse Reset { get; } = new(0, Array.Empty<byte>());

    /// <summary>A plain answer with the given content type (an HTML error page of a proxy, a metadata service's text).</summary>
    public static StandInResponse Text(int status, string text, string contentType = "text/plain") =>
        new(status, Encoding.UTF8.GetBytes(text), [KeyValuePair.Create("Content-Type", contentType)]);

    /// <summary>An AWS JSON 1.1 answer, with a request id as AWS gives every answer.</summary>
    public static StandInResponse Json(int status, string json, params (string Name, string Value)[] headers) =>
        new(status, Encoding.UTF8.GetBytes(json),
            headers.Select(h => KeyValuePair.Create(h.Name, h.Value))
                .Prepend(KeyValuePair.Create("x-amzn-RequestId", Guid.NewGuid().ToString()))
                .Prepend(KeyValuePair.Create("Content-Type", "application/x-amz-json-1.1")));

    /// <summary>An AWS JSON 1.1 error: <c>{"__type": type, "message": message}</c>, its type also in x-amzn-ErrorType.</summary>
    public static StandInResponse AwsError(int status, string type, string message) =>
        Json(status, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }),
            ("x-amzn-ErrorType", type));
}

/// <summary>The seeded chance behind every injected fault: one random sequence per stand-in, safe across threads.</summary>
public sealed class FaultDice(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>True with probability <paramref name="fraction"/> (never for 0 or less, always for 1 or more).</summary>
    public bool Roll(double fraction)
    {
        if (fraction <= 0) return false;
        lock (_random) return _random.NextDouble() < fraction;
    }
}

public delegate Task<StandInResponse> StandInHandler(StandInRequest request, CancellationToken cancellationToken);

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 only, written on sockets so that a test controls what a real service can do
/// to a client: answer, reset the connection (RST, via SO_LINGER 0), or be down (listener closed: connections are
/// refused) and come back on the same port. Keep-alive, Content-Length and chunked request bodies, Expect: 100-continue.
/// Request bodies are read whole (a stand-in needs the whole body anyway: SigV4 signs its hash), up to
/// <c>maxRequestBytes</c>; a larger declared body is answered 413 and the connection closed, as kinesalite does.
/// No test framework here: the benchmark reuses the stand-ins.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private readonly StandInHandler _handler;
    private readonly long _maxRequestBytes;
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly object _gate = new();
    private Socket? _listener;
    private CancellationTokenSource? _stopping;
    private int _port;

    public LoopbackHttpServer(StandInHandler handler, int port = 0, long maxRequestBytes = 16 * 1024 * 1024)
    {
        _handler = (request, cancellationToken) =>
        {
            Requests.Enqueue(request);
            return handler(request, cancellationToken);
        };
        _port = port;
        _maxRequestBytes = maxRequestBytes;
    }

    /// <summary>A started server answering every request with <paramref name="answer"/> (client tests).</summary>
    public static LoopbackHttpServer Answering(Func<StandInRequest, StandInResponse> answer) =>
        Answering((request, _) => Task.FromResult(answer(request)));

    /// <summary>A started server whose handler may await (a request that gets no answer in time).</summary>
    public static LoopbackHttpServer Answering(StandInHandler answer)
    {
        var server = new LoopbackHttpServer(answer);
        server.Start();
        return server;
    }

    /// <summary>Every request received, in arrival order (recorded before the handler runs).</summary>
    public ConcurrentQueue<StandInRequest> Requests { get; } = new();

    /// <summary>The port, fixed by the first <see cref="Start"/> (the kernel's choice when constructed with 0).</summary>
    public int Port => _port;
    public Uri Endpoint => new($"http://127.0.0.1:{_port}/");
    public bool IsListening { get { lock (_gate) return _listener is not null; } }

    /// <summary>Connections accepted since construction (a test can tell that a client reconnected).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);
    private long _accepted;

    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null) return;
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // Coming back on the same port after Stop: connections of the previous listener may sit in TIME_WAIT.
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, _port));
            listener.Listen(512);
            _port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            _listener = listener;
            _stopping = new CancellationTokenSource();
            _ = AcceptLoopAsync(listener, _stopping.Token);
        }
    }

    /// <summary>Closes the listener and every open connection: from now on connecting is refused. <see cref="Start"/> reopens.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_listener is null) return;
            _stopping!.Cancel();
            _listener.Dispose();
            _listener = null;
            foreach (var socket in _connections.Keys) Abort(socket);
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            socket.NoDelay = true;
            _connections[socket] = 0;
            _ = ServeAsync(socket, stopping);
        }
    }

    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close sends RST, not FIN
            socket.Close();
        }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
    }

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = new RequestReader(stream);
            while (!stopping.IsCancellationRequested)
            {
                var head = await reader.ReadHeadAsync(MaxHeadBytes, stopping);
                if (head is null) break; // the client closed the connection between requests
                var (method, target, headers) = ParseHead(head);
                string? Get(string name) => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
                bool close = string.Equals(Get("Connection"), "close", StringComparison.OrdinalIgnoreCase);

                if (string.Equals(Get("Expect"), "100-continue", StringComparison.OrdinalIgnoreCase))
                    await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), stopping);

                byte[] body;
                if (string.Equals(Get("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
                {
                    body = await reader.ReadChunkedAsync(_maxRequestBytes, stopping);
                }
                else
                {
                    long length = long.TryParse(Get("Content-Length"), out var l) ? l : 0;
                    if (length > _maxRequestBytes)
                    {
                        await WriteAsync(stream, new StandInResponse(413, Array.Empty<byte>()), close: true, stopping);
                        break;
                    }
                    body = new byte[length];
                    await reader.ReadExactAsync(body, stopping);
                }

                var response = await _handler(new StandInRequest(method, target, headers, body), stopping);
                if (ReferenceEquals(response, StandInResponse.Reset))
                {
                    Abort(socket);
                    return;
                }
                await WriteAsync(stream, response, close, stopping);
                if (close) break;
            }
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidDataException)
        {
            // The client went away, the server is stopping, or the request was not HTTP: drop the connection.
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    private static (string Method, string Target, List<KeyValuePair<string, string>> Headers) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            throw new InvalidDataException("not an HTTP/1.x request line: " + lines[0]);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            int colon = line.IndexOf(':');
            if (colon <= 0) throw new InvalidDataException("bad header line: " + line);
            headers.Add(KeyValuePair.Create(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        return (requestLine[0], requestLine[1], headers);
    }

    private static async Task WriteAsync(Stream stream, StandInResponse response, bool close, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(Reason(response.Status)).Append("\r\n");
        foreach (var h in response.Headers) head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
        head.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
        head.Append("Date: ").Append(DateTime.UtcNow.ToString("r")).Append("\r\n");
        if (close) head.Append("Connection: close\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken);
        if (response.Body.Length > 0) await stream.WriteAsync(response.Body, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Request Entity Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };

    /// <summary>Buffered reads of request heads and bodies from one connection.</summary>
    private sealed class RequestReader
    {
        private readonly Stream _stream;
        private byte[] _buffer = new byte[16 * 1024];
        private int _start, _end;

        public RequestReader(Stream stream) => _stream = stream;

        private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += n;
            return n > 0;
        }

        /// <summary>The head up to (not including) the blank line; null at a clean end of the connection.</summary>
        public async ValueTask<string?> ReadHeadAsync(int maxBytes, CancellationToken cancellationToken)
        {
            int scanned = 0; // bytes after _start already searched for the blank line
            while (true)
            {
                var pending = _buffer.AsSpan(_start, _end - _start);
                int at = pending[scanned..].IndexOf("\r\n\r\n"u8);
                if (at >= 0)
                {
                    int headLength = scanned + at;
                    var head = Encoding.Latin1.GetString(_buffer, _start, headLength);
                    _start += headLength + 4;
                    return head;
                }
                if (pending.Length > maxBytes) throw new InvalidDataException("request head too large");
                scanned = Math.Max(0, pending.Length - 3);
                if (!await FillAsync(cancellationToken))
                {
                    if (_end == _start) return null;
                    throw new IOException("connection closed inside a request head");
                }
            }
        }

        public async ValueTask ReadExactAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            int buffered = Math.Min(_end - _start, destination.Length);
            _buffer.AsMemory(_start, buffered).CopyTo(destination);
            _start += buffered;
            int filled = buffered;
            while (filled < destination.Length)
            {
                int n = await _stream.ReadAsync(destination[filled..], cancellationToken);
                if (n == 0) throw new IOException("connection closed inside a request body");
                filled += n;
            }
        }

        private async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (at >= 0)
                {
                    var line = Encoding.Latin1.GetString(_buffer, _start, at);
                    _start += at + 2;
                    return line;
                }
                if (_end - _start > MaxHeadBytes) throw new InvalidDataException("chunk line too long");
                if (!await FillAsync(cancellationToken)) throw new IOException("connection closed inside a chunked body");
            }
        }

        public async ValueTask<byte[]> ReadChunkedAsync(long maxBytes, CancellationToken cancellationToken)
        {
            using var body = new MemoryStream();
            while (true)
            {
                var sizeLine = (await ReadLineAsync(cancellationToken)).Split(';')[0].Trim();
                long size = Convert.ToInt64(sizeLine, 16);
                if (size == 0)
                {
                    while ((await ReadLineAsync(cancellationToken)).Length > 0) { } // trailers
                    return body.ToArray();
                }
                if (body.Length + size > maxBytes) throw new InvalidDataException("chunked body too large");
                var chunk = new byte[size];
                await ReadExactAsync(chunk, cancellationToken);
                body.Write(chunk);
                await ReadLineAsync(cancellationToken);
            }
        }
    }
}
