using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;

namespace LogAgent.LoadTest;

/// <summary>What one Kinesis output did in the benchmark: its seconds to the last record and its put calls.</summary>
public sealed record KinesisOutputResult(string Output, double Seconds, long Records, long PutCalls, long PutRecords)
{
    public double EventsPerSecond => Records / Seconds;
    public double RequestsPerSecond => PutCalls / Seconds;
    public double RecordsPerRequest => PutCalls == 0 ? 0 : PutRecords / (double)PutCalls;
}

/// <summary>What the bare load generator got through to one service.</summary>
/// <summary>What a service took from the bare generator, and the CPU this process spent per record meanwhile — the
/// generator and, for the in-process Firehose stand-in, the service itself (kinesalite runs apart, in node).</summary>
public sealed record BareResult(string Target, double RecordsPerSecond, double RequestsPerSecond, double ProcessCpuMicrosecondsPerRecord);

public sealed record KinesisResult(IReadOnlyList<KinesisOutputResult> Outputs, double CpuSeconds, double TotalCpuSeconds, double PeakRssMiB,
    IReadOnlyList<BareResult> Bare);

/// <summary>
/// The <c>kinesis</c> scenario (issue 6, "Benchmark"): the agent tails the nginx access log (parse nginx) → copy →
/// kinesis_streams (kinesalite, a 4-shard stream, behind the tests' SigV4-checking proxy, which also counts the
/// records kinesalite stored) and → kinesis_firehose (the Firehose stand-in, keeping counts only). The clock starts
/// when the tail input opens the log (as the tail scenarios) and stops, per output, when its service has every line.
/// Then a bare load generator — several PutRecords / PutRecordBatch requests of 500 records in flight, bodies built
/// once and only signed per request — measures what the same services accept when nothing else runs, so that the two
/// rates say whether the agent or the service is the bottleneck. Everything shares the machine's CPUs.
/// </summary>
public static class KinesisRun
{
    public const string Name = "kinesis";
    private const int BareConcurrency = 8;
    private const int RecordsPerRequest = 500;

    /// <summary>The scenario names: both outputs behind copy, or one alone (so neither shares the CPUs with the
    /// other's service: kinesalite alone takes about a core).</summary>
    public static readonly string[] Names = { Name, Name + "-streams", Name + "-firehose" };

