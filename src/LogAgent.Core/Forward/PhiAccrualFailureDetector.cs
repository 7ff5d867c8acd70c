namespace LogAgent.Core.Forward;

/// <summary>
/// fluentd's out_forward FailureDetector (lib/fluent/plugin/out_forward/failure_detector.rb), computed the same way so
/// the same heartbeats detach a server at the same moment: a window of up to 1000 heartbeat gaps in whole microseconds,
/// a linearly weighted mean of them (newer gaps weigh more), both normalised so that a gap of heartbeat_interval
/// counts as 1 s, and <c>phi = (t / mean) / ln 10</c>. That is not the paper's normal-distribution phi; it is fluentd's
/// exponential approximation, kept as is because phi_threshold values in existing configs are tuned to it.
/// Times are seconds (fluentd uses <c>Time.now.to_f</c>) and always passed in, so tests can inject them.
/// </summary>
public sealed class PhiAccrualFailureDetector
{
    private static readonly double PhiFactor = 1.0 / Math.Log(10.0);

    /// <summary>failure_detector.rb SAMPLE_SIZE: the window keeps the newest 1000 gaps.</summary>
    public const int SampleWindow = 1000;

    private readonly double _heartbeatInterval;
    private readonly double _hardTimeout;
    private readonly long _initialGapMicros;
    private readonly Queue<long> _window = new();
    private double _last;

    /// <param name="initialLast">
    /// When the last heartbeat is taken to have arrived; out_forward.rb passes <c>Time.now.to_i.to_f</c> (whole seconds)
    /// when it configures a node, so a new node starts with one gap of heartbeat_interval and a partial second behind it.
    /// </param>
    public PhiAccrualFailureDetector(double heartbeatInterval, double hardTimeout, double initialLast)
    {
        _heartbeatInterval = heartbeatInterval;
        _hardTimeout = hardTimeout;
        _last = initialLast;
        _initialGapMicros = (long)(heartbeatInterval * 1e6);
        _window.Enqueue(_initialGapMicros);
    }

    /// <summary>How many gaps the window holds; a detached server recovers once this exceeds recover_wait / heartbeat_interval.</summary>
    public int SampleSize => _window.Count;

    /// <summary>When the last heartbeat arrived (0 after <see cref="Clear"/>).</summary>
    public double Last => _last;

    /// <summary>No heartbeat for longer than hard_timeout; after <see cref="Clear"/> this holds until the next heartbeat.</summary>
    public bool IsHardTimeout(double now) => now - _last > _hardTimeout;

    /// <summary>A heartbeat arrived at <paramref name="now"/>. The first one after <see cref="Clear"/> records no gap
    /// (there is no previous arrival to measure from) but the initial heartbeat_interval, as fluentd does.</summary>
    public void Add(double now)
    {
        if (_window.Count == 0)
        {
            _window.Enqueue(_initialGapMicros);
        }
        else
        {
            // Ruby's (gap * 1e6).to_i truncates toward zero, as the cast does.
            _window.Enqueue((long)((now - _last) * 1e6));
            if (_window.Count > SampleWindow) _window.Dequeue();
        }
        _last = now;
    }

    /// <summary>The suspicion that the server is down at <paramref name="now"/>; 0 with an empty window.</summary>
    public double Phi(double now)
    {
        if (_window.Count == 0) return 0.0;
        // Weighted moving average in integer microseconds: Ruby's Integer / Integer floors (all gaps are >= 0 here
        // unless the clock went back; Math.Floor-style division keeps fluentd's rounding for negatives too).
        long sum = 0, fact = 0, i = 1;
        foreach (var gap in _window)
        {
            sum += gap * i;
            fact += i;
            i++;
        }
        long meanMicros = FloorDiv(sum, fact);
        double mean = meanMicros / 1e6 - _heartbeatInterval + 1;
        double t = now - _last - _heartbeatInterval + 1;
        return PhiFactor * t / mean;
    }

    /// <summary>Forgets every sample: out_forward clears the window when it detaches a server, so recovery needs a
    /// fresh run of heartbeats.</summary>
    public void Clear()
    {
        _window.Clear();
        _last = 0;
    }

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}
