using System.Net;
using System.Net.Sockets;
using System.Text;
using LogAgent.Core.Net;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Inputs.Monitor;

/// <summary>monitor_agent's HTTP server on real sockets: methods, unknown paths, persistent connections, limits, binding.</summary>
public class MonitorAgentHttpTests
{
    private static readonly TimeSpan Deadline = MonitoredAgent.Deadline;

    private static Task<MonitoredAgent> StartAsync() => MonitoredAgent.StartAsync("<match **>\n  @type null\n</match>");

    [Fact]
    public async Task An_unknown_path_is_a_404_with_fluentds_json_message()
    {
        await using var agent = await StartAsync();

        using var response = await agent.Http.GetAsync(agent.Url("/api/nothing.json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"message":"Not found"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("HEAD")]
    public async Task A_method_other_than_GET_is_a_405_naming_GET(string method)
    {
        await using var agent = await StartAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), agent.Url("/api/plugins.json"));
        if (method is "POST" or "PUT") request.Content = new StringContent("{}");
        using var response = await agent.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(new[] { "GET" }, response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Requests_on_one_connection_are_answered_in_order_until_connection_close()
    {
        await using var agent = await StartAsync();
        using var client = await RawClient.ConnectAsync(agent.Port);

        // Two pipelined requests in one write, then a third that asks to close.
        await client.SendAsync("GET /api/config.json HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();
        await client.SendAsync("GET /api/plugins HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        var third = await client.ReadResponseAsync();

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", first.Head);
        Assert.DoesNotContain("Connection: close", first.Head);
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", second.Head);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", third.Head);
        Assert.Contains("Connection: close\r\n", third.Head);
        Assert.True(await client.IsClosedByServerAsync());
    }

    public static IEnumerable<object[]> RequestsAfterWhichTheConnectionCloses() => new[]
    {
        // HTTP/1.0 without keep-alive: answered, then closed.
        new object[] { "GET /api/plugins.json HTTP/1.0\r\n\r\n", "200 OK" },
        // A request head larger than the server reads.
        new object[] { "GET /api/plugins.json HTTP/1.1\r\nX-Padding: " + new string('a', HttpGetServer.MaxHeadBytes) + "\r\n\r\n", "431 Request Header Fields Too Large" },
        new object[] { "hello there\r\n\r\n", "400 Bad Request" },
        // A GET with a body: the body is never read, so the connection cannot go on.
        new object[] { "GET /api/plugins.json HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", "400 Bad Request" },
    };

    [Theory]
    [MemberData(nameof(RequestsAfterWhichTheConnectionCloses))]
    public async Task A_request_after_which_the_connection_cannot_go_on_is_answered_then_the_connection_closes(string request, string status)
    {
        await using var agent = await StartAsync();
        using var client = await RawClient.ConnectAsync(agent.Port);

        await client.SendAsync(request);
        var response = await client.ReadResponseAsync();

        Assert.StartsWith($"HTTP/1.1 {status}\r\n", response.Head);
        Assert.Contains("Connection: close\r\n", response.Head);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_port_in_use_stops_the_start_with_an_error_naming_bind_and_port()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var engine = EngineFixture.Build($"<source>\n  @type monitor_agent\n  bind 127.0.0.1\n  port {port}\n</source>\n<match **>\n  @type null\n</match>");

        var error = await Assert.ThrowsAsync<IOException>(() => engine.StartAsync(default));
        await engine.StopAsync();

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("monitor_agent", error.Message);
    }

    /// <summary>A TCP client that writes request text as it is and reads responses by their Content-Length.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly List<byte> _pending = new();

        private RawClient(TcpClient client)
        {
            _client = client;
            _stream = client.GetStream();
        }

        public static async Task<RawClient> ConnectAsync(int port)
        {
            var client = new TcpClient();
            using var timeout = new CancellationTokenSource(Deadline);
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return new RawClient(client);
        }

        public async Task SendAsync(string text)
        {
            using var timeout = new CancellationTokenSource(Deadline);
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(text), timeout.Token);
        }

        public async Task<(string Head, string Body)> ReadResponseAsync()
        {
            using var timeout = new CancellationTokenSource(Deadline);
            int headEnd;
            while ((headEnd = IndexOf("\r\n\r\n"u8)) < 0) await ReadMoreAsync(timeout.Token);
            var head = Encoding.ASCII.GetString(_pending.GetRange(0, headEnd + 4).ToArray());
            var lengthLine = head.Split("\r\n").Single(l => l.StartsWith("Content-Length: ", StringComparison.Ordinal));
            int length = int.Parse(lengthLine["Content-Length: ".Length..]);
            while (_pending.Count < headEnd + 4 + length) await ReadMoreAsync(timeout.Token);
            var body = Encoding.UTF8.GetString(_pending.GetRange(headEnd + 4, length).ToArray());
            _pending.RemoveRange(0, headEnd + 4 + length);
            return (head, body);
        }

        /// <summary>True once the server closes its side (a read returns 0) within the deadline.</summary>
        public async Task<bool> IsClosedByServerAsync()
        {
            using var timeout = new CancellationTokenSource(Deadline);
            var buffer = new byte[256];
            try
            {
                while (true)
                    if (await _stream.ReadAsync(buffer, timeout.Token) == 0) return true;
            }
            catch (IOException)
            {
                return true; // reset by the server
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        private async Task ReadMoreAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            int n = await _stream.ReadAsync(buffer, cancellationToken);
            if (n == 0) throw new EndOfStreamException("the server closed the connection before a whole response");
            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        private int IndexOf(ReadOnlySpan<byte> needle) => _pending.ToArray().AsSpan().IndexOf(needle);

        public void Dispose() => _client.Dispose();
    }
}
