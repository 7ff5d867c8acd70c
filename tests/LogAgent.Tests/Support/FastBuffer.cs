namespace LogAgent.Tests.Support;

/// <summary>
/// &lt;buffer&gt; lines that make flushing and retrying take milliseconds instead of seconds, so tests of buffered
/// outputs finish fast while still going through the real flush threads and retry state.
/// </summary>
public static class FastBuffer
{
    public const string Flush = """
        flush_mode interval
        flush_interval 0.05
        flush_thread_interval 0.02
        flush_thread_burst_interval 0.01
        """;

    public const string FlushAndRetry = Flush + """

        retry_wait 0.05
        retry_randomize false
        """;
}
