namespace LogAgent.Core.Forward;

/// <summary>How the forward output checks that its servers are alive (out_forward.rb heartbeat_type).</summary>
public enum ForwardHeartbeatType
{
    /// <summary>A connection to the server, without data, every heartbeat_interval; writes that succeed count too.</summary>
    Transport,
    /// <summary>A one-byte <c>00</c> datagram to the server's port; the reply counts as the heartbeat.</summary>
    Udp,
    /// <summary>No heartbeats: every server is always available (out_forward.rb NoneHeartbeatNode).</summary>
    None,
}
