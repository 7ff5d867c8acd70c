namespace LogAgent.Core.Buffers;

/// <summary>
/// When to retry a failed flush, when to switch to <c>&lt;secondary&gt;</c> and when to give up: a port of fluentd's
/// <c>lib/fluent/plugin_helper/retry_state.rb</c> (RetryStateMachine, ExponentialBackOffRetry, PeriodicRetry).
/// Create one at the first failure (that instant is <see cref="Start"/>), call <see cref="Step"/> after each further
/// failure, drop it after a success. It serves one output or one chunk alike. Not thread-safe: the owner locks.
/// </summary>
public sealed class RetryState
{
    /// <summary>fluentd's <c>randomize_width</c> default: intervals are spread ±12.5%.</summary>
    public const double DefaultRandomizeWidth = 0.125;

    private readonly RetryPolicy _policy;
    private readonly bool _hasSecondary;
    private readonly TimeProvider _clock;
    private readonly Func<double> _random;
    private readonly double _randomizeWidth;
    private readonly double _wait;
    private readonly double? _maxInterval;
    private bool _inSecondary;
    private bool _hasReachedTimeout;
    private bool _hasTimedOut;

    /// <param name="policy">The &lt;buffer&gt; retry settings.</param>
    /// <param name="hasSecondary">Whether the output has a &lt;secondary&gt; to switch to.</param>
    /// <param name="clock">Source of "now"; read at construction for <see cref="Start"/> and at every step.</param>
    /// <param name="random">Uniform in [0, 1), as Ruby's <c>rand</c>; defaults to <see cref="Random.Shared"/>.</param>
    /// <param name="randomizeWidth">retry_state.rb's <c>randomize_width</c>; output.rb always uses 0.125.</param>
    public RetryState(RetryPolicy policy, bool hasSecondary, TimeProvider clock, Func<double>? random = null,
        double randomizeWidth = DefaultRandomizeWidth)
    {
        // retry_state.rb: raise "BUG: randomize_width MUST be between 0 and 0.5"
        if (!(randomizeWidth >= 0 && randomizeWidth <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(randomizeWidth), randomizeWidth, "randomize_width MUST be between 0 and 0.5");
        // retry_state.rb: raise "BUG: secondary_transition_threshold MUST be between 0 and 1" (checked only with a secondary)
        if (hasSecondary && !RetryPolicy.IsValidSecondaryThreshold(policy.RetrySecondaryThreshold))
            throw new ArgumentOutOfRangeException(nameof(policy), policy.RetrySecondaryThreshold, "secondary_transition_threshold MUST be between 0 and 1");

        _policy = policy;
        _hasSecondary = hasSecondary;
        _clock = clock;
        _random = random ?? Random.Shared.NextDouble;
        _randomizeWidth = randomizeWidth;
        _wait = policy.RetryWait.TotalSeconds;
        _maxInterval = policy.RetryMaxInterval?.TotalSeconds;

        Start = clock.GetUtcNow();
        TimeoutAt = After(Start, policy.RetryTimeout.TotalSeconds);
        if (hasSecondary)
        {
            // retry_state.rb initialize: with max_steps, the secondary threshold applies to the shorter of
            // retry_timeout and the total wait of max_steps retries (calc_max_retry_timeout).
            double maxRetryTimeout = policy.RetryTimeout.TotalSeconds;
            if (policy.RetryMaxTimes is int maxSteps)
                maxRetryTimeout = Math.Min(maxRetryTimeout, MaxRetryTimeout(maxSteps));
            SecondaryTransitionAt = After(Start, maxRetryTimeout * policy.RetrySecondaryThreshold);
        }
        // ExponentialBackOffRetry / PeriodicRetry initialize: @next_time = @start + wait — the first retry is exactly
        // retry_wait after the failure, neither randomized nor capped by the timeout.
        NextTime = After(Start, _wait);
    }

    /// <summary>When the first failure happened (fluentd's <c>start</c>).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Failures after the first (fluentd's <c>steps</c>): 0 until the first <see cref="Step"/>.</summary>
    public int Steps { get; private set; }

    /// <summary>When to try again (fluentd's <c>next_time</c>).</summary>
    public DateTimeOffset NextTime { get; private set; }

    /// <summary><see cref="Start"/> + retry_timeout (fluentd's <c>timeout_at</c>).</summary>
    public DateTimeOffset TimeoutAt { get; }

    /// <summary>When flushes go to the secondary; null without one (fluentd's <c>secondary_transition_at</c>).</summary>
    public DateTimeOffset? SecondaryTransitionAt { get; }

    /// <summary>The <see cref="Steps"/> value at which the switch to the secondary happened (fluentd's <c>secondary_transition_steps</c>).</summary>
    public int? SecondaryTransitionSteps { get; private set; }

    /// <summary>
    /// Whether the next flush should go to the secondary: once switched, or once now ≥ <see cref="SecondaryTransitionAt"/>.
    /// Never with retry_forever (retry_state.rb <c>secondary?</c>).
    /// </summary>
    public bool IsSecondary =>
        !_policy.RetryForever && _hasSecondary && (_inSecondary || _clock.GetUtcNow() >= SecondaryTransitionAt);

    /// <summary>
    /// Give up (retry_state.rb <c>limit?</c>): never with retry_forever; otherwise once a step computed the timeout
    /// as the next time twice in a row (so the retry at the timeout itself is still made), or once
    /// <see cref="Steps"/> ≥ retry_max_times.
    /// </summary>
    public bool IsLimitReached =>
        !_policy.RetryForever && (_hasTimedOut || (_policy.RetryMaxTimes is int max && Steps >= max));

    /// <summary>Records one more failure and computes <see cref="NextTime"/> (retry_state.rb <c>step</c>).</summary>
    public void Step()
    {
        Steps++;
        if (!_policy.RetryForever && _hasSecondary && !_inSecondary && _clock.GetUtcNow() >= SecondaryTransitionAt)
        {
            _inSecondary = true;
            SecondaryTransitionSteps = Steps;
        }

        NextTime = CalcNextTime();

        // retry_state.rb step: the first time next_time reaches timeout_at one more retry is still due at timeout_at;
        // only the step after that counts as timed out.
        if (_hasReachedTimeout)
            _hasTimedOut = NextTime >= TimeoutAt;
        else
            _hasReachedTimeout = NextTime >= TimeoutAt;
    }

    /// <summary>
    /// Recomputes <see cref="NextTime"/> from now without counting a failure (retry_state.rb <c>recalc_next_time</c>;
    /// output.rb uses it when another flush thread fails before <see cref="NextTime"/>).
    /// </summary>
    public void RecalcNextTime() => NextTime = CalcNextTime();

    // retry_state.rb calc_next_time: primary-only runs are capped by timeout_at (unless forever); a primary with a
    // secondary is capped by secondary_transition_at; once on the secondary the backoff restarts from step 0 and is
    // capped by timeout_at.
    private DateTimeOffset CalcNextTime()
    {
        if (_policy.RetryForever || !_hasSecondary)
        {
            var naive = NaiveNextTime(Steps);
            return _policy.RetryForever ? naive : Cap(naive, TimeoutAt);
        }
        if (!_inSecondary)
            return Cap(NaiveNextTime(Steps), SecondaryTransitionAt!.Value);
        return Cap(NaiveNextTime(Steps - SecondaryTransitionSteps!.Value), TimeoutAt);
    }

    private static DateTimeOffset Cap(DateTimeOffset naive, DateTimeOffset limit) => naive >= limit ? limit : naive;

    // naive_next_time: current_time + randomize(interval); PeriodicRetry ignores the step count.
    private DateTimeOffset NaiveNextTime(int retryTimes)
    {
        double interval = _policy.RetryType == RetryType.Periodic ? _wait : CalcInterval(retryTimes);
        return After(_clock.GetUtcNow(), Randomize(interval));
    }

    // retry_state.rb randomize: interval + interval * randomize_width * (2 * rand - 1.0), i.e. within ±width.
    private double Randomize(double interval) =>
        _policy.RetryRandomize ? interval + interval * _randomizeWidth * (2 * _random() - 1.0) : interval;

    // ExponentialBackOffRetry calc_interval / raw_interval: retry_wait * base ** num, capped by max_interval; where
    // the power overflows to infinity, the largest finite one below it.
    private double CalcInterval(int num)
    {
        double interval = RawInterval(num);
        if (_maxInterval is double max && interval > max) return max;
        while (!double.IsFinite(interval))
            interval = RawInterval(--num);
        return interval;
    }

    private double RawInterval(int num) => _wait * Math.Pow(_policy.RetryExponentialBackoffBase, num);

    // calc_max_retry_timeout: the total wait of max_steps retries.
    // Exponential: sum of calc_interval(i) for i in 0...max_steps; periodic: retry_wait * max_steps.
    private double MaxRetryTimeout(int maxSteps)
    {
        if (_policy.RetryType == RetryType.Periodic) return _wait * maxSteps;
        double total = 0;
        for (int i = 0; i < maxSteps; i++) total += CalcInterval(i);
        return total;
    }

    // Ruby adds float seconds to a Time without bound; DateTimeOffset ends in year 9999, so later times saturate there
    // (reachable only with retry_forever and no retry_max_interval: about 38 doublings of a 1 s retry_wait).
    private static DateTimeOffset After(DateTimeOffset time, double seconds)
    {
        double ticks = seconds * TimeSpan.TicksPerSecond;
        return ticks >= DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks
            ? DateTimeOffset.MaxValue
            : time.ToUniversalTime().AddTicks((long)ticks);
    }
}

/// <summary>A retry state as monitoring shows it (fluentd monitor_agent's <c>retry</c>: start, steps, next_time).</summary>
public readonly record struct RetryStatus(DateTimeOffset Start, int Steps, DateTimeOffset NextTime);
