using System.Text.Json;
using LogAgent.Sdk.Compression;

namespace LogAgent.Plugins.Kinesis.Records;

/// <summary>One log event of a CloudWatch Logs subscription: its id, its time (milliseconds since the epoch) and its text.</summary>
public readonly record struct CloudWatchLogEvent(string Id, long TimestampMs, string Message);

/// <summary>What a CloudWatch Logs subscription puts in one Kinesis record.</summary>
public sealed record CloudWatchLogsBatch(string MessageType, string? Owner, string? LogGroup, string? LogStream,
    IReadOnlyList<string> SubscriptionFilters, IReadOnlyList<CloudWatchLogEvent> LogEvents)
{
    /// <summary>CloudWatch's own check that the destination is reachable (<c>CONTROL_MESSAGE</c>): no log data, skipped.</summary>
    public bool IsControl => MessageType == "CONTROL_MESSAGE";
}

/// <summary>
/// Reads the envelope a CloudWatch Logs subscription filter writes to a Kinesis stream (<c>format cloudwatch_logs</c>):
/// gzip'd JSON <c>{"messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents": [{"id",
/// "timestamp", "message"}]}</c>, so that each entry of logEvents becomes an event of its own. Anything else is a
/// <see cref="FormatException"/> saying what is wrong, for the input to report with the record's sequence number.
/// </summary>
public static class CloudWatchLogsEnvelope
{
    /// <summary>A Kinesis record holds at most 1 MiB; gzip'd JSON log lines rarely expand past 20×. Beyond this limit the
    /// record is refused instead of filling memory (a gzip bomb).</summary>
    public const int MaxDecompressedBytes = 64 << 20;

    /// <summary>Reads <paramref name="data"/>: gzip'd as CloudWatch sends it, or already decompressed JSON.</summary>
    public static CloudWatchLogsBatch Read(ReadOnlyMemory<byte> data)
    {
        var json = data.Span is [0x1f, 0x8b, ..] ? Gunzip(data) : data;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a CloudWatch Logs envelope: invalid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException($"not a CloudWatch Logs envelope: a JSON {root.ValueKind}, not an object");
            var messageType = String(root, "messageType") ?? throw new FormatException("not a CloudWatch Logs envelope: no messageType");
            var filters = new List<string>();
            if (root.TryGetProperty("subscriptionFilters", out var f) && f.ValueKind == JsonValueKind.Array)
                foreach (var filter in f.EnumerateArray())
                    if (filter.ValueKind == JsonValueKind.String) filters.Add(filter.GetString()!);
            var events = new List<CloudWatchLogEvent>();
            if (root.TryGetProperty("logEvents", out var logEvents))
            {
                if (logEvents.ValueKind != JsonValueKind.Array) throw new FormatException($"CloudWatch Logs envelope: logEvents is a JSON {logEvents.ValueKind}, not an array");
                int index = 0;
                foreach (var e in logEvents.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.Object) throw new FormatException($"CloudWatch Logs envelope: logEvents[{index}] is not an object");
                    if (!e.TryGetProperty("timestamp", out var t) || !t.TryGetInt64(out var timestamp))
                        throw new FormatException($"CloudWatch Logs envelope: logEvents[{index}] has no integer timestamp");
                    var message = String(e, "message") ?? throw new FormatException($"CloudWatch Logs envelope: logEvents[{index}] has no message");
                    events.Add(new CloudWatchLogEvent(String(e, "id") ?? "", timestamp, message));
                    index++;
                }
            }
            else if (messageType == "DATA_MESSAGE")
            {
                throw new FormatException("CloudWatch Logs envelope: a DATA_MESSAGE without logEvents");
            }
            return new CloudWatchLogsBatch(messageType, String(root, "owner"), String(root, "logGroup"), String(root, "logStream"), filters, events);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ReadOnlyMemory<byte> Gunzip(ReadOnlyMemory<byte> data)
    {
        try
        {
            return BoundedGunzip.Decompress(data, MaxDecompressedBytes);
        }
        catch (InflateLimitExceededException)
        {
            throw new FormatException($"CloudWatch Logs envelope: more than {MaxDecompressedBytes >> 20} MiB once decompressed");
        }
        catch (InvalidDataException e)
        {
            throw new FormatException($"CloudWatch Logs envelope: the gzip data is damaged ({e.Message})");
        }
    }
}
