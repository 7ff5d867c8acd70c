using System.Text;
using System.Text.Json;
using LogAgent.Plugins.Kinesis.Aws;

namespace LogAgent.Tests.Kinesis;

/// <summary>
/// The put answers are read token by token (<see cref="KinesisResponseReader.PutRecords"/>,
/// <see cref="FirehoseResponseReader.PutRecordBatch"/>): every shape AWS documents is understood, and anything else is
/// a <see cref="JsonException"/> (the client's malformed response), never a guess at which records failed.
/// </summary>
public class PutResponseReaderTests
{
    private static ReadOnlyMemory<byte> Body(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Members_may_come_in_any_order_with_unknown_ones_and_nulls_between()
    {
        var result = KinesisResponseReader.PutRecords(Body("""
            {"Records":[
               {"SequenceNumber":"1","Extra":{"a":[1,2,{"b":null}]},"ShardId":"shardId-000000000001","ErrorCode":null},
               {"ErrorMessage":"Rate exceeded","ErrorCode":"ProvisionedThroughputExceededException","ShardId":null}],
             "Unknown":[true,false],"EncryptionType":"KMS","FailedRecordCount":1}
            """), 2);
        Assert.Equal(1, result.FailedRecordCount);
        Assert.Equal("KMS", result.EncryptionType);
        Assert.Equal(new PutRecordsOutcome("shardId-000000000001", null, null), result.Records[0]);
        Assert.Equal(new PutRecordsOutcome(null, "ProvisionedThroughputExceededException", "Rate exceeded"), result.Records[1]);
    }

    [Fact]
    public void Escaped_strings_are_unescaped()
    {
        var result = FirehoseResponseReader.PutRecordBatch(Body("""
            {"FailedPutCount":1,"RequestResponses":[{"ErrorCode":"Internal\u0046ailure","ErrorMessage":"said \"no\"\n"}]}
            """), 1);
        Assert.Equal(("InternalFailure", "said \"no\"\n"), (result.RequestResponses[0].ErrorCode, result.RequestResponses[0].ErrorMessage));
    }

    [Fact]
    public void Records_on_the_same_shard_share_one_shard_string()
    {
        var records = string.Join(",", Enumerable.Range(0, 500).Select(i => $$"""{"SequenceNumber":"{{i}}","ShardId":"shardId-00000000000{{i % 2}}"}"""));
        var result = KinesisResponseReader.PutRecords(Body($$"""{"FailedRecordCount":0,"Records":[{{records}}]}"""), 500);
        Assert.Equal(2, result.Records.Select(r => r.ShardId).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], result.Records.Select(r => r.ShardId).Distinct().Order());
    }

    [Fact]
    public void A_missing_failed_count_is_counted_from_the_outcomes()
    {
        var result = FirehoseResponseReader.PutRecordBatch(Body("""{"RequestResponses":[{"RecordId":"a"},{"ErrorCode":"ServiceUnavailableException"}]}"""), 2);
        Assert.Equal(1, result.FailedPutCount);
        Assert.Null(result.Encrypted);
    }

    [Theory]
    [InlineData("""{"FailedRecordCount":0,"Records":[{"ShardId":"s"}""")]          // truncated
    [InlineData("""{"FailedRecordCount":0}""")]                                   // no Records
    [InlineData("""{"Records":{"ShardId":"s"}}""")]                               // not an array
    [InlineData("""{"Records":["s"]}""")]                                         // an entry not an object
    [InlineData("""[{"ShardId":"s"}]""")]                                         // not an object
    [InlineData("""{"Records":[{"ShardId":"s"},{"ShardId":"s"}]}""")]             // two outcomes for one record
    [InlineData("")]
    public void A_body_without_the_documented_shape_is_malformed(string body)
    {
        Assert.ThrowsAny<JsonException>(() => KinesisResponseReader.PutRecords(Body(body), 1));
    }

    [Theory]
    [InlineData("""{"FailedPutCount":0,"RequestResponses":[{"RecordId":"a"}""")]
    [InlineData("""{"FailedPutCount":0,"Records":[{"RecordId":"a"}]}""")]
    [InlineData("""{"RequestResponses":[]}""")]
    public void A_firehose_body_without_the_documented_shape_is_malformed(string body)
    {
        Assert.ThrowsAny<JsonException>(() => FirehoseResponseReader.PutRecordBatch(Body(body), 1));
    }
}
