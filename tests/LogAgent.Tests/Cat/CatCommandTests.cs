using System.Net;
using System.Net.Sockets;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Forward;
using LogAgent.Tests.Support;
using MessagePack;

namespace LogAgent.Tests.Cat;

/// <summary>
/// <c>logagent cat</c> as the real executable, its standard input a pipe, sending to a forward input running in this
/// process with a capture output behind it.
/// </summary>
public class CatCommandTests
{
    // Starting the executable costs a second or two of the deadline; sending a few lines costs nothing.
    private static readonly TimeSpan ProcessDeadline = TimeSpan.FromSeconds(60);

    private static (int ExitCode, string Stderr) RunCat(string input, params string[] arguments) =>
        RunCat(writer => writer.Write(input), arguments);

    private static (int ExitCode, string Stderr) RunCat(Action<StreamWriter> writeInput, params string[] arguments)
    {
        using var cat = AgentProcess.WithInput(new[] { "cat" }.Concat(arguments).ToArray());
        try
        {
            writeInput(cat.Input);
            cat.Input.Close();
        }
        catch (IOException)
        {
            // The process may have exited (and closed its end) before reading everything: its exit code says why.
        }
        int code = cat.WaitForExit(ProcessDeadline);
        return (code, cat.Stderr);
    }

    [Fact]
    public async Task Json_lines_arrive_as_events_with_the_tag_the_read_time_and_the_record()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var before = EventTime.Now;
        var (code, stderr) = RunCat("""
            {"seq": 1, "msg": "héllo wörld ✓"}
            {"seq": 2, "nested": {"a": [1, 2.5, null, true]}}

            {"seq": 3}
            """, "app.cat", "--port", harness.Port.ToString());
        var after = EventTime.Now;
        Assert.True(code == 0, stderr);

