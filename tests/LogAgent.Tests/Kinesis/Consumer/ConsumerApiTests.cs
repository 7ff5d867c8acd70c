using System.Text;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Tests.Kinesis.Support;

namespace LogAgent.Tests.Kinesis.Consumer;

/// <summary>The consumer's API calls (ListShards, GetShardIterator, GetRecords) against kinesalite, including a split shard read to its end.</summary>
public class ConsumerApiTests(KinesaliteFixture kinesalite) : IClassFixture<KinesaliteFixture>
{
    private KinesisApiClient Client() => new(
        new AwsClientOptions { Region = "us-east-1", Endpoint = kinesalite.Server.Endpoint },
        new Amazon.Runtime.BasicAWSCredentials(TestCredentials.Default.AccessKeyId, TestCredentials.Default.SecretAccessKey));

    [Fact]
    public async Task Records_come_back_in_order_and_resume_after_a_sequence_number()
    {
        var name = KinesaliteFixture.NewStreamName("consumer-api");
        using var setup = new KinesisTestClient(kinesalite.Server.Endpoint);
        await setup.CreateStreamAsync(name, 1);
        await setup.PutRecordsAsync(name, Enumerable.Range(0, 5).Select(i => ($"key-{i}", Encoding.UTF8.GetBytes($"record {i}"))));
        using var client = Client();
        var stream = new KinesisStreamRef(name, null);

        var shard = Assert.Single(await client.ListShardsAsync(stream, CancellationToken.None));
        var iterator = await client.GetShardIteratorAsync(stream, shard.ShardId, ShardIteratorStart.TrimHorizon, CancellationToken.None);
        var page = await client.GetRecordsAsync(stream, iterator, 10, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"record {i}"), page.Records.Select(r => Encoding.UTF8.GetString(r.Data)));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"key-{i}"), page.Records.Select(r => r.PartitionKey));
        Assert.All(page.Records, r => Assert.NotNull(r.ApproximateArrivalTimestamp));
        Assert.NotNull(page.NextShardIterator);
        Assert.Equal(0, page.MillisBehindLatest);

        var after = await client.GetShardIteratorAsync(stream, shard.ShardId, ShardIteratorStart.After(page.Records[1].SequenceNumber), CancellationToken.None);
        var rest = await client.GetRecordsAsync(stream, after, 2, CancellationToken.None);
        Assert.Equal(["record 2", "record 3"], rest.Records.Select(r => Encoding.UTF8.GetString(r.Data)));
        var at = await client.GetShardIteratorAsync(stream, shard.ShardId, ShardIteratorStart.At(page.Records[4].SequenceNumber), CancellationToken.None);
        Assert.Equal("record 4", Encoding.UTF8.GetString(Assert.Single((await client.GetRecordsAsync(stream, at, 10, CancellationToken.None)).Records).Data));
    }

    [Fact]
    public async Task A_split_parent_is_read_to_its_end_and_lists_its_children()
    {
        var name = KinesaliteFixture.NewStreamName("consumer-split");
        using var setup = new KinesisTestClient(kinesalite.Server.Endpoint);
        await setup.CreateStreamAsync(name, 1);
        await setup.PutRecordsAsync(name, [("k", "before"u8.ToArray())]);
        using var client = Client();
        var stream = new KinesisStreamRef(name, null);
        var parent = Assert.Single(await client.ListShardsAsync(stream, CancellationToken.None));
        await setup.CallAsync("SplitShard", new { StreamName = name, ShardToSplit = parent.ShardId, NewStartingHashKey = "170141183460469231731687303715884105728" });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        IReadOnlyList<LogAgent.Plugins.Kinesis.Aws.KinesisShard> shards;
        while ((shards = await client.ListShardsAsync(stream, CancellationToken.None)).Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the split did not show in ListShards");
            await Task.Delay(50);
        }
        Assert.False(shards.Single(s => s.ShardId == parent.ShardId).IsOpen);
        Assert.Equal(2, shards.Count(s => s.ParentShardId == parent.ShardId));

        var iterator = await client.GetShardIteratorAsync(stream, parent.ShardId, ShardIteratorStart.TrimHorizon, CancellationToken.None);
        var data = new List<string>();
        GetRecordsResult page;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the closed parent never reported its end");
            page = await client.GetRecordsAsync(stream, iterator, 100, CancellationToken.None);
            data.AddRange(page.Records.Select(r => Encoding.UTF8.GetString(r.Data)));
            iterator = page.NextShardIterator!;
        }
        while (!page.ShardEnded);
        Assert.Equal(["before"], data);
    }
}
