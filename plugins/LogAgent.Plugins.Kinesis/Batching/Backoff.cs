namespace LogAgent.Plugins.Kinesis.Batching;

/// <summary>
/// The wait between attempts at a batch's failed records: fluent-plugin-kinesis's Backoff (kinesis_helper/api.rb),
/// 2^n × (0.3 ± 0.05) seconds — exponential with jitter, so that outputs throttled together do not retry together.
/// <see cref="Reset"/> goes back to the first step (reset_backoff_if_success, after a call that delivered something).
/// </summary>
public sealed class Backoff(TimeSpan baseDelay)
{
    private int _count;

    public static TimeSpan DefaultBase => TimeSpan.FromSeconds(0.3);

    public TimeSpan Next()
    {
        double jitter = 1 + (0.5 - Random.Shared.NextDouble()) / 3; // ±1/6: 0.3 s ± 0.05 s as the Ruby plugin
        var delay = TimeSpan.FromTicks((long)(baseDelay.Ticks * Math.Pow(2, Math.Min(_count, 16)) * jitter));
        _count++;
        return delay;
    }

    public void Reset() => _count = 0;
}
