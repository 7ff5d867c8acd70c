namespace LogAgent.Core.Engine;

/// <summary>
/// Fluent Bit's health check (src/http_server/api/v1/health.c; administration/monitoring.md): the agent is unhealthy
/// while, within the last <see cref="Period"/>, outputs failed more than <see cref="ErrorsLimit"/> writes or gave up on
/// more than <see cref="RetryFailureLimit"/> chunks after their retries; healthy again once the period holds no more
/// than that. The totals come from <see cref="AgentStatus.OutputFailures"/>; <see cref="Sample"/> records them (the
/// prometheus input does every second) and <see cref="Evaluate"/> compares now with the newest sample at least one
/// period old — or, while the agent is younger than the period, with the first sample.
/// </summary>
public sealed class HealthCheck
{
    private readonly Func<(long Errors, long RetryFailures)> _totals;
    private readonly TimeProvider _clock;
    private readonly Queue<(DateTimeOffset At, long Errors, long RetryFailures)> _samples = new();
    private readonly object _lock = new();

    public HealthCheck(Func<(long Errors, long RetryFailures)> totals, int errorsLimit, int retryFailureLimit, TimeSpan period, TimeProvider clock)
    {
        _totals = totals;
        _clock = clock;
        ErrorsLimit = errorsLimit;
        RetryFailureLimit = retryFailureLimit;
        Period = period;
        Sample();
    }

    public int ErrorsLimit { get; }
    public int RetryFailureLimit { get; }
    public TimeSpan Period { get; }

    /// <summary>Records the totals now, and forgets samples no evaluation will compare with again.</summary>
    public void Sample() => Record();

    public HealthReport Evaluate()
    {
        var (errors, failures, baseline) = Record();
        long periodErrors = errors - baseline.Errors, periodFailures = failures - baseline.RetryFailures;
        bool healthy = periodErrors <= ErrorsLimit && periodFailures <= RetryFailureLimit;
        return new HealthReport(healthy, periodErrors, periodFailures, ErrorsLimit, RetryFailureLimit, Period);
    }

    // The totals now, and the baseline: the newest sample at least one period old (kept; older ones are dropped),
    // else the oldest.
    private (long Errors, long RetryFailures, (DateTimeOffset At, long Errors, long RetryFailures) Baseline) Record()
    {
        var (errors, failures) = _totals();
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            _samples.Enqueue((now, errors, failures));
            while (_samples.Count > 1 && IsBaselineCandidate(SecondOldest(), now)) _samples.Dequeue();
            return (errors, failures, _samples.Peek());
        }
    }

    private bool IsBaselineCandidate((DateTimeOffset At, long, long) sample, DateTimeOffset now) => now - sample.At >= Period;

    private (DateTimeOffset At, long Errors, long RetryFailures) SecondOldest() => _samples.ElementAt(1);
}

/// <summary>One evaluation: healthy or not, and the failures counted over the period with the limits they met.</summary>
public sealed record HealthReport(bool Healthy, long Errors, long RetryFailures, int ErrorsLimit, int RetryFailureLimit, TimeSpan Period);
