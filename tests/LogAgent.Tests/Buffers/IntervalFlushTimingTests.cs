using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Buffers;

/// <summary>
/// When a staged chunk of <c>flush_mode interval</c> goes out: at the time fluentd's rule makes it due
/// (<c>created_at.to_i + flush_interval.to_i &lt;= now.to_i</c> for whole seconds; exactly created + interval for a
/// fraction), never before it, and not up to a flush_thread_interval (1 s by default) later as polling would.
/// </summary>
public class IntervalFlushTimingTests
{
    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_whole_second_interval_flushes_at_the_wall_clock_second_fluentd_makes_it_due()
    {
        var (engine, input, output) = Start("1s");
        try
        {
            // Created in the second half of a second: due at the next second boundary, half a second before
            // created + 1 s, which a poll every flush_thread_interval would wait for (or longer).
            await Eventually.True(() => DateTimeOffset.UtcNow.Millisecond is >= 500 and < 600, TimeSpan.FromSeconds(5), () => "clock phase");
            var created = DateTimeOffset.UtcNow;
            input.Emit("app", new Record { ["n"] = 1L });
            await Eventually.True(() => output.WriteTimes.Count == 1, TimeSpan.FromSeconds(5), () => "no write");

            var due = DateTimeOffset.FromUnixTimeSeconds(created.ToUnixTimeSeconds() + 1);
            var written = output.WriteTimes[0];
            Assert.True(written >= due, $"written {written:HH:mm:ss.fff}, before the due time {due:HH:mm:ss.fff}");
            Assert.True(written - due < Late, $"written {written:HH:mm:ss.fff}, {(written - due).TotalMilliseconds:F0} ms after the due time");
        }
        finally
        {
            await engine.StopAsync();
        }
    }

    [Fact]
    public async Task A_fractional_interval_is_honoured_exactly_not_at_the_next_poll()
    {
        var (engine, input, output) = Start("0.3s");
        try
        {
            var created = DateTimeOffset.UtcNow;
            input.Emit("app", new Record { ["n"] = 1L });
            await Eventually.True(() => output.WriteTimes.Count == 1, TimeSpan.FromSeconds(5), () => "no write");

            var delay = output.WriteTimes[0] - created;
            Assert.True(delay >= TimeSpan.FromMilliseconds(290), $"written after {delay.TotalMilliseconds:F0} ms, before flush_interval");
            Assert.True(delay < TimeSpan.FromMilliseconds(300) + Late, $"written after {delay.TotalMilliseconds:F0} ms");
        }
        finally
        {
            await engine.StopAsync();
        }
    }

    private static (LogAgent.Core.Engine.AgentEngine Engine, ManualInput Input, TestBufferedOutput Output) Start(string flushInterval) =>
        EngineFixture.StartManualToBuffered($"""
            <buffer>
              @type memory
              flush_mode interval
              flush_interval {flushInterval}
            </buffer>
            """);
}
