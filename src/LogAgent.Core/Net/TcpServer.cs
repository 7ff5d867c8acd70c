using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Net;

/// <summary>
/// The TCP side of an input that listens (fluentd's server helper): binds, accepts, and runs one connection handler
/// per client on the thread pool until stopped. Stopping closes the listener first, then waits for every connection,
/// whose handler sees the cancellation. The forward input and monitor_agent's HTTP server run on it.
/// During a graceful reload the bound listener is not closed but parked in the <see cref="ListenerHandover"/>, and the
/// next pipeline's server for the same address and port listens on that very socket.
/// </summary>
public sealed class TcpServer
{
    private readonly string _name;
    private readonly Func<Socket, CancellationToken, Task> _serve;
    private readonly ILogger _log;
    private readonly int? _maxConnections;
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ListenerHandover _handover;
    private Socket? _socket;
    private IPAddress _address = IPAddress.Any;
    private int _port;
    private Task? _acceptLoop;

    /// <param name="name">What the server is, for log lines and errors ("forward", "monitor_agent").</param>
    /// <param name="serve">Runs one connection; the socket is closed when it returns.</param>
    /// <param name="maxConnections">Connections accepted beyond this many open ones are closed at once; null: no limit.</param>
    /// <param name="handover">Where the listener is parked during a reload; <see cref="ListenerHandover.Shared"/> by default.</param>
    public TcpServer(string name, Func<Socket, CancellationToken, Task> serve, ILogger log, int? maxConnections = null, ListenerHandover? handover = null)
    {
        _handover = handover ?? ListenerHandover.Shared;
        _name = name;
        _serve = serve;
        _log = log;
        _maxConnections = maxConnections;
    }

    /// <summary>Where the server is bound; with port 0 the port the system chose.</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    /// <summary>Connections currently open.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>
    /// Listens on <paramref name="address"/>:<paramref name="port"/>, or throws an <see cref="IOException"/> naming the
    /// server and the address (a port in use is a startup error an operator must be able to read).
    /// </summary>
    /// <param name="backlog">Pending connections the system keeps; its maximum when null.</param>
    /// <param name="configureClient">Socket options for each accepted connection.</param>
    public void Start(IPAddress address, int port, int? backlog = null, Action<Socket>? configureClient = null)
    {
        _address = address;
        _port = port;
        var socket = _handover.TryTake(SocketType.Stream, address, port) ?? Listen(address, port, backlog);
        _socket = socket;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(socket, configureClient, _stopping.Token));
    }

    private Socket Listen(IPAddress address, int port, int? backlog)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(backlog ?? (int)SocketOptionName.MaxConnections);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"{_name}: cannot listen on {address}:{port}: {e.Message}", e);
        }
        return socket;
    }

    private async Task AcceptLoopAsync(Socket listener, Action<Socket>? configureClient, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.LogWarning("accepting a {Server} connection failed: {Error}", _name, e.Message);
                continue;
            }
            if (_connections.Count >= _maxConnections)
            {
                _log.LogWarning("{Server} connection from {Peer} refused: {Max} connections are open", _name, client.RemoteEndPoint, _maxConnections);
                client.Dispose();
                continue;
            }
            configureClient?.Invoke(client);
            var run = Task.Run(() => ServeAsync(client, stopping));
            _connections.TryAdd(run, 0);
            _ = run.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        using (client) await _serve(client, stopping);
    }

    /// <summary>
    /// Stops accepting, then waits for every open connection to finish. While a reload holds the
    /// <see cref="ListenerHandover"/> the listener is parked there, still bound: new connections wait in its backlog.
    /// </summary>
    public async Task StopAsync()
    {
        _stopping.Cancel();
        if (_handover.IsHolding)
        {
            // The pending accept is cancelled (the socket stays open) before the socket changes hands.
            if (_acceptLoop is not null) await _acceptLoop;
            if (_socket is not null && !_handover.TryPark(_socket, _address, _port)) _socket.Dispose();
        }
        else
        {
            _socket?.Dispose();
            if (_acceptLoop is not null) await _acceptLoop;
        }
        await Task.WhenAll(_connections.Keys);
        _stopping.Dispose();
    }
}
