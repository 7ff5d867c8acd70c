using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LogAgent.LoadTest;

// dotnet run -c Release --project tests/LogAgent.LoadTest -- [SCENARIO|forward|tail|all] [options]; --help lists them
var options = LoadTestOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}

Console.WriteLine($"agent: {options.AgentExecutable ?? AgentUnderTest.ExecutablePath}; {Environment.ProcessorCount} CPUs");
int failures = 0;

var forwardScenarios = Scenario.All.Where(s => options.Runs(s.Name)).ToList();
if (forwardScenarios.Count > 0)
{
    Console.WriteLine($"load: {options.Connections} connections × {options.Window} requests in flight, {options.EventsPerRequest} events per PackedForward request; " +
                      $"warm-up {options.WarmupSeconds}s, measured {options.Seconds}s; forward output buffer {options.BufferMiB} MiB");
    var batch = new AccessLogBatch("bench.access", options.EventsPerRequest, requestAck: true);
    Console.WriteLine($"event: {batch.EventBytes} bytes of msgpack; request: {batch.Request.Length} bytes");
    Console.WriteLine();
    Console.WriteLine($"{"scenario",-22} {"events/s",12} {"MiB/s",8} {"agent CPU s",12} {"CPU s/M events",15} {"peak RSS MiB",13}");
    foreach (var scenario in forwardScenarios)
    {
        try
        {
            var result = await RunAsync(scenario, batch, options);
            Console.WriteLine($"{scenario.Name,-22} {result.EventsPerSecond,12:N0} {result.MiBPerSecond,8:N1} {result.CpuSeconds,12:N2} {result.CpuSecondsPerMillion,15:N2} {result.PeakRssMiB,13:N1}");
        }
        catch (Exception e)
        {
            failures++;
            Console.WriteLine($"{scenario.Name,-22} FAILED: {e.Message}");
        }
    }
    Console.WriteLine();
}

var tailScenarios = TailScenario.All.Where(s => options.Runs(s.Name)).ToList();
if (tailScenarios.Count > 0)
{
    var log = NginxAccessLog.Get(options.Lines);
    Console.WriteLine($"tail: {options.Lines:N0} lines of nginx access log, {new FileInfo(log).Length / (1024.0 * 1024):N1} MiB, read from the head ({log}); " +
                      "measured from the tail input opening the log to the last line through; CPU s: while measuring (whole process life)");
    Console.WriteLine();
    Console.WriteLine($"{"scenario",-22} {"lines/s",12} {"MiB/s",8} {"seconds",8} {"agent CPU s",18} {"peak RSS MiB",13}");
    foreach (var scenario in tailScenarios)
        for (int run = 0; run < options.Repeat; run++)
        {
            try
            {
                var r = await TailRun.RunAsync(scenario, log, options.Lines, options);
                Console.WriteLine($"{scenario.Name,-22} {r.LinesPerSecond,12:N0} {r.MiBPerSecond,8:N1} {r.Seconds,8:N3} {$"{r.CpuSeconds:N2} ({r.TotalCpuSeconds:N2})",18} {r.PeakRssMiB,13:N1}");
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"{scenario.Name,-22} FAILED: {e.Message}");
            }
        }
}
foreach (var kinesisScenario in KinesisRun.Names.Where(options.Runs))
{
    var log = NginxAccessLog.Get(options.Lines);
    Console.WriteLine($"{kinesisScenario}: {options.Lines:N0} lines of nginx access log (parse nginx) → copy → kinesis_streams (kinesalite, 4 shards, behind the " +
                      "SigV4-checking proxy) + kinesis_firehose (stand-in); measured from the tail input opening the log to each service having every line");
    Console.WriteLine();
    try
    {
        KinesisRun.Print(await KinesisRun.RunAsync(log, options.Lines, options, kinesisScenario), options.Lines);
    }
    catch (Exception e)
    {
        failures++;
        Console.WriteLine($"{kinesisScenario} FAILED: {e.Message}");
    }
}
if (options.Runs(KinesisConsumeRun.Name))
{
    var log = NginxAccessLog.Get(options.Lines);
    Console.WriteLine($"{KinesisConsumeRun.Name}: {options.Lines:N0} nginx lines as JSON records in a 4-shard kinesalite stream → kinesis_streams source (parse json) → forward → " +
                      "the counting receiver; measured from the agent's launch to the receiver having every record");
    Console.WriteLine();
    try
    {
        KinesisConsumeRun.Print(await KinesisConsumeRun.RunAsync(log, options.Lines, options));
    }
    catch (Exception e)
    {
        failures++;
        Console.WriteLine($"{KinesisConsumeRun.Name} FAILED: {e.Message}");
    }
}
return failures == 0 ? 0 : 1;

static async Task<Result> RunAsync(Scenario scenario, AccessLogBatch batch, LoadTestOptions options)
{
    await using var sink = scenario.HasSink ? new CountingForwardReceiver() : null;
    int port = FreePort();
    var configPath = Path.Combine(Path.GetTempPath(), $"logagent-loadtest-{Environment.ProcessId}-{scenario.Name}.conf");
    File.WriteAllText(configPath, scenario.Config(port, sink?.Port ?? 0, options.BufferMiB));
    try
    {
        using var agent = new AgentUnderTest(options.AgentExecutable, configPath, options.AgentEnvironment);
        await agent.WaitListeningAsync(port, TimeSpan.FromSeconds(30));
        var sender = new ForwardLoadSender(batch, options.Connections, options.Window);
        using var stop = new CancellationTokenSource();
        var sending = sender.RunAsync(port, stop.Token);

        long Delivered() => sink?.Events ?? sender.AckedEvents;
        await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds));
        if (sending.IsCompleted) await sending;
        long events0 = Delivered();
        double cpu0 = agent.CpuSeconds();
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        long events1 = Delivered();
        double cpu1 = agent.CpuSeconds();
        double seconds = clock.Elapsed.TotalSeconds;
        double peak = agent.PeakRssMiB();
        stop.Cancel();
        await sending;

        if (events1 == events0) throw new InvalidOperationException($"no events were delivered while measuring; agent stderr:\n{agent.Stderr}");
        if (sink?.CheckBytes(batch.EventBytes) is { } mismatch) throw new InvalidOperationException(mismatch);
        double eventsPerSecond = (events1 - events0) / seconds;
        return new Result(eventsPerSecond, eventsPerSecond * batch.EventBytes / (1024 * 1024), cpu1 - cpu0,
            (cpu1 - cpu0) / ((events1 - events0) / 1e6), peak);
    }
    finally
    {
        File.Delete(configPath);
    }
}

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    int port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}

/// <summary>One scenario's numbers over the measured seconds (peak RSS: over the agent's whole life).</summary>
internal sealed record Result(double EventsPerSecond, double MiBPerSecond, double CpuSeconds, double CpuSecondsPerMillion, double PeakRssMiB);
