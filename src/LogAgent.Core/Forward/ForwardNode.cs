using System.Net;
using System.Net.Sockets;

namespace LogAgent.Core.Forward;

/// <summary>
/// A destination server of the forward output (a <c>&lt;server&gt;</c>) and its health, as out_forward.rb's Node: a
/// failure detector fed by heartbeats, <see cref="Tick"/> detaching the server when phi passes phi_threshold or no
/// heartbeat came for hard_timeout, and <see cref="Heartbeat"/> re-attaching it once recover_wait worth of heartbeats
/// arrived. Also the server's resolved address, cached as expire_dns_cache says.
/// </summary>
public sealed class ForwardNode
{
    private readonly object _lock = new();
    private readonly ForwardNodeHealthOptions _health;
    private readonly PhiAccrualFailureDetector _failure;
    private IPAddress? _resolved;
    private DateTimeOffset _resolvedAt;
    private bool _resolvedOnce;

    public ForwardNode(string name, string host, int port, int weight, bool standby, ForwardNodeHealthOptions? health = null, double? now = null)
    {
        Name = name;
        Host = host;
        Port = port;
        Weight = weight;
        Standby = standby;
        _health = health ?? new ForwardNodeHealthOptions();
        // out_forward.rb build_node: FailureDetector.new(heartbeat_interval, hard_timeout, Time.now.to_i.to_f).
        double start = now ?? Math.Floor(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        _failure = new PhiAccrualFailureDetector(_health.HeartbeatInterval, _health.HardTimeout, start);
    }

    public string Name { get; }
    public string Host { get; }
    public int Port { get; }
    public int Weight { get; }
    public bool Standby { get; }

    /// <summary>The detector's state, for tests and diagnostics.</summary>
    public PhiAccrualFailureDetector Failure => _failure;

    /// <summary>False while the server is detached; writes skip it. Always true with heartbeat_type none.</summary>
    public bool Available
    {
        get
        {
            if (_health.HeartbeatType == ForwardHeartbeatType.None) return true;
            lock (_lock) return _available;
        }
    }

    private bool _available = true;

    /// <summary>Detaches the server until heartbeats bring it back (out_forward.rb Node#disable!, used when an ack
    /// never came or the server closed the connection before acking, and when the name did not resolve at startup).</summary>
    public void Disable()
    {
        lock (_lock) _available = false;
    }

    /// <summary>
    /// Runs once per heartbeat_interval after the heartbeat was sent (out_forward.rb Node#tick). Returns true when the
    /// server was just detached, so the caller rebuilds the load balancer.
    /// </summary>
    public bool Tick(double now, out string? reason)
    {
        reason = null;
        if (_health.HeartbeatType == ForwardHeartbeatType.None) return false;
        lock (_lock)
        {
            if (!_available)
            {
                // A detached server's window is kept empty until heartbeats come back, so stale gaps never count.
                if (_failure.IsHardTimeout(now)) _failure.Clear();
                return false;
            }
            if (_failure.IsHardTimeout(now))
            {
                reason = $"no heartbeat for more than hard_timeout {_health.HardTimeout}s";
                Detach();
                return true;
            }
            if (_health.PhiFailureDetector)
            {
                double phi = _failure.Phi(now);
                if (phi > _health.PhiThreshold)
                {
                    reason = $"phi {phi:0.###} > phi_threshold {_health.PhiThreshold}";
                    Detach();
                    return true;
                }
            }
            return false;
        }
    }

    private void Detach()
    {
        _available = false;
        _resolved = null; // out_forward.rb: "expire cached host", so a moved server is found again
        _failure.Clear();
    }

    /// <summary>
    /// A heartbeat arrived (a heartbeat connection or UDP reply with <paramref name="detect"/>, or a successful write
    /// without). Returns true when it brought a detached server back: more than recover_wait / heartbeat_interval
    /// samples since it was detached (out_forward.rb Node#heartbeat; a write alone never re-attaches).
    /// </summary>
    public bool Heartbeat(double now, bool detect = true)
    {
        if (_health.HeartbeatType == ForwardHeartbeatType.None) return false;
        lock (_lock)
        {
            _failure.Add(now);
            if (detect && !_available && _failure.SampleSize > _health.RecoverSampleSize)
            {
                _available = true;
                return true;
            }
            return false;
        }
    }

    /// <summary>
    /// The address to connect to, as out_forward.rb Node#resolved_host: expire_dns_cache unset caches it for good (until
    /// the server is detached), 0 resolves every time, otherwise it is kept that many seconds. dns_round_robin picks
    /// one of the addresses at random instead of the first.
    /// </summary>
    public IPAddress Resolve(DateTimeOffset now)
    {
        lock (_lock)
        {
            var cached = _resolved;
            bool fresh = _health.ExpireDnsCache switch
            {
                null => cached is not null,
                0 => false,
                { } ttl => cached is not null && (now - _resolvedAt).TotalSeconds < ttl,
            };
            if (fresh) return cached!;
        }
        var address = ResolveNow();
        lock (_lock)
        {
            _resolved = address;
            _resolvedAt = now;
            _resolvedOnce = true;
        }
        return address;
    }

    /// <summary>Whether the name ever resolved; ignore_network_errors_at_startup forgives failures only before that.</summary>
    public bool ResolvedOnce
    {
        get { lock (_lock) return _resolvedOnce; }
    }

    private IPAddress ResolveNow()
    {
        if (IPAddress.TryParse(Host, out var literal)) return literal;
        var addresses = Dns.GetHostAddresses(Host)
            .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).ToArray();
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        return _health.DnsRoundRobin ? addresses[Random.Shared.Next(addresses.Length)] : addresses[0];
    }

    public override string ToString() => Name;
}
