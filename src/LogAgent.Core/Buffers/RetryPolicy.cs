using LogAgent.Sdk.Config;

namespace LogAgent.Core.Buffers;

/// <summary>fluentd's <c>retry_type</c>: how the wait between flush retries grows.</summary>
public enum RetryType
{
    /// <summary>retry_wait × base^n, capped by retry_max_interval.</summary>
    ExponentialBackoff,
    /// <summary>Always retry_wait.</summary>
    Periodic,
}

/// <summary>
/// The retry settings of a <c>&lt;buffer&gt;</c> section, with fluentd's names and defaults
/// (fluentd <c>lib/fluent/plugin/output.rb</c>, <c>config_section :buffer</c>). Immutable once bound;
/// <see cref="RetryState"/> turns it into a schedule.
/// </summary>
public sealed record RetryPolicy
{
    [Parameter("retry_forever", "If true, plugin will ignore retry_timeout and retry_max_times options and retry flushing forever.")]
    public bool RetryForever { get; init; }

    [Parameter("retry_timeout", "The maximum seconds to retry to flush while failing, until plugin discards buffer chunks.")]
    public TimeSpan RetryTimeout { get; init; } = TimeSpan.FromHours(72);

    [Parameter("retry_max_times", "The maximum number of times to retry to flush while failing.")]
    public int? RetryMaxTimes { get; init; }

    [Parameter("retry_secondary_threshold", "ratio of retry_timeout to switch to use secondary while failing.")]
    public double RetrySecondaryThreshold { get; init; } = 0.8;

    [Parameter("retry_type", "How to wait next retry to flush buffer.")]
    public RetryType RetryType { get; init; } = RetryType.ExponentialBackoff;

    [Parameter("retry_wait", "Seconds to wait before next retry to flush, or constant factor of exponential backoff.")]
    public TimeSpan RetryWait { get; init; } = TimeSpan.FromSeconds(1);

    [Parameter("retry_exponential_backoff_base", "The base number of exponential backoff for retries.")]
    public double RetryExponentialBackoffBase { get; init; } = 2;

    [Parameter("retry_max_interval", "The maximum interval seconds for exponential backoff between retries while failing.")]
    public TimeSpan? RetryMaxInterval { get; init; }

    [Parameter("retry_randomize", "If true, output plugin will retry after randomized interval not to do burst retries.")]
    public bool RetryRandomize { get; init; } = true;

    /// <summary>
    /// fluentd checks the threshold only when a <c>&lt;secondary&gt;</c> exists, and then as an exclusive range: retry_state.rb
    /// raises "secondary_transition_threshold MUST be between 0 and 1" for <c>threshold &lt;= 0 || threshold &gt;= 1</c>.
    /// fluentd raises it when the first retry state is created; we raise it at configure time, with the same text
    /// (without fluentd's "BUG: " prefix, since here it is the operator's error).
    /// </summary>
    public void Validate(bool hasSecondary, ConfigSection? at = null)
    {
        if (hasSecondary && !IsValidSecondaryThreshold(RetrySecondaryThreshold))
        {
            const string message = "secondary_transition_threshold MUST be between 0 and 1";
            throw at is null ? new ConfigException(message) : new ConfigException(message, at);
        }
    }

    internal static bool IsValidSecondaryThreshold(double threshold) => threshold > 0 && threshold < 1;
}
