using System.Collections.Concurrent;
using System.Net;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis;

/// <summary>A request as it arrived on the wire.</summary>
public sealed record ReceivedRequest(string Method, Uri Url, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"no {name} header");
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>What the server answers.</summary>
public sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, string ContentType = "application/x-amz-json-1.1");

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) for the AWS client tests: it records every request and answers
/// with what the test's handler returns. A handler may await (a request that never gets an answer in time).
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<ReceivedRequest, Task<Reply>> _handler;
    private readonly Task _loop;

    public LocalHttpServer(Func<ReceivedRequest, Task<Reply>> handler)
    {
        _handler = handler;
        Port = FreePort.Get();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public LocalHttpServer(Func<ReceivedRequest, Reply> handler) : this(request => Task.FromResult(handler(request))) { }

    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/");
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    private async Task AcceptLoop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Answer(context));
        }
    }

    private async Task Answer(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var request = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!, headers, body.ToArray());
            Requests.Enqueue(request);
            var reply = await _handler(request);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
                context.Response.Headers[name] = value;
            var bytes = System.Text.Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The server is stopping or the client went away (a test's timeout): nothing to answer.
        }
    }

    public void Dispose()
    {
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
