using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Forward;

/// <summary>
/// The TCP side of the forward input: listens, accepts, and runs one <see cref="ForwardConnection"/> per client until
/// stopped. Stopping closes the listener first, then every connection.
/// </summary>
public sealed class ForwardListener
{
    private readonly Func<Socket, ForwardConnection> _connectionFor;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task? _acceptLoop;

    public ForwardListener(Func<Socket, ForwardConnection> connectionFor, ILogger log)
    {
        _connectionFor = connectionFor;
        _log = log;
    }

    /// <summary>Where the listener is bound; with port 0 the port the system chose.</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    /// <summary>Connections currently open.</summary>
    public int ConnectionCount => _connections.Count;

    public void Start(IPAddress address, int port, int? backlog, bool keepAlive)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(backlog ?? (int)SocketOptionName.MaxConnections);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(socket, keepAlive, _stopping.Token));
    }

    private async Task AcceptLoopAsync(Socket listener, bool keepAlive, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.LogWarning("accepting a forward connection failed: {Error}", e.Message);
                continue;
            }
            client.NoDelay = true;
            // send_keepalive_packet: TCP keepalive so half-open connections are noticed.
            if (keepAlive) client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            var connection = _connectionFor(client);
            var run = Task.Run(() => connection.RunAsync(stopping));
            _connections.TryAdd(run, 0);
            _ = run.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    public async Task StopAsync()
    {
        _stopping.Cancel();
        _socket?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop;
        await Task.WhenAll(_connections.Keys);
        _stopping.Dispose();
    }
}
