using System.Text;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Outputs;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Kinesis.Consumer;

/// <summary>
/// <c>&lt;source&gt; @type kinesis_streams</c> in the real agent process, with the plugin loaded from disk, reading
/// kinesalite streams into file outputs: every record once across clean restarts, at least once across kill -9,
/// in key order across a split and a merge, and a state file that cannot be read stops the start.
/// </summary>
public class KinesisStreamsInputTests(KinesaliteFixture kinesalite, ITestOutputHelper output) : IClassFixture<KinesaliteFixture>
{
    private static byte[] Json(string app, int n, string id) => Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","app":"{{app}}","n":{{n}}}""");

    private static string Id(int n) => $"r-{n:D6}";

    private static string IdIn(byte[] data)
    {
        using var json = JsonDocument.Parse(data);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task PutAsync(KinesisTestClient admin, string stream, IEnumerable<(string Key, byte[] Data)> records)
    {
        foreach (var batch in records.Chunk(500))
        {
            var outcome = await admin.PutRecordsAsync(stream, batch);
            Assert.Equal(0, outcome.FailedRecordCount);
        }
    }

    /// <summary>The consumer source and two file outputs, one per tag (web and api), on file buffers.</summary>
    private string Config(KinesisAgentRun run, string stream, string extra = "") => $"""
        <source>
          @type kinesis_streams
          @id in_kinesis
          region us-east-1
          endpoint {kinesalite.Server.Endpoint}
          stream_name {stream}
        {KinesisAgentRun.Credentials}
          tag app.${"{app}"}
          state_dir {run.PathOf("state")}
          fetch_interval 0.2
          partition_key_key pk
          sequence_number_key seq
          shard_id_key shard
          {extra}
        </source>
        {Output(run, "web")}
        {Output(run, "api")}
        """;

    private static string Output(KinesisAgentRun run, string app) => $"""
        <match app.{app}>
          @type file
          path {run.PathOf("out/" + app)}/events
          <format>
            @type json
          </format>
          <buffer>
            @type file
            path {run.PathOf("buffer/" + app)}
            chunk_limit_records 500
            flush_mode interval
            flush_interval 0.2s
            flush_thread_count 1
            retry_wait 0.2s
            retry_max_interval 1s
            retry_forever true
          </buffer>
        </match>
        """;

    private static List<JsonElement> Delivered(KinesisAgentRun run) =>
        KinesisAgentRun.FileOutputRecords(run.PathOf("out/web")).Concat(KinesisAgentRun.FileOutputRecords(run.PathOf("out/api"))).ToList();

    private static Task WaitForAsync(KinesisAgentRun run, int count, TimeSpan timeout) =>
        Eventually.True(() => Delivered(run).Select(r => r.GetProperty("id").GetString()).Distinct().Count() >= count, timeout,
            () => $"delivered {Delivered(run).Count} of {count}; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");

    [Fact]
    public async Task Every_record_of_every_shard_arrives_once_by_tag_and_a_restart_resumes_where_it_stopped()
    {
        var stream = KinesaliteFixture.NewStreamName("consume");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 2);
        await PutAsync(admin, stream, Enumerable.Range(0, 4000).Select(i => ($"user-{i % 97}", Json(i % 2 == 0 ? "web" : "api", i, Id(i)))));
        using var run = new KinesisAgentRun();
        int port = FreePort();
        run.StartWithConfig(Config(run, stream) + $"""

            <source>
              @type monitor_agent
              bind 127.0.0.1
              port {port}
            </source>
            """);
        await WaitForAsync(run, 4000, TimeSpan.FromSeconds(90));
        var shards = await admin.ListShardsAsync(stream);

        // The per-shard metrics, in monitor_agent while it runs: every record read counted on its shard.
        using (var http = new HttpClient())
        {
            JsonElement metrics = default;
            await Eventually.True(async () =>
            {
                using var body = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/plugins.json?@id=in_kinesis"));
                metrics = body.RootElement.GetProperty("plugins")[0].GetProperty("plugin_metrics").Clone();
                return shards.Sum(s => metrics.GetProperty("records_read." + s.ShardId).GetInt64()) == 4000
                    && shards.Sum(s => metrics.GetProperty("events_emitted." + s.ShardId).GetInt64()) == 4000;
            }, TimeSpan.FromSeconds(10), () => metrics.ToString());
            foreach (var shard in shards)
            {
                Assert.True(metrics.GetProperty("bytes_read." + shard.ShardId).GetInt64() > 0);
                Assert.True(metrics.GetProperty("get_records_calls." + shard.ShardId).GetInt64() >= 1);
                Assert.Equal(0, metrics.GetProperty("millis_behind_latest." + shard.ShardId).GetInt64());
                Assert.True(metrics.GetProperty("checkpoint_age_seconds." + shard.ShardId).GetInt64() >= 0);
                Assert.Equal(0, metrics.GetProperty("throttles." + shard.ShardId).GetInt64());
            }
        }
        run.Stop();

        var delivered = Delivered(run);
        Assert.Equal(4000, delivered.Count); // no duplicate
        Assert.Equal(Enumerable.Range(0, 4000).Select(Id), delivered.Select(r => r.GetProperty("id").GetString()!).Order());
        Assert.All(KinesisAgentRun.FileOutputRecords(run.PathOf("out/web")), r => Assert.Equal("web", r.GetProperty("app").GetString()));
        Assert.All(KinesisAgentRun.FileOutputRecords(run.PathOf("out/api")), r => Assert.Equal("api", r.GetProperty("app").GetString()));
        // The relay keys: the record's own partition key, and the shard its hash falls in.
        Assert.All(delivered, r =>
        {
            int n = r.GetProperty("n").GetInt32();
            Assert.Equal($"user-{n % 97}", r.GetProperty("pk").GetString());
            Assert.Equal(KinesisHashKey.ShardFor(shards, $"user-{n % 97}").ShardId, r.GetProperty("shard").GetString());
            Assert.Matches("^[0-9]+$", r.GetProperty("seq").GetString()!);
        });
        Assert.Equal(2, delivered.Select(r => r.GetProperty("shard").GetString()).Distinct().Count());

        // The state file holds both shards at the last record each delivered.
        var statePath = Path.Combine(run.PathOf("state"), $"us-east-1.{stream}.json");
        using (var state = JsonDocument.Parse(File.ReadAllText(statePath)))
            foreach (var shard in shards)
            {
                var last = delivered.Where(r => r.GetProperty("shard").GetString() == shard.ShardId)
                    .Select(r => System.Numerics.BigInteger.Parse(r.GetProperty("seq").GetString()!)).Max();
                Assert.Equal(last.ToString(), state.RootElement.GetProperty("shards").GetProperty(shard.ShardId).GetProperty("sequence_number").GetString());
            }

        // New records while it is stopped: the restart reads those and nothing it had delivered before.
        await PutAsync(admin, stream, Enumerable.Range(4000, 1000).Select(i => ($"user-{i % 97}", Json(i % 2 == 0 ? "web" : "api", i, Id(i)))));
        run.StartWithConfig(Config(run, stream));
        await WaitForAsync(run, 5000, TimeSpan.FromSeconds(90));
        run.Stop();
        var all = Delivered(run).Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.Equal((5000, 5000), (all.Count, all.Distinct().Count()));
    }

    [Fact]
    public async Task Killed_with_SIGKILL_again_and_again_it_loses_no_record_and_repeats_only_what_was_in_flight()
    {
        const int Records = 20_000, Kills = 5, PerCall = 500;
        var stream = KinesaliteFixture.NewStreamName("consume-kill");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 2);
        await PutAsync(admin, stream, Enumerable.Range(0, Records).Select(i => ($"k-{i}", Json(i % 3 == 0 ? "api" : "web", i, Id(i)))));
        using var run = new KinesisAgentRun();
        var config = Config(run, stream, $"max_records_per_call {PerCall}");
        for (int kill = 0; kill < Kills; kill++)
        {
            int before = Delivered(run).Count;
            run.StartWithConfig(config);
            await Eventually.True(() => Delivered(run).Count >= before + 1500 || Delivered(run).Count >= Records, TimeSpan.FromSeconds(60),
                () => $"kill {kill}: delivered {Delivered(run).Count}; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
            run.Agent.Signal(AgentProcess.SIGKILL);
            run.Agent.WaitForExit(TimeSpan.FromSeconds(30));
        }
        run.StartWithConfig(config);
        await WaitForAsync(run, Records, TimeSpan.FromSeconds(120));
        run.Stop();

        var ids = Delivered(run).Select(r => r.GetProperty("id").GetString()!).ToList();
        int missing = Enumerable.Range(0, Records).Select(Id).Except(ids).Count();
        int duplicates = ids.Count - ids.Distinct().Count();
        output.WriteLine($"{Records} records, {Kills} × SIGKILL: missing {missing}, duplicates {duplicates}");
        Assert.Equal(0, missing);
        // What a kill can repeat: per shard the page being emitted (≤ max_records_per_call), and per output the chunk
        // being written to its file (≤ chunk_limit_records, one flush thread).
        Assert.True(duplicates <= Kills * (2 * PerCall + 2 * 500), $"{duplicates} duplicates");
    }

    [Fact]
    public async Task Across_a_split_and_a_merge_every_record_arrives_once_and_each_key_in_order()
    {
        var stream = KinesaliteFixture.NewStreamName("consume-reshard");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 1);
        const int Keys = 8, PerPhase = 400;
        IEnumerable<(string, byte[])> Phase(int phase) =>
            Enumerable.Range(phase * PerPhase, PerPhase).Select(i => ($"key-{i % Keys}", Json("web", i, Id(i))));
        await PutAsync(admin, stream, Phase(0));
        using var run = new KinesisAgentRun();
        run.StartWithConfig(Config(run, stream, "shard_sync_interval 2"));
        await WaitForAsync(run, PerPhase, TimeSpan.FromSeconds(60));

        var parent = Assert.Single(await admin.ListShardsAsync(stream)).ShardId;
        await admin.CallAsync("SplitShard", new { StreamName = stream, ShardToSplit = parent, NewStartingHashKey = "170141183460469231731687303715884105728" });
        await WaitActiveAsync(admin, stream);
        await PutAsync(admin, stream, Phase(1));
        await WaitForAsync(run, 2 * PerPhase, TimeSpan.FromSeconds(60));

        var children = (await admin.ListShardsAsync(stream)).Where(s => s.ShardId != parent).Select(s => s.ShardId).Order().ToList();
        Assert.Equal(2, children.Count);
        await admin.CallAsync("MergeShards", new { StreamName = stream, ShardToMerge = children[0], AdjacentShardToMerge = children[1] });
        await WaitActiveAsync(admin, stream);
        await PutAsync(admin, stream, Phase(2));
        await WaitForAsync(run, 3 * PerPhase, TimeSpan.FromSeconds(60));
        var stderr = run.Stop();

        var delivered = Delivered(run);
        Assert.Equal(3 * PerPhase, delivered.Count);
        Assert.Equal(4, delivered.Select(r => r.GetProperty("shard").GetString()).Distinct().Count()); // parent, two children, merged
        // A key's records come in the order they were put, across parent → child → merged child.
        foreach (var key in delivered.GroupBy(r => r.GetProperty("pk").GetString()))
        {
            var order = key.Select(r => r.GetProperty("n").GetInt32()).ToList();
            Assert.True(order.SequenceEqual(order.Order()), $"{key.Key} out of order: {string.Join(",", order)}");
        }
        Assert.Contains($"shard {parent} of {stream} was read to its end", stderr);
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.PathOf("state"), $"us-east-1.{stream}.json")));
        var shards = state.RootElement.GetProperty("shards");
        Assert.Equal("SHARD_END", shards.GetProperty(parent).GetProperty("state").GetString());
        Assert.All(children, c => Assert.Equal("SHARD_END", shards.GetProperty(c).GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_full_buffer_under_overflow_action_block_stops_the_fetching_until_the_destination_is_back()
    {
        const int Records = 20_000;
        var source = KinesaliteFixture.NewStreamName("consume-block-a");
        var target = KinesaliteFixture.NewStreamName("consume-block-b");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(source, 2);
        await admin.CreateStreamAsync(target, 1);
        var padding = new string('x', 200); // events of about 250 bytes, so the buffer's limit is a count of them
        await PutAsync(admin, source, Enumerable.Range(0, Records).Select(i => ($"k-{i}",
            Encoding.UTF8.GetBytes($$"""{"id":"{{Id(i)}}","app":"web","n":{{i}},"pad":"{{padding}}"}"""))));
        await using var proxy = new KinesisFaultProxy(kinesalite.Server.Endpoint).Start();
        proxy.Faults.ServiceUnavailableFraction = 1; // the destination is down: every put answered 503
        using var run = new KinesisAgentRun();
        int port = FreePort();
        run.StartWithConfig($"""
            <source>
              @type kinesis_streams
              @id in_kinesis
              region us-east-1
              endpoint {kinesalite.Server.Endpoint}
              stream_name {source}
            {KinesisAgentRun.Credentials}
              tag app.web
              state_dir {run.PathOf("state")}
              fetch_interval 0.2
              max_records_per_call 500
            </source>
            <source>
              @type monitor_agent
              bind 127.0.0.1
              port {port}
            </source>
            <match app.**>
              @type kinesis_streams
              region us-east-1
              endpoint {proxy.Endpoint}
              stream_name {target}
            {KinesisAgentRun.Credentials}
              shard_pacing false
              <buffer>
                @type memory
                chunk_limit_size 64k
                total_limit_size 256k
                overflow_action block
                flush_interval 0.2s
                retry_wait 0.2s
                retry_max_interval 1s
                retry_forever true
              </buffer>
            </match>
            """);
        using var http = new HttpClient();
        async Task<(long Read, long Calls, long Age)> Metrics()
        {
            using var body = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/plugins.json?@id=in_kinesis"));
            if (!body.RootElement.GetProperty("plugins")[0].TryGetProperty("plugin_metrics", out var m)) return (0, 0, 0);
            long Sum(string prefix) => m.EnumerateObject().Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => p.Value.GetInt64());
            return (Sum("records_read."), Sum("get_records_calls."), m.EnumerateObject().Where(p => p.Name.StartsWith("checkpoint_age_seconds.")).Select(p => p.Value.GetInt64()).DefaultIfEmpty(0).Max());
        }
        // Held: the readers stop calling GetRecords once the buffer is full, well before the stream is read.
        (long Read, long Calls, long Age) held = default;
        await Eventually.True(async () =>
        {
            try
            {
                var before = await Metrics();
                await Task.Delay(1500);
                held = await Metrics();
                return held.Read > 0 && held.Calls == before.Calls;
            }
            catch (HttpRequestException)
            {
                return false; // monitor_agent not listening yet
            }
        }, TimeSpan.FromSeconds(60), () => $"still fetching: {held}; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
        output.WriteLine($"held after reading {held.Read} of {Records} records ({held.Calls} GetRecords calls), checkpoint age {held.Age} s");
        // What it holds: the buffer's 256 KiB (fewer than 256 Ki / 200 events) and one page of 500 per shard.
        Assert.True(held.Read <= 256 * 1024 / 200 + 2 * 500, $"read {held.Read} records while the destination was down");
        Assert.Equal(0, proxy.Counters.RecordsAccepted);

        proxy.Faults.Clear();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        IReadOnlyList<KinesisStoredRecord> relayed;
        while ((relayed = await admin.ReadAllAsync(target)).Select(r => IdIn(r.Data)).Distinct().Count() < Records)
        {
            Assert.True(DateTime.UtcNow < deadline, $"relayed {relayed.Count}; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
            await Task.Delay(500);
        }
        run.Stop();
        var ids = relayed.Select(r => IdIn(r.Data)).ToList();
        Assert.Equal(Enumerable.Range(0, Records).Select(Id), ids.Distinct().Order());
    }

    private static async Task WaitActiveAsync(KinesisTestClient admin, string stream) =>
        await Eventually.True(async () => (await admin.CallAsync("DescribeStreamSummary", new { StreamName = stream }))
            .GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() == "ACTIVE", TimeSpan.FromSeconds(20), () => "the stream stayed UPDATING");

    [Fact]
    public async Task A_state_file_that_cannot_be_read_stops_the_agent_naming_it()
    {
        var stream = KinesaliteFixture.NewStreamName("consume-corrupt");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 1);
        using var run = new KinesisAgentRun();
        var statePath = Path.Combine(run.PathOf("state"), $"us-east-1.{stream}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(statePath)!);
        File.WriteAllText(statePath, """{"version":1,"stream":""" + "\"" + stream + "\",\"shards\":{\"shardId-0000");
        run.StartWithConfig(Config(run, stream));
        int code = run.Agent.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, code);
        Assert.Contains(statePath, run.Agent.Stderr);
        Assert.Contains("unreadable", run.Agent.Stderr);
        Assert.StartsWith("{\"version\":1", File.ReadAllText(statePath)); // left as it was, for the operator
    }

    public static TheoryData<string, string> BadSources => new()
    {
        { "tag x", "give one of stream_name and stream_arn" },
        { "stream_name a\n stream_arn arn:aws:kinesis:us-east-1:123456789012:stream/a\n tag x", "give one of stream_name and stream_arn" },
        { "stream_arn arn:aws:s3:::bucket\n tag x", "is not a Kinesis stream ARN" },
        { "stream_name a", "'tag' or 'tag_key' is required" },
        { "stream_name a\n tag x.${app", "has no closing" },
        { "stream_name a\n tag x\n max_records_per_call 10001", "max_records_per_call must be between 1 and 10000" },
        { "stream_name a\n tag x\n initial_position AT_TIMESTAMP", "needs initial_timestamp" },
        { "stream_name a\n tag x\n initial_timestamp yesterday", "neither an ISO 8601 time" },
        { "stream_name a\n tag x\n initial_position EARLIEST", "initial_position" },
        { "stream_name a\n tag x\n decompress lz4", "decompress" },
    };

    [Theory]
    [MemberData(nameof(BadSources))]
    public void A_wrong_source_is_a_config_error_naming_the_line(string parameters, string expected)
    {
        using var run = new KinesisAgentRun();
        var config = run.PathOf("bad.conf");
        bool needsState = !parameters.Contains("state_dir");
        File.WriteAllText(config, $"""
            <source>
              @type kinesis_streams
              region us-east-1
              {parameters}
              {(needsState ? "state_dir " + run.PathOf("state") : "")}
            </source>
            """);
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "--dry-run", "-c", config, "-p", Path.Combine(run.Directory, "plugins"));
        Assert.NotEqual(0, code);
        Assert.Contains(expected, stderr);
        Assert.Contains("bad.conf:", stderr);
    }

    [Fact]
    public void Without_state_dir_checkpoint_path_or_root_dir_the_source_is_refused()
    {
        using var run = new KinesisAgentRun();
        var config = run.PathOf("nostate.conf");
        File.WriteAllText(config, """
            <source>
              @type kinesis_streams
              region us-east-1
              stream_name a
              tag x
            </source>
            """);
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "--dry-run", "-c", config, "-p", Path.Combine(run.Directory, "plugins"));
        Assert.NotEqual(0, code);
        Assert.Contains("'state_dir' or 'checkpoint_path' is required", stderr);
    }
}

