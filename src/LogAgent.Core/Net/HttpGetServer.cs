using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Net;

/// <summary>A GET request as a handler sees it: the path, and the query string without its <c>?</c>.</summary>
internal readonly record struct HttpGetRequest(string Path, string Query);

/// <summary>A complete response: status, content type and body (always sent with Content-Length), and the body's
/// Content-Encoding when it is not identity (the prometheus input's gzip).</summary>
internal sealed record HttpResponse(int Status, string ContentType, byte[] Body)
{
    public string? ContentEncoding { get; init; }

    public static HttpResponse Json(int status, string json) => new(status, "application/json", Encoding.UTF8.GetBytes(json));
    public static HttpResponse Text(string text) => new(200, "text/plain", Encoding.UTF8.GetBytes(text));

    /// <summary>An error as fluentd's monitor_agent answers one: <c>{"message":"..."}</c>.</summary>
    public static HttpResponse Message(int status, string message) =>
        Json(status, LogAgent.Sdk.Text.RecordJson.Serialize(new Dictionary<string, object?> { ["message"] = message }));
}

/// <summary>
/// A small HTTP/1.1 server that answers GET requests from a handler (monitor_agent's API). Why not HttpListener or Kestrel:
/// HttpListener's managed Linux implementation is a compatibility shim, and Kestrel needs the ASP.NET Core shared
/// framework, which the agent does not otherwise use. What it does: persistent connections (HTTP/1.1 by default,
/// HTTP/1.0 with <c>Connection: keep-alive</c>) and pipelined requests, <c>Connection: close</c> honoured; any method but
/// GET gets 405 and the connection closes (its body, if any, is never read); a request head is bounded
/// (<see cref="MaxHeadBytes"/>, else 431) and must arrive within <see cref="RequestTimeout"/>, so a slow or idle client
/// holds a connection only that long; at most <see cref="MaxConnections"/> are open. Each connection runs on the thread
/// pool (<see cref="TcpServer"/>), so a request never runs on an engine thread.
/// </summary>
internal sealed class HttpGetServer
{
    public const int MaxHeadBytes = 8 * 1024;
    public const int MaxConnections = 32;
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<HttpGetRequest, HttpResponse> _handler;
    private readonly ILogger _log;
    private readonly TcpServer _server;

    /// <param name="name">What the server is, for log lines and errors ("monitor_agent").</param>
    public HttpGetServer(string name, Func<HttpGetRequest, HttpResponse> handler, ILogger log)
    {
        _handler = handler;
        _log = log;
        _server = new TcpServer(name, ServeAsync, log, MaxConnections);
    }

    /// <summary>Where the server listens; with port 0 the port the system chose.</summary>
    public IPEndPoint? LocalEndPoint => _server.LocalEndPoint;

    /// <summary>Listens, or throws an <see cref="IOException"/> naming the address and port.</summary>
    public void Start(IPAddress address, int port) => _server.Start(address, port, MaxConnections);

    public Task StopAsync() => _server.StopAsync();

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var buffer = new byte[MaxHeadBytes];
        int filled = 0;
        try
        {
            while (true)
            {
                int headEnd;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
                {
                    timeout.CancelAfter(RequestTimeout);
                    while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                    {
                        if (filled == buffer.Length)
                        {
                            await WriteAsync(stream, HttpResponse.Message(431, "Request Header Fields Too Large"), keepAlive: false, http10: false, stopping);
                            return;
                        }
                        int read = await stream.ReadAsync(buffer.AsMemory(filled), timeout.Token);
                        if (read == 0) return; // the client closed the connection
                        filled += read;
                    }
                }
                var head = RequestHead.Parse(Encoding.Latin1.GetString(buffer, 0, headEnd));
                var (response, keepAlive) = Respond(head);
                await WriteAsync(stream, response, keepAlive, head?.IsHttp10 == true, stopping);
                if (!keepAlive) return;
                // Pipelined requests: keep what followed this request's head.
                int consumed = headEnd + 4;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A client that went away, a request that did not arrive in time, or the agent stopping: just close.
        }
    }

    private (HttpResponse Response, bool KeepAlive) Respond(RequestHead? head)
    {
        if (head is null) return (HttpResponse.Message(400, "Bad Request"), false);
        // A body is never read, so the connection cannot be reused after one: answer and close.
        if (head.Method != "GET") return (HttpResponse.Message(405, "Method Not Allowed"), false);
        if (head.HasBody) return (HttpResponse.Message(400, "a GET request must not have a body"), false);
        try
        {
            return (_handler(new HttpGetRequest(head.Path, head.Query)), head.KeepAlive);
        }
        catch (Exception e)
        {
            _log.LogError(e, "monitor request {Path} failed", head.Path);
            return (HttpResponse.Message(500, "Internal Server Error"), head.KeepAlive);
        }
    }

    private static async Task WriteAsync(Stream stream, HttpResponse response, bool keepAlive, bool http10, CancellationToken cancellationToken)
    {
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(ReasonPhrase(response.Status)).Append("\r\n")
            .Append("Content-Type: ").Append(response.ContentType).Append("\r\n")
            .Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
        if (response.ContentEncoding is { } encoding) head.Append("Content-Encoding: ").Append(encoding).Append("\r\n");
        if (response.Status == 405) head.Append("Allow: GET\r\n");
        if (!keepAlive) head.Append("Connection: close\r\n");
        else if (http10) head.Append("Connection: keep-alive\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), cancellationToken);
        await stream.WriteAsync(response.Body, cancellationToken);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    };

    /// <summary>The request line and the headers this server acts on (RFC 9112 §3, §9.3).</summary>
    private sealed record RequestHead(string Method, string Path, string Query, bool IsHttp10, bool KeepAlive, bool HasBody)
    {
        public static RequestHead? Parse(string text)
        {
            var lines = text.Split("\r\n");
            var parts = lines[0].Split(' ');
            if (parts.Length != 3 || parts[0].Length == 0 || !parts[1].StartsWith('/')) return null;
            bool http10 = parts[2] == "HTTP/1.0";
            if (!http10 && parts[2] != "HTTP/1.1") return null;
            bool? connectionKeepAlive = null;
            bool hasBody = false;
            foreach (var line in lines.Skip(1))
            {
                int colon = line.IndexOf(':');
                if (colon <= 0) return null;
                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    var tokens = value.Split(',', StringSplitOptions.TrimEntries);
                    if (tokens.Contains("close", StringComparer.OrdinalIgnoreCase)) connectionKeepAlive = false;
                    else if (tokens.Contains("keep-alive", StringComparer.OrdinalIgnoreCase)) connectionKeepAlive ??= true;
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                         || (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && value != "0"))
                {
                    hasBody = true;
                }
            }
            int question = parts[1].IndexOf('?');
            var path = question < 0 ? parts[1] : parts[1][..question];
            var query = question < 0 ? "" : parts[1][(question + 1)..];
            return new RequestHead(parts[0], path, query, http10, connectionKeepAlive ?? !http10, hasBody);
        }
    }
}