    public static async Task<KinesisResult> RunAsync(string log, int lines, LoadTestOptions options, string scenario = Name)
    {
        bool withStreams = scenario != Name + "-firehose", withFirehose = scenario != Name + "-streams";
        using var kinesalite = KinesaliteServer.Start();
        using var admin = new KinesisTestClient(kinesalite.Endpoint);
        await admin.CreateStreamAsync("bench", 4);
        await admin.CreateStreamAsync("bare", 4);
        await using var proxy = new KinesisFaultProxy(kinesalite.Endpoint).Start();
        await using var firehose = new FirehoseStandIn { KeepRecordData = false }.Start();
        firehose.CreateDeliveryStream("bench").CreateDeliveryStream("bare");

        var name = $"logagent-loadtest-{Environment.ProcessId}-{Name}";
        var configPath = Path.Combine(Path.GetTempPath(), name + ".conf");
        var posPath = Path.Combine(Path.GetTempPath(), name + ".pos");
        TailScenario.DeletePosFile(posPath);
        File.WriteAllText(configPath, Config(log, posPath, withStreams ? proxy.Endpoint : null, withFirehose ? firehose.Endpoint : null));
        // The plugin laid out as an operator installs it: PLUGINS/NAME/NAME.dll with its AWS dependencies beside it.
        var plugins = Path.Combine(Path.GetTempPath(), name + "-plugins");
        var pluginDir = Directory.CreateDirectory(Path.Combine(plugins, "LogAgent.Plugins.Kinesis")).FullName;
        foreach (var file in Directory.GetFiles(RepoPaths.KinesisPluginBuildOutput))
            File.Copy(file, Path.Combine(pluginDir, Path.GetFileName(file)), overwrite: true);
        KinesisOutputResult[] outputs;
        double cpu, totalCpu, peak;
        try
        {
            using var agent = new AgentUnderTest(options.AgentExecutable, configPath, options.AgentEnvironment, "-p", plugins);
            var timeout = Stopwatch.StartNew();
            void CheckAlive(string waitingFor)
            {
                if (agent.HasExited) throw new InvalidOperationException($"the agent exited with {agent.ExitCode} while {waitingFor}:\n{agent.Stderr}");
                if (timeout.Elapsed > TimeSpan.FromSeconds(options.TailTimeoutSeconds))
                    throw new TimeoutException($"still {waitingFor} after {options.TailTimeoutSeconds}s; agent stderr:\n{agent.Stderr}");
            }
            while (TailRun.CommittedOffset(posPath, log) is null)
            {
                CheckAlive("waiting for the tail input to open the log");
                Thread.Sleep(1);
            }
            var clock = Stopwatch.StartNew();
            double cpu0 = agent.CpuSeconds();
            double? streamsDone = withStreams ? null : 0, firehoseDone = withFirehose ? null : 0;
            while (streamsDone is null || firehoseDone is null)
            {
                CheckAlive($"waiting for the services (kinesalite {proxy.Counters.RecordsAccepted}, Firehose {firehose.Counters.RecordsAccepted} of {lines})");
                if (streamsDone is null && proxy.Counters.RecordsAccepted >= lines) streamsDone = clock.Elapsed.TotalSeconds;
                if (firehoseDone is null && firehose.Counters.RecordsAccepted >= lines) firehoseDone = clock.Elapsed.TotalSeconds;
                Thread.Sleep(5);
            }
            cpu = agent.CpuSeconds() - cpu0;
            totalCpu = agent.CpuSeconds();
            peak = agent.PeakRssMiB();
            int code = agent.Stop(TimeSpan.FromSeconds(60));
            if (code != 0) throw new InvalidOperationException($"the agent exited with {code}:\n{agent.Stderr}");
            // No faults: anything beyond the lines would be a duplicate.
            if ((withStreams && proxy.Counters.RecordsAccepted != lines) || (withFirehose && firehose.Counters.RecordsAccepted != lines))
                throw new InvalidOperationException($"kinesalite stored {proxy.Counters.RecordsAccepted}, Firehose accepted {firehose.Counters.RecordsAccepted}, for {lines} lines");
            var done = new List<KinesisOutputResult>();
            if (withStreams) done.Add(Output("kinesis_streams", "out_kinesis_streams", streamsDone.Value, lines, agent.Stderr));
            if (withFirehose) done.Add(Output("kinesis_firehose", "out_kinesis_firehose", firehoseDone.Value, lines, agent.Stderr));
            outputs = done.ToArray();
        }
        finally
        {
            File.Delete(configPath);
            TailScenario.DeletePosFile(posPath);
            Directory.Delete(plugins, recursive: true);
        }

        var records = File.ReadLines(log).Take(RecordsPerRequest)
            .Select(line => JsonSerializer.SerializeToUtf8Bytes(new { message = line })).ToList();
        var streamsBody = AwsJsonClient.Serialize(new
        {
            StreamName = "bare",
            Records = records.Select(r => new { Data = Convert.ToBase64String(r), PartitionKey = Guid.NewGuid().ToString("N") }).ToList(),
        });
        var firehoseBody = AwsJsonClient.Serialize(new
        {
            DeliveryStreamName = "bare",
            Records = records.Select(r => new { Data = Convert.ToBase64String([.. r, (byte)'\n']) }).ToList(),
        });
        var bare = new List<BareResult>();
        if (withStreams)
            bare.Add(await BareAsync("kinesalite behind the proxy", () => new KinesisTestClient(proxy.Endpoint, TestCredentials.Default), "PutRecords", streamsBody,
                () => proxy.Counters.RecordsAccepted, () => proxy.Counters.Requests, options));
        if (withFirehose)
            bare.Add(await BareAsync("Firehose stand-in", () => new AwsJsonClient(firehose.Endpoint, "Firehose_20150804", "firehose", TestCredentials.Default),
                "PutRecordBatch", firehoseBody, () => firehose.Counters.RecordsAccepted, () => firehose.Counters.Requests, options));
        return new KinesisResult(outputs, cpu, totalCpu, peak, bare);
    }

