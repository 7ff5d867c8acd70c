using System.Diagnostics;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Kinesis.Outputs;

/// <summary>
/// Fan-out as conf/examples/kinesis-fanout.conf builds it — tail → copy → kinesis_streams + kinesis_firehose + file,
/// each with its own file buffer — through the real agent: Firehose down for the whole first phase neither delays,
/// duplicates nor loses the events of the other two; once it comes back it receives every event, once.
/// </summary>
public class FanOutIsolationTests(KinesaliteFixture kinesalite, ITestOutputHelper output) : IClassFixture<KinesaliteFixture>
{
    private const int Events = 20_000;

    private sealed record Run(KinesisAgentRun AgentRun, KinesisFaultProxy Proxy, string Stream, string Backup) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            AgentRun.Dispose();
            await Proxy.DisposeAsync();
        }
    }

    private async Task<Run> StartAsync(FirehoseStandIn firehose, string deliveryStream)
    {
        var stream = KinesaliteFixture.NewStreamName("fanout");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 2);
        var proxy = new KinesisFaultProxy(kinesalite.Server.Endpoint).Start();
        firehose.CreateDeliveryStream(deliveryStream);
        var agent = new KinesisAgentRun();
        agent.WriteEvents(Events);
        var backup = agent.PathOf("backup");
        // Short retry waits so the test is quick; each store's buffer is its own directory.
        string Buffer(string name) => $"""
                <buffer>
                  @type file
                  path {agent.PathOf("buffer/" + name)}
                  chunk_limit_size 256k
                  flush_mode interval
                  flush_interval 0.2s
                  flush_thread_count 4
                  retry_wait 0.2s
                  retry_max_interval 1s
                  retry_forever true
                </buffer>
            """;
        agent.Start($"""
            <match nginx.access>
              @type copy
              <store>
                @type kinesis_streams
                @id out_kinesis
                region us-east-1
                endpoint {proxy.Endpoint}
                stream_name {stream}
                shard_pacing false
            {KinesisAgentRun.Credentials}
            {Buffer("kinesis")}
              </store>
              <store>
                @type kinesis_firehose
                @id out_firehose
                region us-east-1
                endpoint {firehose.Endpoint}
                delivery_stream_name {deliveryStream}
            {KinesisAgentRun.Credentials}
            {Buffer("firehose")}
              </store>
              <store>
                @type file
                @id out_backup
                path {backup}/access
                <format>
                  @type json
                </format>
            {Buffer("backup")}
              </store>
            </match>
            """);
        return new Run(agent, proxy, stream, backup);
    }

    /// <summary>Waits (deadline 60 s) until kinesalite and the file output each have every event; returns how long it took.</summary>
    private static async Task<TimeSpan> KinesisAndFileCompleteAsync(Run run, Stopwatch clock)
    {
        await Eventually.True(() => run.Proxy.Counters.RecordsAccepted >= Events && BackupIds(run.Backup).Count >= Events, TimeSpan.FromSeconds(60),
            () => $"kinesis {run.Proxy.Counters.RecordsAccepted}, file {BackupIds(run.Backup).Count}; stderr:\n{KinesisAgentRun.Tail(run.AgentRun.Agent.Stderr)}");
        return clock.Elapsed;
    }

    [Fact]
    public async Task Firehose_down_delays_nothing_else_and_gets_every_event_once_when_back()
    {
        await using var firehose = new FirehoseStandIn().Start();

        // The yardstick: the same run with every store up.
        TimeSpan baseline;
        var clock = Stopwatch.StartNew();
        await using (var reference = await StartAsync(firehose, "reference"))
        {
            baseline = await KinesisAndFileCompleteAsync(reference, clock);
            await Eventually.True(() => firehose.AcceptedIn("reference").Count >= Events, TimeSpan.FromSeconds(60), () => "reference run: Firehose incomplete");
            reference.AgentRun.Stop();
        }

        firehose.GoDown();
        long requestsBefore = firehose.Counters.Requests;
        clock.Restart();
        await using var run = await StartAsync(firehose, "isolated");
        var whileDown = await KinesisAndFileCompleteAsync(run, clock);
        output.WriteLine($"kinesis_streams and file complete ({Events} events): {baseline.TotalSeconds:F2} s with every store up, {whileDown.TotalSeconds:F2} s with Firehose down");

        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        var stored = (await admin.ReadAllAsync(run.Stream)).Select(r => KinesisAgentRun.IdOf(r.Data)).ToList();
        AssertEveryEventOnce(stored, "kinesalite");
        AssertEveryEventOnce(BackupIds(run.Backup), "file output");
        Assert.Equal(requestsBefore, firehose.Counters.Requests); // down: not one request reached it
        Assert.Empty(firehose.AcceptedIn("isolated"));
        Assert.Contains("out_firehose: failed to flush the buffer", run.AgentRun.Agent.Stderr); // it was failing all along
        // "On time": not held back by Firehose's retries — within twice the all-up time plus 3 s of slack for a loaded machine.
        Assert.True(whileDown <= baseline * 2 + TimeSpan.FromSeconds(3),
            $"with Firehose down kinesis_streams and file took {whileDown.TotalSeconds:F2} s, with it up {baseline.TotalSeconds:F2} s");

        clock.Restart();
        firehose.ComeBack();
        await Eventually.True(() => firehose.AcceptedIn("isolated").Count >= Events, TimeSpan.FromSeconds(60),
            () => $"Firehose has {firehose.AcceptedIn("isolated").Count} after coming back; stderr:\n{KinesisAgentRun.Tail(run.AgentRun.Agent.Stderr)}");
        output.WriteLine($"Firehose complete {clock.Elapsed.TotalSeconds:F2} s after coming back");
        var stderr = run.AgentRun.Stop();

        AssertEveryEventOnce(firehose.AcceptedIn("isolated").Select(r => KinesisAgentRun.IdOf(r.Data.AsSpan(0, r.Data.Length - 1))).ToList(), "Firehose");
        AssertEveryEventOnce((await admin.ReadAllAsync(run.Stream)).Select(r => KinesisAgentRun.IdOf(r.Data)).ToList(), "kinesalite after the agent stopped");
        AssertEveryEventOnce(BackupIds(run.Backup), "file output after the agent stopped");
        var metrics = KinesisAgentRun.MetricsOf(stderr, "out_firehose");
        output.WriteLine("out_firehose metrics: " + string.Join(' ', metrics.Select(kv => kv.Key + "=" + kv.Value)));
        Assert.True(metrics["retry_count"] > 0);
    }

    private static void AssertEveryEventOnce(IReadOnlyCollection<string> ids, string where)
    {
        int missing = Enumerable.Range(0, Events).Select(KinesisAgentRun.EventId).Except(ids).Count();
        int duplicates = ids.Count - ids.Distinct().Count();
        Assert.True((missing, duplicates) == (0, 0), $"{where}: {missing} missing, {duplicates} duplicates");
    }

    /// <summary>The event ids in the file output's files so far (complete lines only).</summary>
    private static List<string> BackupIds(string directory) =>
        KinesisAgentRun.FileOutputRecords(directory).Select(r => r.GetProperty("message").GetString()![..11]).ToList();
}
