using System.Diagnostics;

namespace LogAgent.Tests.Forward;

/// <summary>
/// Real client libraries against the forward input, as child processes. Debian's python3-fluent-logger is what the
/// corpus's py-* captures came from; the tests run when it is installed (.ci/run installs it) and say so otherwise.
/// </summary>
public class RealClientTests
{
    private const string Python = "/usr/bin/python3";

    private static bool PythonFluentLoggerInstalled()
    {
        if (!File.Exists(Python)) return false;
        using var probe = Process.Start(new ProcessStartInfo(Python, "-c \"import fluent.sender, msgpack\"") { RedirectStandardError = true, UseShellExecute = false })!;
        probe.WaitForExit(10_000);
        return probe.HasExited && probe.ExitCode == 0;
    }

    // fluent-logger 0.10 has no ack support, so after its events the script sends one Message with a chunk through
    // python3-msgpack (fluent-logger's own dependency) and checks the ack it gets back.
    private const string Script = """
        import socket, sys, msgpack
        from fluent import sender
        port = int(sys.argv[1])
        s = sender.FluentSender('client.py', host='127.0.0.1', port=port, nanosecond_precision=True)
        for i in range(1, 11):
            if not s.emit_with_time('emit', 1709294400 + i, {'seq': i, 'msg': 'héllo'}):
                sys.exit('emit failed: %r' % s.last_error)
        s.close()
        conn = socket.create_connection(('127.0.0.1', port))
        conn.sendall(msgpack.packb(['client.py.ack', 1709294500, {'seq': 11}, {'chunk': 'cHktY2h1bmstMQ=='}]))
        conn.settimeout(10)
        unpacker = msgpack.Unpacker(raw=False)
        while True:
            data = conn.recv(4096)
            if not data:
                sys.exit('closed without ack')
            unpacker.feed(data)
            for reply in unpacker:
                if reply != {'ack': 'cHktY2h1bmstMQ=='}:
                    sys.exit('unexpected reply %r' % reply)
                print('acked')
                sys.exit(0)
        """;

    [Fact]
    public async Task Python_fluent_logger_events_and_an_acked_request_arrive()
    {
        if (!PythonFluentLoggerInstalled())
        {
            Assert.Fail($"{Python} cannot import fluent.sender: install Debian's python3-fluent-logger (apt-get install -y python3-fluent-logger), as .ci/run does");
        }
        await using var harness = await ForwardInputHarness.StartAsync();
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(harness.Port.ToString());
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ForwardInputHarness.Deadline);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"python client failed: {await stderr}");
        Assert.Equal("acked", (await stdout).Trim());

        await harness.WaitForEventsAsync(11);
        // Two connections: their events have no order between them, so look at them by seq.
        var events = harness.Output.Events.OrderBy(e => (long)e.Record["seq"]!).ToList();
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (object?)(long)i), events.Select(e => e.Record["seq"]));
        Assert.All(events.Take(10), e => Assert.Equal("client.py.emit", e.Tag));
        Assert.Equal(1709294401u, events[0].Time.Seconds);
        Assert.Equal("héllo", events[0].Record["msg"]);
        Assert.Equal("client.py.ack", events[10].Tag);
    }
}
