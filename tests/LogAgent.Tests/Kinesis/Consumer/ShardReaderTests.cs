using System.IO.Compression;
using System.Text;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Consumer;
using LogAgent.Plugins.Kinesis.Records;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Tests.Kinesis.Support;
using KinesisShard = LogAgent.Plugins.Kinesis.Aws.KinesisShard;
using PutRecordsEntry = LogAgent.Plugins.Kinesis.Aws.PutRecordsEntry;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.Consumer;

/// <summary>
/// One shard's reader against kinesalite, in process: the real API client, state file and parser, with the router
/// replaced by one that records (and, where a test says so, refuses) what is emitted.
/// </summary>
public class ShardReaderTests(KinesaliteFixture kinesalite) : IClassFixture<KinesaliteFixture>
{
    private KinesisApiClient Client() => new(
        new AwsClientOptions { Region = "us-east-1", Endpoint = kinesalite.Server.Endpoint },
        new Amazon.Runtime.BasicAWSCredentials(TestCredentials.Default.AccessKeyId, TestCredentials.Default.SecretAccessKey));

    /// <summary>Emitted events in order; <see cref="Refuse"/> decides per call whether an emit throws instead.</summary>
    private sealed class RecordingRouter : IEventRouter
    {
        public List<(string Tag, EventTime Time, Record Record)> Events { get; } = new();
        public int Calls;
        public Func<int, EventStream, Exception?> Refuse { get; set; } = (_, _) => null;

        public void Emit(EventStream stream)
        {
            int call;
            lock (Events) call = ++Calls;
            if (Refuse(call, stream) is { } error) throw error;
            lock (Events)
                foreach (var entry in stream) Events.Add((stream.Tag, entry.Time, RecordCodec.Decode(entry.RecordBytes)));
        }

        public int Count { get { lock (Events) return Events.Count; } }
    }

    /// <summary>The real client, but GetRecords answers ExpiredIteratorException when <see cref="ExpireNext"/> is set.</summary>
    private sealed class ExpiringApi(IKinesisApi inner) : IKinesisApi
    {
        public volatile bool ExpireNext;
        public List<ShardIteratorStart> IteratorStarts { get; } = new();

        public Task<PutRecordsResult> PutRecordsAsync(string s, IReadOnlyList<PutRecordsEntry> r, CancellationToken c) => inner.PutRecordsAsync(s, r, c);
        public Task<IReadOnlyList<KinesisShard>> ListShardsAsync(string s, CancellationToken c) => inner.ListShardsAsync(s, c);
        public Task<StreamSummary> DescribeStreamSummaryAsync(string s, CancellationToken c) => inner.DescribeStreamSummaryAsync(s, c);
        public Task<StreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef s, CancellationToken c) => inner.DescribeStreamSummaryAsync(s, c);
        public Task<IReadOnlyList<KinesisShard>> ListShardsAsync(KinesisStreamRef s, CancellationToken c) => inner.ListShardsAsync(s, c);

        public Task<string> GetShardIteratorAsync(KinesisStreamRef s, string shard, ShardIteratorStart start, CancellationToken c)
        {
            lock (IteratorStarts) IteratorStarts.Add(start);
            return inner.GetShardIteratorAsync(s, shard, start, c);
        }

