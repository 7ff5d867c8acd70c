namespace LogAgent.Core.Forward;

/// <summary>The output-wide settings every node's health follows (out_forward.rb parameters of the same names).</summary>
public sealed record ForwardNodeHealthOptions
{
    public ForwardHeartbeatType HeartbeatType { get; init; } = ForwardHeartbeatType.Transport;
    public double HeartbeatInterval { get; init; } = 1;
    public double HardTimeout { get; init; } = 60;
    public bool PhiFailureDetector { get; init; } = true;
    public double PhiThreshold { get; init; } = 16;
    public double RecoverWait { get; init; } = 10;
    public double? ExpireDnsCache { get; init; }
    public bool DnsRoundRobin { get; init; }

    /// <summary>out_forward.rb: @recover_sample_size = @recover_wait / @heartbeat_interval (a float).</summary>
    public double RecoverSampleSize => RecoverWait / HeartbeatInterval;
}
