using System.Text.Json;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Forward;

/// <summary>
/// npm's @fluent-org/logger (a client nobody here wrote) against the forward input, from
/// <c>tests/clients/node/send-events.js</c>. Its version is pinned by the committed package-lock.json; .ci/run runs
/// <c>npm ci</c> there. Every event's tag, time (to the nanosecond) and record are checked.
/// </summary>
public class NodeFluentLoggerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static string ClientDirectory => Path.Combine(RepoPaths.Root, "tests", "clients", "node");

    private static void AssertClientInstalled()
    {
        Assert.True(ClientProcess.Succeeds("node", "--version"), "node is not on PATH");
        Assert.True(Directory.Exists(Path.Combine(ClientDirectory, "node_modules", "@fluent-org", "logger")),
            $"@fluent-org/logger is not installed: run `npm ci` in tests/clients/node, as .ci/run does");
    }

    private static EventTime TimeOf(int i) => new((uint)(1709294400 + i), (uint)(100000089 + i * 1234567));

    private static Dictionary<string, object?> RecordOf(int i) => new()
    {
        ["seq"] = i,
        ["msg"] = "héllo wörld ✓ 日本語 🎉",
        ["nested"] = new Dictionary<string, object?> { ["list"] = new object?[] { 1, 2.5, null, true } },
        ["big"] = (1L << 40) + i,
    };

    /// <summary>Runs the node client with <paramref name="count"/> events labelled <c>label</c>.</summary>
    private static async Task RunClientAsync(int port, string eventMode, int count, object? security = null)
    {
        var spec = new Dictionary<string, object?>
        {
            ["port"] = port,
            ["tag"] = "node",
            ["eventMode"] = eventMode,
            ["ack"] = true,
            ["events"] = Enumerable.Range(1, count).Select(i => new { label = "label", sec = TimeOf(i).Seconds, nsec = TimeOf(i).Nanoseconds, record = RecordOf(i) }),
        };
        if (security is not null)
            foreach (var p in security.GetType().GetProperties()) spec[p.Name] = p.GetValue(security);
        var (code, stdout, stderr) = await ClientProcess.RunAsync("node", new[] { "send-events.js", JsonSerializer.Serialize(spec) }, Deadline, ClientDirectory);
        Assert.True(code == 0, $"node client failed ({code}): {stderr}");
        Assert.Equal($"sent {count}", stdout.Trim());
    }

    private static void AssertEvents(ForwardInputHarness harness, int count)
    {
        var events = harness.Output.Events;
        Assert.Equal(count, events.Count);
        for (int i = 1; i <= count; i++)
        {
            var e = events[i - 1];
            Assert.Equal("node.label", e.Tag);
            Assert.Equal(TimeOf(i), e.Time);
            Assert.Equal(new[] { "big", "msg", "nested", "seq" }, e.Record.Keys.Order());
            Assert.Equal((long)i, e.Record["seq"]);
            Assert.Equal("héllo wörld ✓ 日本語 🎉", e.Record["msg"]);
            Assert.Equal((1L << 40) + i, e.Record["big"]);
            var nested = Assert.IsType<Record>(e.Record["nested"]);
            Assert.Equal(new object?[] { 1L, 2.5, null, true }, Assert.IsType<List<object?>>(nested["list"]));
        }
    }

    [Theory]
    [InlineData("Message")]
    [InlineData("Forward")]
    [InlineData("PackedForward")]
    [InlineData("CompressedPackedForward")]
    public async Task Events_sent_with_ack_required_arrive_exactly(string eventMode)
    {
        AssertClientInstalled();
        await using var harness = await ForwardInputHarness.StartAsync();
        // The client resolves each emit only when its ack came back, and the ack is sent after the emit reached the
        // output, so every event is there when the client exits.
        await RunClientAsync(harness.Port, eventMode, 20);
        AssertEvents(harness, 20);
    }

    [Fact]
    public async Task Events_sent_with_a_shared_key_and_user_auth_arrive_exactly()
    {
        AssertClientInstalled();
        await using var harness = await ForwardInputHarness.StartAsync("""
            <security>
              self_hostname logagent-test
              shared_key node_shared_key
              user_auth true
              <user>
                username node_user
                password node_pass
              </user>
            </security>
            """);
        await RunClientAsync(harness.Port, "PackedForward", 20,
            new { sharedKey = "node_shared_key", username = "node_user", password = "node_pass" });
        AssertEvents(harness, 20);
    }
}
