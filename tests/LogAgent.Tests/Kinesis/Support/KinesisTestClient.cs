using System.Text.Json;

namespace LogAgent.Tests.Kinesis.Support;

/// <summary>One entry of a PutRecords answer: ShardId and SequenceNumber when stored, ErrorCode and ErrorMessage when not.</summary>
public sealed record PutRecordsEntry(string? ShardId, string? SequenceNumber, string? ErrorCode, string? ErrorMessage)
{
    public bool Failed => ErrorCode is not null;
}

public sealed record PutRecordsOutcome(int FailedRecordCount, IReadOnlyList<PutRecordsEntry> Records);

/// <summary>
/// What the Kinesis tests need of the Kinesis Data Streams API (Kinesis_20131202, JSON 1.1) to set up a stream and to
/// check what arrived: create a stream and wait until ACTIVE, list its shards, read every record of every shard back
/// (TRIM_HORIZON, GetRecords until caught up), and put records.
/// </summary>
public sealed class KinesisTestClient : AwsJsonClient
{
    public KinesisTestClient(Uri endpoint, TestCredentials? credentials = null, string region = "us-east-1", TimeSpan? timeout = null)
        : base(endpoint, "Kinesis_20131202", "kinesis", credentials, region, timeout) { }

    public async Task<IReadOnlyList<string>> ListStreamsAsync()
    {
        var answer = await CallAsync("ListStreams", new { });
        return answer.GetProperty("StreamNames").EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    /// <summary>Creates a stream of <paramref name="shardCount"/> shards and waits (with a deadline) until it is ACTIVE.</summary>
    public async Task CreateStreamAsync(string stream, int shardCount, TimeSpan? timeout = null)
    {
        await CallAsync("CreateStream", new { StreamName = stream, ShardCount = shardCount });
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var summary = await CallAsync("DescribeStreamSummary", new { StreamName = stream });
            var status = summary.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString();
            if (status == "ACTIVE") return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"stream {stream} still {status} after {timeout}");
            await Task.Delay(20);
        }
    }

    public async Task<IReadOnlyList<KinesisShard>> ListShardsAsync(string stream)
    {
        var shards = new List<KinesisShard>();
        object request = new { StreamName = stream };
        while (true)
        {
            var answer = await CallAsync("ListShards", request);
            foreach (var s in answer.GetProperty("Shards").EnumerateArray())
            {
                var range = s.GetProperty("HashKeyRange");
                shards.Add(new KinesisShard(s.GetProperty("ShardId").GetString()!,
                    KinesisHashKey.Parse(range.GetProperty("StartingHashKey").GetString()!),
                    KinesisHashKey.Parse(range.GetProperty("EndingHashKey").GetString()!)));
            }
            if (!answer.TryGetProperty("NextToken", out var next) || next.ValueKind != JsonValueKind.String) return shards;
            request = new { NextToken = next.GetString() };
        }
    }

    /// <summary>Every record of every shard of the stream, in shard order then sequence order.</summary>
    public async Task<IReadOnlyList<KinesisStoredRecord>> ReadAllAsync(string stream)
    {
        var records = new List<KinesisStoredRecord>();
        foreach (var shard in await ListShardsAsync(stream))
        {
            var iterator = (await CallAsync("GetShardIterator", new { StreamName = stream, ShardId = shard.ShardId, ShardIteratorType = "TRIM_HORIZON" }))
                .GetProperty("ShardIterator").GetString();
            while (iterator is not null)
            {
                var page = await CallAsync("GetRecords", new { ShardIterator = iterator, Limit = 10000 });
                var items = page.GetProperty("Records");
                foreach (var r in items.EnumerateArray())
                    records.Add(new KinesisStoredRecord(shard.ShardId, r.GetProperty("SequenceNumber").GetString()!,
                        r.GetProperty("PartitionKey").GetString()!, r.GetProperty("Data").GetBytesFromBase64()));
                // An empty page with nothing behind the tip means this shard has been read to its end.
                bool caughtUp = !page.TryGetProperty("MillisBehindLatest", out var behind) || behind.GetInt64() == 0;
                if (items.GetArrayLength() == 0 && caughtUp) break;
                iterator = page.TryGetProperty("NextShardIterator", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            }
        }
        return records;
    }

    public static object PutRecordsBody(string stream, IEnumerable<(string PartitionKey, byte[] Data)> records) => new
    {
        StreamName = stream,
        Records = records.Select(r => new { Data = Convert.ToBase64String(r.Data), r.PartitionKey }).ToList(),
    };

    public static PutRecordsOutcome ParsePutRecords(JsonElement answer) => new(
        answer.GetProperty("FailedRecordCount").GetInt32(),
        answer.GetProperty("Records").EnumerateArray().Select(e => new PutRecordsEntry(
            Str(e, "ShardId"), Str(e, "SequenceNumber"), Str(e, "ErrorCode"), Str(e, "ErrorMessage"))).ToList());

    public async Task<PutRecordsOutcome> PutRecordsAsync(string stream, IEnumerable<(string PartitionKey, byte[] Data)> records) =>
        ParsePutRecords(await CallAsync("PutRecords", PutRecordsBody(stream, records)));

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
