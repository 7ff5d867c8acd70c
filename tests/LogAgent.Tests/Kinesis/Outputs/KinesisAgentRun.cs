using System.Text;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.Outputs;

/// <summary>
/// The real agent process with the Kinesis plugin loaded from its build output as an operator installs it
/// (plugins/NAME/NAME.dll and its AWS dependencies beside it), tailing a file of numbered events.
/// </summary>
public sealed class KinesisAgentRun : IDisposable
{
    private readonly TempDirectory _dir = new();
    private AgentProcess? _agent;

    public KinesisAgentRun()
    {
        var pluginDir = _dir.Sub("plugins/LogAgent.Plugins.Kinesis");
        foreach (var file in System.IO.Directory.GetFiles(RepoPaths.KinesisPluginBuildOutput))
            File.Copy(file, Path.Combine(pluginDir, Path.GetFileName(file)));
    }

    public string LogFile => _dir.File("access.log");
    public string Directory => _dir.Path;
    public AgentProcess Agent => _agent ?? throw new InvalidOperationException("not started");

    /// <summary>Writes <paramref name="count"/> lines <c>evt-0000001 …</c> padded to about 100 bytes.</summary>
    public void WriteEvents(int count, int from = 0)
    {
        var text = new StringBuilder(count * 100);
        for (int i = from; i < from + count; i++)
            text.Append(EventId(i)).Append(" GET /index.html?page=").Append(i % 977).Append(" HTTP/1.1 200 612 \"curl/8.5.0\"\n");
        File.AppendAllText(LogFile, text.ToString());
    }

    public static string EventId(int i) => $"evt-{i:D7}";

    /// <summary>The tail source reading <see cref="LogFile"/> from its head, tagged <c>nginx.access</c>.</summary>
    public string TailSource => $"""
        <source>
          @type tail
          path {LogFile}
          pos_file {_dir.File("access.pos")}
          read_from_head true
          refresh_interval 1
          tag nginx.access
          <parse>
            @type none
          </parse>
        </source>
        """;

    /// <summary>A memory buffer that flushes quickly and retries for ever, with short waits (tests, not production).</summary>
    public static string FastBuffer(string extra = "") => $"""
        <buffer>
          @type memory
          chunk_limit_size 256k
          flush_interval 0.2s
          flush_thread_count 8
          retry_wait 0.2s
          retry_max_interval 1s
          retry_forever true
          {extra}
        </buffer>
        """;

    public static string Credentials => $"""
          aws_key_id {TestCredentials.Default.AccessKeyId}
          aws_sec_key {TestCredentials.Default.SecretAccessKey}
        """;

    public void Start(string matchSections) => StartWithConfig(TailSource + "\n" + matchSections);

    /// <summary>Starts the agent on a whole config of the test's own (its sources too), with the plugin loaded.</summary>
    public void StartWithConfig(string config)
    {
        var path = _dir.File("agent.conf");
        File.WriteAllText(path, config);
        _agent = new AgentProcess("-c", path, "-p", Path.Combine(_dir.Path, "plugins"));
    }

    /// <summary>A path inside the run's directory (removed with it).</summary>
    public string PathOf(string name) => _dir.File(name);

    /// <summary>SIGTERM and wait for a clean exit (outputs flush last); returns the agent's stderr.</summary>
    public string Stop()
    {
        Agent.Signal(AgentProcess.SIGTERM);
        int code = Agent.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"agent exited with {code}:\n{Tail(Agent.Stderr)}");
        return Agent.Stderr;
    }

    /// <summary>The records a file output with <c>&lt;format&gt; @type json</c> has written into
    /// <paramref name="directory"/> so far: complete lines only (a flush may be half written).</summary>
    public static List<JsonElement> FileOutputRecords(string directory)
    {
        var records = new List<JsonElement>();
        if (!System.IO.Directory.Exists(directory)) return records;
        foreach (var file in System.IO.Directory.GetFiles(directory))
        {
            var text = File.ReadAllText(file);
            foreach (var line in text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
                records.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
        return records;
    }

    public static string Tail(string text, int lines = 40) => string.Join('\n', text.Split('\n').TakeLast(lines));

    /// <summary>The event id in a record's data: the <c>message</c> of the JSON the output formatted.</summary>
    public static string IdOf(ReadOnlySpan<byte> data)
    {
        using var json = JsonDocument.Parse(data.ToArray());
        return json.RootElement.GetProperty("message").GetString()![..11];
    }

    /// <summary>The line <c>metrics of ID: k=v …</c> the engine logs at shutdown, as a dictionary.</summary>
    public static Dictionary<string, long> MetricsOf(string stderr, string outputId)
    {
        var line = stderr.Split('\n').LastOrDefault(l => l.Contains($"metrics of {outputId}: "))
            ?? throw new Xunit.Sdk.XunitException($"no metrics line for {outputId}:\n{Tail(stderr)}");
        return line[(line.IndexOf($"metrics of {outputId}: ", StringComparison.Ordinal) + $"metrics of {outputId}: ".Length)..].Trim()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => long.Parse(kv[1]));
    }

    public void Dispose()
    {
        _agent?.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// Reads KPL aggregated records, written from the format description (amazon-kinesis-producer,
/// aggregation-format.md) independently of the plugin's writer and of its reader (Records/KplDeaggregator): magic, protobuf AggregatedRecord, MD5 trailer.
/// </summary>
public static class IndependentKplReader
{
    public static (List<string> PartitionKeys, List<(ulong KeyIndex, byte[] Data)> Records) Read(byte[] blob)
    {
        Assert.True(blob.Length > 20 && blob[0] == 0xF3 && blob[1] == 0x89 && blob[2] == 0x9A && blob[3] == 0xC2, "no KPL magic");
        var message = blob.AsSpan(4, blob.Length - 20);
        Assert.True(System.Security.Cryptography.MD5.HashData(message).AsSpan().SequenceEqual(blob.AsSpan(blob.Length - 16)), "MD5 trailer mismatch");
        var keys = new List<string>();
        var records = new List<(ulong, byte[])>();
        int at = 0;
        while (at < message.Length)
        {
            var (field, wire) = Key(message, ref at);
            Assert.Equal(2, wire);
            int n = (int)Varint(message, ref at);
            var value = message.Slice(at, n);
            at += n;
            if (field == 1) keys.Add(Encoding.UTF8.GetString(value));
            else if (field == 3) records.Add(ReadRecord(value));
        }
        return (keys, records);
    }

    private static (ulong, byte[]) ReadRecord(ReadOnlySpan<byte> record)
    {
        ulong keyIndex = ulong.MaxValue;
        byte[]? data = null;
        int at = 0;
        while (at < record.Length)
        {
            var (field, wire) = Key(record, ref at);
            if (wire == 0) { var v = Varint(record, ref at); if (field == 1) keyIndex = v; }
            else
            {
                int n = (int)Varint(record, ref at);
                if (field == 3) data = record.Slice(at, n).ToArray();
                at += n;
            }
        }
        Assert.NotNull(data);
        return (keyIndex, data!);
    }

    private static (int Field, int Wire) Key(ReadOnlySpan<byte> span, ref int at)
    {
        var key = Varint(span, ref at);
        return ((int)(key >> 3), (int)(key & 7));
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
