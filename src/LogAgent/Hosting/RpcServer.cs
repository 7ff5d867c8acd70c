using System.Net;
using LogAgent.Core.Net;
using LogAgent.Sdk.Config;
using Microsoft.Extensions.Logging;

namespace LogAgent.Hosting;

/// <summary>
/// fluentd's RPC server (<c>&lt;system&gt; rpc_endpoint 127.0.0.1:24444</c>, supervisor.rb run_rpc_server): GET on
/// one of fluentd's paths answers <c>{"ok":true}</c> and does what the matching signal does; any other path is a 404.
/// It belongs to the host, not to a pipeline, so it keeps serving across reloads; a reload that changes
/// rpc_endpoint moves it (<see cref="Apply"/>).
/// </summary>
public sealed class RpcServer(RpcServer.Actions actions, ILogger log) : IAsyncDisposable
{
    /// <summary>What the paths do; each returns at once (the work runs after the answer is sent).</summary>
    public sealed record Actions(Action Interrupt, Action Terminate, Action FlushBuffers, Action FlushBuffersAndTerminate,
        Action Reload, Action GracefulReload, Action DumpToLog);

    private HttpGetServer? _server;
    private string? _endpoint;

    /// <summary>Where the server listens; null when rpc_endpoint is not set.</summary>
    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    /// <summary>The address and port of an rpc_endpoint value (<c>HOST:PORT</c>, <c>[::1]:PORT</c>), or a config error.</summary>
    public static IPEndPoint Parse(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon].Trim('[', ']') : "";
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out int port) || port is < 0 or > 65535)
            throw new ConfigException($"<system> rpc_endpoint must be HOST:PORT, e.g. 127.0.0.1:24444; got '{endpoint}'");
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        if (host == "localhost") return new IPEndPoint(IPAddress.Loopback, port);
        try
        {
            return new IPEndPoint(Dns.GetHostAddresses(host).First(), port);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new ConfigException($"<system> rpc_endpoint host '{host}' does not resolve");
        }
    }

    /// <summary>Listens on <paramref name="endpoint"/> (from the running config), moving or stopping the server when it changed.</summary>
    public async Task Apply(string? endpoint)
    {
        if (endpoint == _endpoint) return;
        if (_server is not null)
        {
            await _server.StopAsync();
            _server = null;
            log.LogInformation("rpc server on {Endpoint} stopped", _endpoint);
        }
        _endpoint = endpoint;
        if (endpoint is null) return;
        var address = Parse(endpoint);
        var server = new HttpGetServer("rpc", Handle, log);
        server.Start(address.Address, address.Port);
        _server = server;
        log.LogInformation("rpc server listening on {Endpoint}", server.LocalEndPoint);
    }

    private HttpResponse Handle(HttpGetRequest request)
    {
        Action? action = request.Path switch
        {
            "/api/processes.interruptWorkers" => actions.Interrupt,
            "/api/processes.killWorkers" => actions.Terminate,
            "/api/processes.flushBuffersAndKillWorkers" => actions.FlushBuffersAndTerminate,
            "/api/plugins.flushBuffers" => actions.FlushBuffers,
            "/api/config.reload" => actions.Reload,
            "/api/config.gracefulReload" => actions.GracefulReload,
            "/api/config.dump" => actions.DumpToLog,
            _ => null,
        };
        if (action is null) return HttpResponse.Message(404, "Not found");
        log.LogInformation("rpc: {Path}", request.Path);
        action();
        return HttpResponse.Json(200, """{"ok":true}""");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.StopAsync();
        _server = null;
    }
}
