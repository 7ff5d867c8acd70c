using System.IO.Compression;
using System.Text;
using LogAgent.Plugins.Kinesis.Records;

namespace LogAgent.Tests.Kinesis.Records;

/// <summary>The CloudWatch Logs subscription envelope (<c>format cloudwatch_logs</c>) as AWS writes it.</summary>
public class CloudWatchLogsEnvelopeTests
{
    // The gzip'd, base64'd payload of AWS's published sample CloudWatch Logs event (aws-lambda-powertools' parser
    // types, the Lambda console's "cloudwatch-logs" test event): bytes AWS produced, not this project.
    private const string AwsSample =
        "H4sIAAAAAAAAAHWPwQqCQBCGX0Xm7EFtK+smZBEUgXoLCdMhFtKV3akI8d0bLYmibvPPN3wz00CJxmQnTO41whwWQRIctmEcB6sQbFC3CjW3XW8kxpOpP+OC22d1Wml1qZkQGtoMsScxaczKN3plG8zlaHIta5KqWsozoTYw3/djzwhpLwivWFGHGpAFe7DL68JlBUk+l7KSN7tCOEJ4M3/qOI49vMHj+zCKdlFqLaU2ZHV2a4Ct/an0/ivdX8oYc1UVX860fQDQiMdxRQEAAA==";

    [Fact]
    public void Reads_AWS_sample_into_one_event_per_log_event()
    {
        var batch = CloudWatchLogsEnvelope.Read(Convert.FromBase64String(AwsSample));
        Assert.False(batch.IsControl);
        Assert.Equal("DATA_MESSAGE", batch.MessageType);
        Assert.Equal(("123456789123", "testLogGroup", "testLogStream"), (batch.Owner, batch.LogGroup, batch.LogStream));
        Assert.Equal(["testFilter"], batch.SubscriptionFilters);
        Assert.Equal(
            [new("eventId1", 1440442987000, "[ERROR] First test message"), new("eventId2", 1440442987001, "[ERROR] Second test message")],
            batch.LogEvents);
    }

    [Fact]
    public void A_control_message_is_recognised_to_be_skipped()
    {
        var batch = CloudWatchLogsEnvelope.Read(Gzip("""
            {"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],
             "logEvents":[{"id":"","timestamp":1432826855000,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]}
            """));
        Assert.True(batch.IsControl);
    }

    [Fact]
    public void Already_decompressed_JSON_is_read_too()
    {
        var batch = CloudWatchLogsEnvelope.Read(Encoding.UTF8.GetBytes(
            """{"messageType":"DATA_MESSAGE","logGroup":"g","logStream":"s","logEvents":[{"id":"1","timestamp":5,"message":"é"}]}"""));
        Assert.Equal([new CloudWatchLogEvent("1", 5, "é")], batch.LogEvents);
        Assert.Null(batch.Owner);
    }

    [Theory]
    [InlineData("{\"log\":\"GET /\"}", "no messageType")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("{\"messageType\":\"DATA_MESSAGE\"}", "without logEvents")]
    [InlineData("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":{}}", "not an array")]
    [InlineData("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"message\":\"m\"}]}", "logEvents[0] has no integer timestamp")]
    [InlineData("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":\"m\"},{\"timestamp\":2}]}", "logEvents[1] has no message")]
    [InlineData("GET / HTTP/1.1", "invalid JSON")]
    public void What_is_not_an_envelope_is_refused_saying_why(string data, string reason)
    {
        foreach (var bytes in new[] { Encoding.UTF8.GetBytes(data), Gzip(data) })
            Assert.Contains(reason, Assert.Throws<FormatException>(() => CloudWatchLogsEnvelope.Read(bytes)).Message);
    }

    [Fact]
    public void Damaged_gzip_is_refused()
    {
        var damaged = Convert.FromBase64String(AwsSample);
        for (int i = 12; i < damaged.Length - 8; i++) damaged[i] ^= 0x5A;
        Assert.Throws<FormatException>(() => CloudWatchLogsEnvelope.Read(damaged));
    }

    [Fact]
    public void A_gzip_bomb_stops_at_the_limit()
    {
        var bomb = new MemoryStream();
        using (var gzip = new GZipStream(bomb, CompressionLevel.Fastest, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i <= CloudWatchLogsEnvelope.MaxDecompressedBytes >> 20; i++) gzip.Write(zeros);
        }
        Assert.True(bomb.Length < 1 << 20, "the bomb fits in one Kinesis record");
        var e = Assert.Throws<FormatException>(() => CloudWatchLogsEnvelope.Read(bomb.ToArray()));
        Assert.Contains("MiB once decompressed", e.Message);
    }

    private static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }
}
