using System.Net;
using System.Net.Sockets;

namespace LogAgent.Core.Net;

/// <summary>
/// Keeps bound sockets open across a graceful reload, so a listening input keeps its port and a sender never sees a
/// refused connection. While a reload holds the handover (<see cref="Hold"/>), a stopping <see cref="TcpServer"/> (or
/// the forward input's UDP heartbeat socket) parks its bound socket here instead of closing it; the new pipeline's
/// server for the same protocol, address and port takes it back. Connections that arrive in between wait in the
/// listen backlog: the kernel completes their handshake, the new server accepts them. When the reload ends, sockets
/// nobody took (the new config no longer listens there) are closed.
/// <para>Why in-process and not fluentd's way: fluentd 1.18's zero-downtime restart starts a second process and shares
/// the sockets over ServerEngine's socket manager (operations research §2.3); LogAgent reloads inside one process, so
/// keeping the socket object is the whole handover.</para>
/// </summary>
public sealed class ListenerHandover
{
    /// <summary>The process's handover: every listening input uses it, the host holds it during a reload.</summary>
    public static ListenerHandover Shared { get; } = new();

    private readonly object _lock = new();
    private readonly Dictionary<Key, Socket> _parked = new();
    private int _holds;

    private readonly record struct Key(SocketType Type, IPAddress Address, int Port);

    /// <summary>True while a reload holds the handover (servers park their sockets instead of closing them).</summary>
    public bool IsHolding { get { lock (_lock) return _holds > 0; } }

    /// <summary>Sockets parked and not yet taken.</summary>
    public int ParkedCount { get { lock (_lock) return _parked.Count; } }

    /// <summary>
    /// Parks sockets until the returned scope is disposed; then every socket still parked is closed.
    /// </summary>
    public IDisposable Hold()
    {
        lock (_lock) _holds++;
        return new Release(this);
    }

    /// <summary>
    /// Parks <paramref name="socket"/> bound to <paramref name="address"/>:<paramref name="port"/> (the port as
    /// configured: port 0 means "any", which a new server does not ask for again, so it is not parked). Returns false
    /// when nothing holds the handover: the caller closes the socket itself.
    /// </summary>
    public bool TryPark(Socket socket, IPAddress address, int port)
    {
        if (port == 0) return false;
        lock (_lock)
        {
            if (_holds == 0) return false;
            var key = new Key(socket.SocketType, address, port);
            if (_parked.Remove(key, out var older)) older.Dispose(); // cannot happen with one server per address
            _parked[key] = socket;
            return true;
        }
    }

    /// <summary>The parked socket of this type bound to this address and port, or null: bind a new one.</summary>
    public Socket? TryTake(SocketType type, IPAddress address, int port)
    {
        if (port == 0) return null;
        lock (_lock) return _parked.Remove(new Key(type, address, port), out var socket) ? socket : null;
    }

    private void EndHold()
    {
        List<Socket> unclaimed;
        lock (_lock)
        {
            if (--_holds > 0) return;
            unclaimed = _parked.Values.ToList();
            _parked.Clear();
        }
        foreach (var socket in unclaimed) socket.Dispose();
    }

    private sealed class Release(ListenerHandover handover) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) handover.EndHold();
        }
    }
}