        public Task<GetRecordsResult> GetRecordsAsync(KinesisStreamRef s, string iterator, int limit, CancellationToken c)
        {
            if (ExpireNext)
            {
                ExpireNext = false;
                throw new AwsApiException("GetRecords", AwsFailureKind.ServiceError, "ExpiredIteratorException", 400, "Iterator expired", isRetryable: false);
            }
            return inner.GetRecordsAsync(s, iterator, limit, c);
        }
    }

    private sealed class Setup : IDisposable
    {
        public required TempDirectory Dir { get; init; }
        public required KinesisStreamRef Stream { get; init; }
        public required string ShardId { get; init; }
        public required ShardCheckpointStore Store { get; set; }
        public TestPluginContext Context { get; } = new();

        public void Dispose()
        {
            Store.Dispose();
            Dir.Dispose();
        }
    }

    private async Task<Setup> StreamWithAsync(string purpose, IEnumerable<(string Key, byte[] Data)> records)
    {
        var name = KinesaliteFixture.NewStreamName(purpose);
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(name, 1);
        var list = records.ToList();
        if (list.Count > 0) await admin.PutRecordsAsync(name, list);
        var shard = Assert.Single(await admin.ListShardsAsync(name));
        var dir = new TempDirectory();
        return new Setup { Dir = dir, Stream = new KinesisStreamRef(name, null), ShardId = shard.ShardId, Store = ShardCheckpointStore.Open(dir.File("state.json"), name) };
    }

    private static ConsumedRecordOptions Options(bool cloudWatch = false) =>
        new(TagTemplate.Parse("kinesis.${app}"), null, Deaggregate: true, DecompressMode.Auto, cloudWatch, "pk", "seq", null);

    private static ShardReader Reader(Setup setup, IKinesisApi api, IEventRouter router, ShardStart start, ShardReadSettings settings, bool cloudWatch = false)
    {
        var parser = setup.Context.CreateParser(null, cloudWatch ? "none" : "json");
        parser.EstimateCurrentEvent = false;
        var decoder = new ConsumedRecordDecoder(Options(cloudWatch), parser, setup.Context.EmitError);
        return new ShardReader(api, setup.Stream, start, setup.Store, decoder, router, setup.Context.Logger,
            new ShardReadMetrics(setup.Context.Metrics, start.ShardId, TimeProvider.System), settings);
    }

    private static ShardStart StartFromState(Setup setup) =>
        Assert.Single(ShardLineage.Plan([new KinesisShard(setup.ShardId, 0, 1, null, null, "0", null)], setup.Store.Shards,
            InitialPosition.TrimHorizon, null, new HashSet<string>()).Ready);

    private static byte[] Json(string app, int n) => Encoding.UTF8.GetBytes($$"""{"app":"{{app}}","n":{{n}}}""");

    private static async Task RunUntilAsync(ShardReader reader, Func<bool> done, Func<string> describe, CancellationTokenSource? stop = null)
    {
        stop ??= new CancellationTokenSource();
        var run = reader.RunAsync(stop.Token);
        try
        {
            await Eventually.True(() => done() || run.IsCompleted, TimeSpan.FromSeconds(30), describe);
        }
        finally
        {
            stop.Cancel();
            try { await run.WaitAsync(TimeSpan.FromSeconds(10)); } catch (OperationCanceledException) { }
        }
    }

    [Fact]
    public async Task An_aggregate_emitted_in_part_resumes_after_its_last_emitted_sub_record()
    {
        var subRecords = Enumerable.Range(0, 10).Select(i => (ReadOnlyMemory<byte>)Json("web", i)).ToList();
        using var setup = await StreamWithAsync("reader-kpl", [("agg-key", KplAggregator.Aggregate(subRecords, "user-key")), ("plain", Json("api", 10))]);
        using var client = Client();
        var settings = new ShardReadSettings(100, TimeSpan.FromMilliseconds(100)) { SliceEvents = 3 };

        // First run: slices of 3 sub-records; the third emit is refused and the agent stops during the wait.
        var stop = new CancellationTokenSource();
        var router = new RecordingRouter { Refuse = (call, _) => call == 3 ? Stop(stop) : null };
        var first = Reader(setup, client, router, new ShardStart(setup.ShardId, ShardIteratorStart.TrimHorizon, null, []), settings);
        await RunUntilAsync(first, () => stop.IsCancellationRequested, () => $"{router.Calls} emits", stop);
        Assert.Equal([0, 1, 2, 3, 4, 5], router.Events.Select(e => Convert.ToInt32(e.Record["n"])));
        var checkpoint = setup.Store.Get(setup.ShardId)!;
        Assert.Equal(5, checkpoint.SubSequenceNumber);

        // Second run from the state: AT the aggregate, sub-records 0-5 skipped, then the plain record.
        var start = StartFromState(setup);
        Assert.Equal(("AT_SEQUENCE_NUMBER", checkpoint.SequenceNumber, 5L), (start.Start.Type, start.Start.SequenceNumber, start.SkipThrough));
        var again = new RecordingRouter();
        await RunUntilAsync(Reader(setup, client, again, start, settings), () => again.Count >= 5, () => $"{again.Count} events");
        Assert.Equal([6, 7, 8, 9, 10], again.Events.Select(e => Convert.ToInt32(e.Record["n"])));
        Assert.Equal(["kinesis.web", "kinesis.web", "kinesis.web", "kinesis.web", "kinesis.api"], again.Events.Select(e => e.Tag));
        Assert.Equal(["user-key", "user-key", "user-key", "user-key", "plain"], again.Events.Select(e => (string)e.Record["pk"]!));
        var last = setup.Store.Get(setup.ShardId)!;
        Assert.Null(last.SubSequenceNumber); // the plain record was emitted whole
        Assert.Equal(again.Events[^1].Record["seq"], last.SequenceNumber);
    }

    private static Exception Stop(CancellationTokenSource stop)
    {
        stop.Cancel();
        return new IOException("buffer full (test)");
    }

    [Fact]
    public async Task Refused_emits_are_offered_again_and_the_checkpoint_waits_for_them()
    {
        using var setup = await StreamWithAsync("reader-refused", Enumerable.Range(0, 20).Select(i => ($"k{i}", Json("web", i))));
        using var client = Client();
        string? checkpointWhileRefused = "unset";
        var router = new RecordingRouter();
        router.Refuse = (call, _) =>
        {
            if (call > 4) return null;
            checkpointWhileRefused = setup.Store.Get(setup.ShardId)?.SequenceNumber;
            return new IOException("buffer space has too many data (test)");
        };
        var reader = Reader(setup, client, router, new ShardStart(setup.ShardId, ShardIteratorStart.TrimHorizon, null, []),
            new ShardReadSettings(100, TimeSpan.FromMilliseconds(100)));
        await RunUntilAsync(reader, () => router.Count >= 20, () => $"{router.Count} events after {router.Calls} emits");
        Assert.Equal(Enumerable.Range(0, 20), router.Events.Select(e => Convert.ToInt32(e.Record["n"])));
        Assert.Null(checkpointWhileRefused); // nothing was checkpointed while the first events were refused
        Assert.Equal(router.Events[^1].Record["seq"], setup.Store.Get(setup.ShardId)!.SequenceNumber);
        Assert.Equal(20, setup.Context.Metrics.Counter("events_emitted." + setup.ShardId).Value);
    }

    [Fact]
    public async Task An_expired_iterator_is_fetched_again_after_the_checkpoint()
    {
        using var setup = await StreamWithAsync("reader-expired", Enumerable.Range(0, 10).Select(i => ($"k{i}", Json("web", i))));
        using var client = Client();
        var api = new ExpiringApi(client);
        var router = new RecordingRouter();
        // After the first page of 5 is emitted, the next GetRecords says the iterator expired.
        router.Refuse = (call, _) => { if (call == 1) api.ExpireNext = true; return null; };
        var reader = Reader(setup, api, router, new ShardStart(setup.ShardId, ShardIteratorStart.TrimHorizon, null, []),
            new ShardReadSettings(5, TimeSpan.FromMilliseconds(100)));
        await RunUntilAsync(reader, () => router.Count >= 10, () => $"{router.Count} events");
        Assert.Equal(Enumerable.Range(0, 10), router.Events.Select(e => Convert.ToInt32(e.Record["n"])));
        Assert.Equal(1, setup.Context.Metrics.Counter("iterator_renewals." + setup.ShardId).Value);
        lock (api.IteratorStarts)
            Assert.Equal([ShardIteratorStart.TrimHorizon, ShardIteratorStart.After((string)router.Events[4].Record["seq"]!)], api.IteratorStarts);
    }

    [Fact]
    public async Task CloudWatch_Logs_envelopes_become_one_event_per_log_event_and_control_messages_are_skipped()
    {
        static byte[] Gzip(string json)
        {
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(Encoding.UTF8.GetBytes(json));
            return output.ToArray();
        }
        var control = Gzip("""{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1765101600000,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]}""");
        var data = Gzip("""
            {"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/checkout","logStream":"2026/12/07/[$LATEST]abc",
             "subscriptionFilters":["to-kinesis"],"logEvents":[
               {"id":"1","timestamp":1765101600123,"message":"START RequestId: 1"},
               {"id":"2","timestamp":1765101600456,"message":"order placed"},
               {"id":"3","timestamp":1765101601000,"message":"END RequestId: 1"}]}
            """);
        using var setup = await StreamWithAsync("reader-cwl", [("k1", control), ("k2", data), ("k3", "not gzip, not json"u8.ToArray())]);
        using var client = Client();
        var router = new RecordingRouter();
        var parser = setup.Context.CreateParser(null, "none");
        parser.EstimateCurrentEvent = false; // as the input sets it: a time the text lacks is the log event's
        var options = new ConsumedRecordOptions(TagTemplate.Parse("cwl"), null, true, DecompressMode.None, true, null, null, null);
        var reader = new ShardReader(client, setup.Stream, new ShardStart(setup.ShardId, ShardIteratorStart.TrimHorizon, null, []), setup.Store,
            new ConsumedRecordDecoder(options, parser, setup.Context.EmitError), router, setup.Context.Logger,
            new ShardReadMetrics(setup.Context.Metrics, setup.ShardId, TimeProvider.System), new ShardReadSettings(100, TimeSpan.FromMilliseconds(100)));
        await RunUntilAsync(reader, () => router.Count >= 3 && setup.Context.Errors.Count >= 1, () => $"{router.Count} events, {setup.Context.Errors.Count} errors");

        Assert.Equal(["START RequestId: 1", "order placed", "END RequestId: 1"], router.Events.Select(e => (string)e.Record["message"]!));
        Assert.All(router.Events, e => Assert.Equal(("cwl", "/aws/lambda/checkout", "2026/12/07/[$LATEST]abc", "123456789012"),
            (e.Tag, (string)e.Record["logGroup"]!, (string)e.Record["logStream"]!, (string)e.Record["owner"]!)));
        Assert.Equal([1765101600123L, 1765101600456L, 1765101601000L], router.Events.Select(e => e.Time.ToDateTimeOffset().ToUnixTimeMilliseconds()));
        // The record that is no envelope goes to @ERROR with its text, shard and sequence number, and reading goes on.
        var error = Assert.Single(setup.Context.Errors);
        Assert.Equal("not gzip, not json", error.Record["message"]);
        Assert.Contains($"shard {setup.ShardId} record ", error.Error.Message);
        Assert.Contains("invalid JSON", error.Error.Message);
        Assert.Null(setup.Store.Get(setup.ShardId)!.SubSequenceNumber);
    }
}
