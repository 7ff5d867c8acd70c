using System.Text.Json;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Forward;

/// <summary>
/// The forward wire corpus in ../shared/corpus/forward (its README.md says how each capture was made): the captures
/// listed in index.json and the 100 events every capture carries (input/expected.jsonl).
/// </summary>
public static class ForwardCorpus
{
    public static string Folder => Path.Combine(RepoPaths.SharedCorpus, "forward");

    public static string PathOf(string file) => Path.Combine(Folder, file);

    public static byte[] Bytes(string file) => File.ReadAllBytes(PathOf(file));

    public sealed record Capture(
        string Name, string[] ClientToServer, string[] ServerToClient, string[] Tags, bool HasHandshake,
        string TimePrecision, long MaxTimeDiffNs, string[] LenientKeys, string[] OptionKeys)
    {
        public bool IntegerSeconds => TimePrecision == "integer seconds";
        public override string ToString() => Name;
    }

    public static IReadOnlyList<Capture> Captures { get; } = LoadCaptures();

    public sealed record ExpectedEvent(uint Sec, uint Nsec, JsonElement Record);

    public static IReadOnlyList<ExpectedEvent> Expected { get; } = File.ReadAllLines(PathOf("input/expected.jsonl"))
        .Where(l => l.Length > 0)
        .Select(l => JsonDocument.Parse(l).RootElement)
        .Select(e => new ExpectedEvent(e.GetProperty("sec").GetUInt32(), e.GetProperty("nsec").GetUInt32(), e.GetProperty("record").Clone()))
        .ToList();

    private static IReadOnlyList<Capture> LoadCaptures()
    {
        using var index = JsonDocument.Parse(File.ReadAllText(PathOf("index.json")));
        var list = new List<Capture>();
        foreach (var c in index.RootElement.GetProperty("captures").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            using var description = JsonDocument.Parse(File.ReadAllText(PathOf(name + ".json")));
            var optionKeys = description.RootElement.GetProperty("summary").GetProperty("option_keys").EnumerateArray().Select(k => k.GetString()!).ToArray();
            list.Add(new Capture(
                name,
                c.GetProperty("client_to_server").EnumerateArray().Select(x => x.GetString()!).ToArray(),
                c.GetProperty("server_to_client").EnumerateArray().Select(x => x.GetString()!).ToArray(),
                c.GetProperty("tags").EnumerateArray().Select(x => x.GetString()!).ToArray(),
                c.GetProperty("handshake").ValueKind != JsonValueKind.Null,
                c.GetProperty("time_precision").GetString()!,
                c.GetProperty("max_abs_time_diff_ns_vs_input").GetInt64(),
                c.GetProperty("record_diffs_vs_input").EnumerateObject().Select(p => p.Name).ToArray(),
                optionKeys));
        }
        return list;
    }

    /// <summary>
    /// Asserts that received events are the corpus's 100 events in order, within the capture's stated time precision
    /// and with only its listed record differences (README: "Each capture's .json states the expected time precision";
    /// record_diffs_vs_input lists keys whose wire type differs, e.g. JavaScript's integral floats).
    /// </summary>
    public static void AssertEvents(Capture capture, IReadOnlyList<(string Tag, EventTime Time, Record Record)> events)
    {
        Assert.Equal(Expected.Count, events.Count);
        for (int i = 0; i < events.Count; i++)
        {
            var (tag, time, record) = events[i];
            var expected = Expected[i];
            if (capture.Tags.Length == 1) Assert.Equal(capture.Tags[0], tag);
            else Assert.Contains(tag, capture.Tags);
            if (capture.IntegerSeconds)
            {
                Assert.Equal(expected.Sec, time.Seconds);
                Assert.Equal(0u, time.Nanoseconds);
            }
            else
            {
                long diff = ((long)time.Seconds - expected.Sec) * 1_000_000_000L + ((long)time.Nanoseconds - expected.Nsec);
                Assert.True(Math.Abs(diff) <= capture.MaxTimeDiffNs,
                    $"{capture.Name} event {i + 1}: time {time.Seconds}.{time.Nanoseconds:D9} is {diff} ns from {expected.Sec}.{expected.Nsec:D9} (allowed {capture.MaxTimeDiffNs})");
            }
            AssertValue(expected.Record, record, capture.LenientKeys, $"{capture.Name} event {i + 1} $");
        }
    }

    public static void AssertValue(JsonElement expected, object? actual, IReadOnlyCollection<string> lenientKeys, string path)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var record = Assert.IsType<Record>(actual);
                var names = expected.EnumerateObject().Select(p => p.Name).ToList();
                Assert.True(names.Order().SequenceEqual(record.Keys.Order()), $"{path}: keys {string.Join(",", record.Keys)} != {string.Join(",", names)}");
                foreach (var p in expected.EnumerateObject())
                {
                    var childPath = path + "." + p.Name;
                    if (lenientKeys.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.Number)
                        Assert.True(p.Value.GetDouble() == Convert.ToDouble(record[p.Name]), $"{childPath}: {record[p.Name]} != {p.Value}");
                    else AssertValue(p.Value, record[p.Name], lenientKeys, childPath);
                }
                break;
            case JsonValueKind.Array:
                var list = Assert.IsType<List<object?>>(actual);
                Assert.Equal(expected.GetArrayLength(), list.Count);
                int i = 0;
                foreach (var item in expected.EnumerateArray()) AssertValue(item, list[i], lenientKeys, $"{path}[{i++}]");
                break;
            case JsonValueKind.String:
                Assert.True(expected.GetString() == actual as string, $"{path}: '{actual}' != '{expected.GetString()}'");
                break;
            case JsonValueKind.Number:
                if (expected.GetRawText().IndexOfAny(new[] { '.', 'e', 'E' }) >= 0)
                    Assert.True(actual is double d && d == expected.GetDouble(), $"{path}: {actual} ({actual?.GetType().Name}) != float {expected}");
                else
                    Assert.True(actual is long l && l == expected.GetInt64(), $"{path}: {actual} ({actual?.GetType().Name}) != integer {expected}");
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                Assert.True(actual is bool b && b == expected.GetBoolean(), $"{path}: {actual} != {expected}");
                break;
            case JsonValueKind.Null:
                Assert.True(actual is null, $"{path}: {actual} != null");
                break;
        }
    }
}