/// <summary>
/// A cross-stream relay in one agent process: tail → kinesis_streams_aggregated (the tag injected) → stream A →
/// kinesis_streams source (KPL split, tag from the record, partition key kept) → kinesis_streams → stream B.
/// </summary>
public class KinesisRelayTests(KinesaliteFixture kinesalite, ITestOutputHelper output) : IClassFixture<KinesaliteFixture>
{
    [Fact]
    public async Task Aggregated_records_are_relayed_once_each_with_its_original_partition_key()
    {
        const int Events = 20_000;
        var source = KinesaliteFixture.NewStreamName("relay-a");
        var target = KinesaliteFixture.NewStreamName("relay-b");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(source, 2);
        await admin.CreateStreamAsync(target, 3);
        using var run = new KinesisAgentRun();
        run.WriteEvents(Events);
        run.StartWithConfig($$"""
            {{run.TailSource}}
            <match nginx.access>
              @type kinesis_streams_aggregated
              region us-east-1
              endpoint {{kinesalite.Server.Endpoint}}
              stream_name {{source}}
            {{KinesisAgentRun.Credentials}}
              <inject>
                tag_key tag
              </inject>
              {{KinesisAgentRun.FastBuffer()}}
            </match>

            <source>
              @type kinesis_streams
              @label @RELAY
              region us-east-1
              endpoint {{kinesalite.Server.Endpoint}}
              stream_name {{source}}
            {{KinesisAgentRun.Credentials}}
              tag_key tag
              partition_key_key pk
              state_dir {{run.PathOf("state")}}
              fetch_interval 0.2
            </source>
            <label @RELAY>
              <match nginx.access>
                @type kinesis_streams
                @id out_relay
                region us-east-1
                endpoint {{kinesalite.Server.Endpoint}}
                stream_name {{target}}
            {{KinesisAgentRun.Credentials}}
                partition_key pk
                shard_pacing false
                {{KinesisAgentRun.FastBuffer()}}
              </match>
            </label>
            """);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        IReadOnlyList<KinesisStoredRecord> relayed;
        while ((relayed = await admin.ReadAllAsync(target)).Select(r => KinesisAgentRun.IdOf(r.Data)).Distinct().Count() < Events)
        {
            Assert.True(DateTime.UtcNow < deadline, $"relayed {relayed.Count}; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
            await Task.Delay(500);
        }
        run.Stop();
        relayed = await admin.ReadAllAsync(target);

        // Which aggregate (and so which partition key) each event left the first stream in.
        var keyOf = new Dictionary<string, string>();
        var aggregates = await admin.ReadAllAsync(source);
        foreach (var aggregate in aggregates)
            foreach (var (_, data) in IndependentKplReader.Read(aggregate.Data).Records)
                keyOf[KinesisAgentRun.IdOf(data)] = aggregate.PartitionKey;
        var shards = await admin.ListShardsAsync(target);
        var ids = relayed.Select(r => KinesisAgentRun.IdOf(r.Data)).ToList();
        output.WriteLine($"{Events} events in {aggregates.Count} aggregates relayed as {relayed.Count} records over {relayed.Select(r => r.ShardId).Distinct().Count()} shards");
        Assert.Equal((Events, Events), (ids.Count, ids.Distinct().Count()));
        Assert.All(relayed, r =>
        {
            var id = KinesisAgentRun.IdOf(r.Data);
            Assert.Equal(keyOf[id], r.PartitionKey);
            Assert.Equal(KinesisHashKey.ShardFor(shards, r.PartitionKey).ShardId, r.ShardId);
            using var json = JsonDocument.Parse(r.Data);
            Assert.Equal("nginx.access", json.RootElement.GetProperty("tag").GetString());
        });
    }
}