        await harness.WaitForEventsAsync(3);
        var events = harness.Output.Events;
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("app.cat", e.Tag));
        Assert.All(events, e => Assert.True(e.Time.CompareTo(before) >= 0 && e.Time.CompareTo(after) <= 0, $"{e.Time} is not between {before} and {after}"));
        Assert.Equal(new object?[] { 1L, 2L, 3L }, events.Select(e => e.Record["seq"]));
        Assert.Equal("héllo wörld ✓", events[0].Record["msg"]);
        var nested = Assert.IsType<Record>(events[1].Record["nested"]);
        Assert.Equal(new object?[] { 1L, 2.5, null, true }, Assert.IsType<List<object?>>(nested["a"]));
    }

    [Fact]
    public async Task A_bad_json_line_is_reported_with_its_number_after_the_lines_before_it_were_sent()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var (code, stderr) = RunCat("{\"seq\": 1}\n{\"seq\": 2}\n{\"seq\": 3,\n{\"seq\": 4}\n", "bad.json", "--port", harness.Port.ToString());
        Assert.Equal(1, code);
        Assert.Contains("line 3: not valid JSON", stderr);
        await harness.WaitForEventsAsync(2);
        Assert.Equal(new object?[] { 1L, 2L }, harness.Output.Events.Select(e => e.Record["seq"]));
    }

    [Fact]
    public async Task A_json_line_that_is_not_an_object_is_reported_with_its_number()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var (code, stderr) = RunCat("{\"seq\": 1}\n[1, 2]\n", "bad.array", "--port", harness.Port.ToString());
        Assert.Equal(1, code);
        Assert.Contains("line 2: a record must be a JSON object, got an array", stderr);
    }

    [Fact]
    public void A_server_that_is_not_there_is_a_non_zero_exit_naming_the_address()
    {
        int port = FreePort.Get();
        var (code, stderr) = RunCat("{\"seq\": 1}\n", "nobody.home", "--port", port.ToString());
        Assert.Equal(1, code);
        Assert.Contains($"cannot connect to 127.0.0.1:{port}", stderr);
    }

    [Fact]
    public async Task With_ack_every_request_is_acked_before_the_exit()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var lines = string.Concat(Enumerable.Range(1, 50).Select(i => $"{{\"seq\": {i}}}\n"));
        var (code, stderr) = RunCat(lines, "acked.cat", "--port", harness.Port.ToString(), "--ack");
        Assert.True(code == 0, stderr);
        // The acks came after the emits, so every event is already in the output: no waiting.
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (object?)(long)i), harness.Output.Events.Select(e => e.Record["seq"]));
    }

    [Fact]
    public async Task With_ack_a_server_that_never_acks_is_a_non_zero_exit()
    {
        // A server that reads everything and answers nothing.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var silent = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            using var timeout = new CancellationTokenSource(ProcessDeadline);
            await ForwardInputHarness.ReadToEndAsync(client.GetStream(), timeout.Token);
        });
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (code, stderr) = RunCat("{\"seq\": 1}\n", "never.acked", "--port", port.ToString(), "--ack", "--ack-timeout", "1");
        Assert.Equal(1, code);
        Assert.Contains("no ack within", stderr);
        await silent.WaitAsync(ProcessDeadline);
    }

    [Fact]
    public async Task Format_none_makes_each_line_a_message_and_time_as_integer_sends_whole_seconds()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var (code, stderr) = RunCat("plain text line\n{\"not\": \"parsed\"}\n", "raw.lines", "--port", harness.Port.ToString(),
            "--format", "none", "--message-key", "log", "--time-as-integer");
        Assert.True(code == 0, stderr);
        await harness.WaitForEventsAsync(2);
        var events = harness.Output.Events;
        Assert.Equal(new object?[] { "plain text line", "{\"not\": \"parsed\"}" }, events.Select(e => e.Record["log"]));
        Assert.All(events, e => Assert.Single(e.Record));
        Assert.All(events, e => Assert.Equal(0u, e.Time.Nanoseconds));
    }

    [Fact]
    public async Task Format_msgpack_reads_a_stream_of_maps()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var maps = Requests.Build((ref MessagePackWriter w) =>
        {
            for (int i = 1; i <= 3; i++) Requests.WriteRecord(ref w, i);
        });
        var (code, stderr) = RunCat(writer => writer.BaseStream.Write(maps), "mp.cat", "--port", harness.Port.ToString(), "--format", "msgpack");
        Assert.True(code == 0, stderr);
        await harness.WaitForEventsAsync(3);
        Assert.Equal(new object?[] { 1L, 2L, 3L }, harness.Output.Events.Select(e => e.Record["seq"]));
    }

    [Fact]
    public async Task Format_msgpack_names_the_value_that_is_not_a_map()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var input = Requests.Build((ref MessagePackWriter w) =>
        {
            Requests.WriteRecord(ref w, 1);
            w.Write("not a map");
        });
        var (code, stderr) = RunCat(writer => writer.BaseStream.Write(input), "mp.bad", "--port", harness.Port.ToString(), "--msgpack");
        Assert.Equal(1, code);
        Assert.Contains("msgpack value 2 (byte 6): a record must be a map, got string", stderr);
        await harness.WaitForEventsAsync(1);
    }

    private const string Security = """
        <security>
          self_hostname server.test
          shared_key cat_secret
        </security>
        """;

    [Fact]
    public async Task With_the_shared_key_the_handshake_passes_and_the_events_arrive()
    {
        await using var harness = await ForwardInputHarness.StartAsync(Security);
        var (code, stderr) = RunCat("{\"a\":1}\n", "sec.cat", "--port", harness.Port.ToString(), "--shared-key", "cat_secret",
            "--self-hostname", "cat.client", "--ack");
        Assert.True(code == 0, stderr);
        await harness.WaitForEventsAsync(1);
        Assert.Equal("sec.cat", harness.Output.Events.Single().Tag);
    }

    [Fact]
    public async Task Tls_reaches_a_tls_input_and_a_plain_send_to_it_fails()
    {
        await using var harness = await ForwardInputHarness.StartAsync("<transport tls>\n  insecure true\n</transport>");
        var (code, stderr) = RunCat("{\"a\":1}\n", "tls.cat", "--port", harness.Port.ToString(), "--tls", "--tls-insecure", "--ack");
        Assert.True(code == 0, stderr);
        await harness.WaitForEventsAsync(1);
        var (plainCode, _) = RunCat("{\"b\":2}\n", "tls.cat", "--port", harness.Port.ToString(), "--ack", "--ack-timeout", "3");
        Assert.NotEqual(0, plainCode);
        Assert.Single(harness.Output.Events);
    }

    [Fact]
    public async Task A_wrong_shared_key_fails_with_the_servers_reason_and_nothing_arrives()
    {
        await using var harness = await ForwardInputHarness.StartAsync(Security);
        var (code, stderr) = RunCat("{\"a\":1}\n", "sec.cat", "--port", harness.Port.ToString(), "--shared-key", "wrong", "--ack");
        Assert.NotEqual(0, code);
        Assert.Contains("shared_key mismatch", stderr);
        Assert.Empty(harness.Output.Events);
    }
}
