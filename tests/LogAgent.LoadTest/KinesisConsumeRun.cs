using System.Diagnostics;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Support;

namespace LogAgent.LoadTest;

/// <summary>The consumer's figures: events through, its CPU and memory, and what kinesalite serves a bare reader.</summary>
public sealed record KinesisConsumeResult(int Records, long Bytes, double Seconds, double CpuSeconds, double PeakRssMiB, double BareRecordsPerSecond)
{
    public double EventsPerSecond => Records / Seconds;
    public double MiBPerSecond => Bytes / Seconds / (1024 * 1024);
}

/// <summary>
/// The <c>kinesis-consume</c> scenario (issue 12): a 4-shard kinesalite stream filled with the nginx log's lines as JSON
/// records (<c>{"message": LINE}</c>, random partition keys); the agent reads it with the <c>kinesis_streams</c> source
/// (<c>&lt;parse&gt; json</c>) and forwards every event to the counting receiver. The clock starts at the agent's
/// launch and stops when the receiver has every record (exactly: more would be duplicates). Then a bare reader —
/// GetRecords of 10,000 over each shard, one after the other, from this process — says what kinesalite itself serves,
/// so the two rates tell which side is the bottleneck. Everything shares the machine's CPUs.
/// </summary>
public static class KinesisConsumeRun
{
    public const string Name = "kinesis-consume";
    private const int Shards = 4;

    public static async Task<KinesisConsumeResult> RunAsync(string log, int lines, LoadTestOptions options)
    {
        using var kinesalite = KinesaliteServer.Start();
        using var admin = new KinesisTestClient(kinesalite.Endpoint);
        await admin.CreateStreamAsync("consume", Shards);
        long bytes = 0;
        int records = 0;
        foreach (var batch in File.ReadLines(log).Take(lines).Chunk(500))
        {
            var data = batch.Select(line => (Guid.NewGuid().ToString("N"), JsonSerializer.SerializeToUtf8Bytes(new { message = line }))).ToList();
            var outcome = await admin.PutRecordsAsync("consume", data);
            if (outcome.FailedRecordCount > 0) throw new InvalidOperationException($"kinesalite refused {outcome.FailedRecordCount} records while filling the stream");
            bytes += data.Sum(d => (long)d.Item2.Length);
            records += data.Count;
        }

        await using var sink = new CountingForwardReceiver();
        var name = $"logagent-loadtest-{Environment.ProcessId}-{Name}";
        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), name)).FullName;
        var plugins = Path.Combine(work, "plugins");
        var pluginDir = Directory.CreateDirectory(Path.Combine(plugins, "LogAgent.Plugins.Kinesis")).FullName;
        foreach (var file in Directory.GetFiles(LogAgent.Tests.Support.RepoPaths.KinesisPluginBuildOutput))
            File.Copy(file, Path.Combine(pluginDir, Path.GetFileName(file)), overwrite: true);
        var configPath = Path.Combine(work, "agent.conf");
        File.WriteAllText(configPath, $"""
            <source>
              @type kinesis_streams
              region us-east-1
              endpoint {kinesalite.Endpoint}
              stream_name consume
              aws_key_id {TestCredentials.Default.AccessKeyId}
              aws_sec_key {TestCredentials.Default.SecretAccessKey}
              tag bench.consume
              state_dir {Path.Combine(work, "state")}
              fetch_interval 0.2
            </source>
            <match bench.**>
              @type forward
              <server>
                host 127.0.0.1
                port {sink.Port}
              </server>
              <buffer>
                @type memory
                chunk_limit_size 4m
                total_limit_size 64m
                overflow_action block
                flush_mode interval
                flush_interval 0.05s
                flush_thread_interval 0.01
              </buffer>
            </match>
            """);
        double seconds, cpu, peak;
        try
        {
            var clock = Stopwatch.StartNew();
            using var agent = new AgentUnderTest(options.AgentExecutable, configPath, options.AgentEnvironment, "-p", plugins);
            while (sink.Events < records)
            {
                if (agent.HasExited) throw new InvalidOperationException($"the agent exited with {agent.ExitCode}:\n{agent.Stderr}");
                if (clock.Elapsed > TimeSpan.FromSeconds(options.TailTimeoutSeconds))
                    throw new TimeoutException($"the receiver has {sink.Events} of {records} after {options.TailTimeoutSeconds}s:\n{agent.Stderr}");
                Thread.Sleep(5);
            }
            seconds = clock.Elapsed.TotalSeconds;
            cpu = agent.CpuSeconds();
            peak = agent.PeakRssMiB();
            int code = agent.Stop(TimeSpan.FromSeconds(60));
            if (code != 0) throw new InvalidOperationException($"the agent exited with {code}:\n{agent.Stderr}");
            if (sink.Events != records) throw new InvalidOperationException($"the receiver has {sink.Events} events for {records} records");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        var bare = Stopwatch.StartNew();
        int read = (await admin.ReadAllAsync("consume")).Count;
        double bareRate = read / bare.Elapsed.TotalSeconds;
        return new KinesisConsumeResult(records, bytes, seconds, cpu, peak, bareRate);
    }

    public static void Print(KinesisConsumeResult r)
    {
        Console.WriteLine($"{"scenario",-22} {"events/s",12} {"MiB/s",8} {"seconds",8} {"agent CPU s",12} {"peak RSS MiB",13} {"bare GetRecords/s",18}");
        Console.WriteLine($"{Name,-22} {r.EventsPerSecond,12:N0} {r.MiBPerSecond,8:N1} {r.Seconds,8:N2} {r.CpuSeconds,12:N2} {r.PeakRssMiB,13:N1} {r.BareRecordsPerSecond,18:N0}");
    }
}
