namespace LogAgent.Core.Forward;

/// <summary>A destination server of the forward output (a <c>&lt;server&gt;</c>).</summary>
public sealed class ForwardNode(string name, string host, int port, int weight, bool standby)
{
    public string Name { get; } = name;
    public string Host { get; } = host;
    public int Port { get; } = port;
    public int Weight { get; } = weight;
    public bool Standby { get; } = standby;

    /// <summary>When the last connection attempt failed; null while the node is healthy.</summary>
    internal DateTimeOffset? FailedAt { get; set; }

    // Smooth weighted round robin state.
    internal long CurrentWeight { get; set; }

    public override string ToString() => Name;
}
