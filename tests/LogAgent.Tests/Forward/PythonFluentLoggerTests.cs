using System.Globalization;
using System.Text.Json;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Forward;

/// <summary>
/// Debian's python3-fluent-logger (a client nobody here wrote) against the forward input: its sender API
/// (<c>FluentSender.emit_with_time</c>) and its event API (<c>fluent.event.Event</c> after <c>sender.setup</c>), with
/// integer seconds and with <c>nanosecond_precision=True</c>. The script is <c>tests/clients/python/send_events.py</c>;
/// .ci/run installs the library.
/// </summary>
public class PythonFluentLoggerTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly Lazy<bool> Installed = new(() => ClientProcess.Succeeds(Python, "-c", "import fluent.sender, fluent.event"));

    private static string Script => Path.Combine(RepoPaths.Root, "tests", "clients", "python", "send_events.py");

    /// <summary>Times with nanoseconds, as doubles: what a Python program has from <c>time.time()</c>.</summary>
    private static readonly double[] FractionalTimes =
        Enumerable.Range(1, 5).Select(i => 1709294400 + i + (100000089 + i * 1234567) / 1e9).ToArray();

    private static readonly long[] WholeTimes = Enumerable.Range(1, 5).Select(i => 1709294400L + i).ToArray();

    [Theory]
    [InlineData("sender", false)]
    [InlineData("sender", true)]
    [InlineData("event", false)]
    [InlineData("event", true)]
    public async Task Events_arrive_with_tag_time_and_record(string api, bool nanos)
    {
        Assert.True(Installed.Value, $"{Python} cannot import fluent.sender: install Debian's python3-fluent-logger, as .ci/run does");
        await using var harness = await ForwardInputHarness.StartAsync();
        // JSON numbers: whole times as integers, fractional times written so Python reads back the same double.
        string times = nanos
            ? "[" + string.Join(",", FractionalTimes.Select(t => t.ToString("R", CultureInfo.InvariantCulture))) + "]"
            : JsonSerializer.Serialize(WholeTimes);
        string spec = $$"""{"port": {{harness.Port}}, "api": "{{api}}", "nanos": {{(nanos ? "true" : "false")}}, "times": {{times}}}""";

        var before = EventTime.Now;
        var (code, stdout, stderr) = await ClientProcess.RunAsync(Python, new[] { Script, spec }, Deadline);
        var after = EventTime.Now;
        Assert.True(code == 0, $"python client failed: {stderr}");
        int expected = api == "sender" ? 5 : 6;
        Assert.Equal($"sent {expected}", stdout.Trim());

        await harness.WaitForEventsAsync(expected);
        var events = harness.Output.Events;
        Assert.Equal(expected, events.Count);
        string prefix = api == "sender" ? "py.sender" : "py.event";
        for (int i = 1; i <= 5; i++)
        {
            var e = events[i - 1];
            Assert.Equal($"{prefix}.timed", e.Tag);
            AssertRecord(e.Record, i);
            if (nanos)
            {
                // fluent-logger's EventTime: seconds = int(t), nanoseconds = int(t % 1 * 10**9), from the double.
                // The same arithmetic here must give the exact value that arrived…
                double t = FractionalTimes[i - 1];
                Assert.Equal(new EventTime((uint)t, (uint)(t % 1 * 1e9)), e.Time);
                // …and that is within the float's precision of what was meant (corpus README, checklist 6).
                Assert.InRange((long)e.Time.Nanoseconds - (100000089 + i * 1234567), -240, 240);
            }
            else
            {
                Assert.Equal(new EventTime((uint)WholeTimes[i - 1], 0), e.Time);
            }
        }
        if (api == "event")
        {
            // Event's default time is int(time.time()): whole seconds, taken while the script ran.
            var e = events[5];
            Assert.Equal("py.event.default", e.Tag);
            AssertRecord(e.Record, 6);
            Assert.Equal(0u, e.Time.Nanoseconds);
            Assert.InRange(e.Time.Seconds, before.Seconds, after.Seconds);
        }
    }

    private static void AssertRecord(Record record, int seq)
    {
        Assert.Equal(new[] { "big", "msg", "nested", "seq" }, record.Keys.Order());
        Assert.Equal((long)seq, record["seq"]);
        Assert.Equal("héllo wörld ✓ 日本語 🎉", record["msg"]);
        Assert.Equal((1L << 40) + seq, record["big"]);
        var nested = Assert.IsType<Record>(record["nested"]);
        Assert.Equal(new object?[] { 1L, 2.5, null, true }, Assert.IsType<List<object?>>(nested["list"]));
    }
}
