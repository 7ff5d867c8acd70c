using System.Text;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.Outputs;

/// <summary>
/// <c>partition_key</c> names a record key (aws-fluent-plugin-kinesis's KeyNotExistError when it is missing): the
/// real agent tails lines of which every tenth has no <c>pk</c>, parsed by a regexp whose pk group is optional.
/// The others are put with their own pk as the partition key — read from the event's msgpack, not a decoded record
/// — on the shard its hash says; the ten percent go to @ERROR, and nothing else does.
/// </summary>
public class PartitionKeyTests(KinesaliteFixture kinesalite) : IClassFixture<KinesaliteFixture>
{
    private const int Events = 2_000;

    [Fact]
    public async Task Records_are_keyed_by_the_partition_key_field_and_events_without_it_go_to_error()
    {
        var stream = KinesaliteFixture.NewStreamName("partition-key");
        var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 2);
        using var run = new KinesisAgentRun();
        var lines = new StringBuilder();
        for (int i = 0; i < Events; i++)
            lines.Append(KinesisAgentRun.EventId(i)).Append(" GET /index.html").Append(i % 10 == 0 ? "" : $" pk=host-{i % 7}").Append('\n');
        File.WriteAllText(run.LogFile, lines.ToString());
        var errors = Path.Combine(run.Directory, "errors");
        run.StartWithConfig($$"""
            <source>
              @type tail
              path {{run.LogFile}}
              pos_file {{run.PathOf("access.pos")}}
              read_from_head true
              tag nginx.access
              <parse>
                @type regexp
                expression /^(?<id>evt-\d+) (?<request>\S+ \S+)( pk=(?<pk>\S+))?$/
              </parse>
            </source>
            <match nginx.**>
              @type kinesis_streams
              @id out_kinesis
              region us-east-1
              endpoint {{kinesalite.Server.Endpoint}}
              stream_name {{stream}}
              partition_key pk
              shard_pacing false
            {{KinesisAgentRun.Credentials}}
              {{KinesisAgentRun.FastBuffer()}}
            </match>
            <label @ERROR>
              <match nginx.**>
                @type file
                path {{errors}}/missing-key
                <format>
                  @type json
                </format>
                <buffer>
                  @type memory
                  flush_mode interval
                  flush_interval 0.2s
                </buffer>
              </match>
            </label>
            """);

        IReadOnlyList<KinesisStoredRecord> records = [];
        List<string> rejected = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            records = await admin.ReadAllAsync(stream);
            rejected = RejectedIds(errors);
            if (records.Count >= Events * 9 / 10 && rejected.Count >= Events / 10) break;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{records.Count} records, {rejected.Count} in @ERROR; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
            await Task.Delay(250);
        }
        var stderr = run.Stop();
        records = await admin.ReadAllAsync(stream);
        rejected = RejectedIds(errors);
        var shards = await admin.ListShardsAsync(stream);

        var expectedKeyed = Enumerable.Range(0, Events).Where(i => i % 10 != 0).ToDictionary(KinesisAgentRun.EventId, i => $"host-{i % 7}");
        Assert.Equal(expectedKeyed.Keys.Order(), records.Select(r => Field(r.Data, "id")).Order());
        Assert.All(records, r =>
        {
            Assert.Equal(expectedKeyed[Field(r.Data, "id")], r.PartitionKey);
            Assert.Equal(r.PartitionKey, Field(r.Data, "pk"));
            Assert.Equal(KinesisHashKey.ShardFor(shards, r.PartitionKey).ShardId, r.ShardId);
        });
        Assert.Equal(Enumerable.Range(0, Events).Where(i => i % 10 == 0).Select(KinesisAgentRun.EventId), rejected.Order());
        Assert.Contains("Key 'pk' doesn't exist; the event goes to @ERROR", stderr);
        Assert.Equal(Events / 10, KinesisAgentRun.MetricsOf(stderr, "out_kinesis")["plugin.records_rejected"]);
    }

    private static string Field(byte[] json, string name) => JsonDocument.Parse(json).RootElement.GetProperty(name).GetString()!;

    /// <summary>The ids of the events in @ERROR so far.</summary>
    private static List<string> RejectedIds(string directory) =>
        KinesisAgentRun.FileOutputRecords(directory).Select(r => r.GetProperty("id").GetString()!).ToList();
}