    private static KinesisOutputResult Output(string output, string id, double seconds, int lines, string stderr)
    {
        var line = stderr.Split('\n').LastOrDefault(l => l.Contains($"metrics of {id}: "))
            ?? throw new InvalidOperationException($"no metrics line for {id}:\n{stderr}");
        var metrics = line[(line.IndexOf($"metrics of {id}: ", StringComparison.Ordinal) + $"metrics of {id}: ".Length)..].Trim()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => long.Parse(kv[1]));
        return new KinesisOutputResult(output, seconds, lines, metrics["plugin.put_calls"], metrics["plugin.put_records_sum"]);
    }

    /// <summary><see cref="BareConcurrency"/> loops each putting the same 500-record body as fast as answers come, for
    /// a second of warm-up and then the measured seconds; the service's own counters say what it accepted.</summary>
    private static async Task<BareResult> BareAsync(string target, Func<AwsJsonClient> client, string operation, byte[] body,
        Func<long> accepted, Func<long> requests, LoadTestOptions options)
    {
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, BareConcurrency).Select(_ => Task.Run(async () =>
        {
            using var c = client();
            while (!stop.IsCancellationRequested)
            {
                var answer = await c.SendAsync(operation, body);
                if (!answer.IsSuccess) throw new InvalidOperationException($"{target}: HTTP {answer.Status} {answer.ErrorType}: {answer.ErrorMessage}");
            }
        })).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        long records0 = accepted(), requests0 = requests();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        long records1 = accepted(), requests1 = requests();
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        double seconds = clock.Elapsed.TotalSeconds;
        stop.Cancel();
        await Task.WhenAll(loops);
        return new BareResult(target, (records1 - records0) / seconds, (requests1 - requests0) / seconds,
            (cpu1 - cpu0).TotalMicroseconds / Math.Max(1, records1 - records0));
    }

    private static string Config(string log, string pos, Uri? kinesis, Uri? firehose)
    {
        // Memory buffers (the benchmark measures the agent, not the disk), flushed by 8 threads each, blocking the tail
        // input rather than failing when full; chunks of 4 MiB, which each output splits into puts of ≤ 500 records.
        const string buffer = """
                <buffer>
                  @type memory
                  chunk_limit_size 4m
                  total_limit_size 64m
                  overflow_action block
                  flush_interval 0.2s
                  flush_thread_count 8
                  retry_wait 0.2s
                  retry_max_interval 1s
                  retry_forever true
                </buffer>
            """;
        string credentials = $"""
                aws_key_id {TestCredentials.Default.AccessKeyId}
                aws_sec_key {TestCredentials.Default.SecretAccessKey}
            """;
        var streams = kinesis is null ? "" : $"""
              <store>
                @type kinesis_streams
                @id out_kinesis_streams
                region us-east-1
                endpoint {kinesis}
                stream_name bench
                # kinesalite has no shard limits: measure the agent, not AWS's 1,000 records/s a shard.
                shard_pacing false
            {credentials}
            {buffer}
              </store>
            """;
        var firehoseStore = firehose is null ? "" : $"""
              <store>
                @type kinesis_firehose
                @id out_kinesis_firehose
                region us-east-1
                endpoint {firehose}
                delivery_stream_name bench
            {credentials}
            {buffer}
              </store>
            """;
        return TailScenario.Source(log, pos, "nginx") + $"""
            <match bench.access>
              @type copy
            {streams}
            {firehoseStore}
            </match>
            """;
    }

    public static void Print(KinesisResult r, int lines)
    {
        Console.WriteLine($"{"output",-18} {"events/s",10} {"requests/s",11} {"records/request",16} {"seconds",8}");
        foreach (var o in r.Outputs)
            Console.WriteLine($"{o.Output,-18} {o.EventsPerSecond,10:N0} {o.RequestsPerSecond,11:N1} {o.RecordsPerRequest,16:N1} {o.Seconds,8:N2}");
        double slowest = r.Outputs.Max(o => o.Seconds);
        Console.WriteLine($"both outputs: {lines / slowest:N0} events/s; agent CPU {r.CpuSeconds:N2} s while measuring ({r.TotalCpuSeconds:N2} s over its life, " +
            $"{r.CpuSeconds * 1e6 / lines:N1} µs per event); peak RSS {r.PeakRssMiB:N1} MiB");
        Console.WriteLine();
        Console.WriteLine($"bare load generator ({BareConcurrency} requests of {RecordsPerRequest} records in flight):");
        Console.WriteLine($"{"target",-30} {"records/s",10} {"requests/s",11} {"CPU µs/record (this process)",30}");
        foreach (var b in r.Bare)
            Console.WriteLine($"{b.Target,-30} {b.RecordsPerSecond,10:N0} {b.RequestsPerSecond,11:N1} {b.ProcessCpuMicrosecondsPerRecord,30:N1}");
    }
}
