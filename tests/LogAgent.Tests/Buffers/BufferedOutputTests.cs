using LogAgent.Core.Buffers;
using LogAgent.Core.Engine;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Buffers;

/// <summary>The engine's buffered outputs end to end in one process: flush, retry, hand-off, shutdown.</summary>
public class BufferedOutputTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static Record R(long n) => new() { ["n"] = n };

    private const string FastFlush = FastBuffer.FlushAndRetry;

    private static (AgentEngine Engine, ManualInput Input, TestBufferedOutput Output) Start(string matchBody, string? extra = null, string? rootDir = null) =>
        EngineFixture.StartManualToBuffered(matchBody, extra, rootDir);

    [Fact]
    public async Task Events_are_delivered_in_order_and_chunks_deleted_after_success()
    {
        var (engine, input, output) = Start($"<buffer tag>\n{FastFlush}\n</buffer>");
        for (int i = 0; i < 50; i++) input.Emit("app", R(i));
        await Eventually.True(() => output.Delivered.Count == 50, Deadline, () => $"{output.Delivered.Count}/50 delivered");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), output.Delivered.Select(d => (long)d.Record["n"]!));
        var runner = engine.Runners.Single();
        await Eventually.True(() => runner.Buffer.IsEmpty, Deadline, () => "buffer empty");
        Assert.True(runner.Metrics.WriteCount >= 1);
        Assert.Equal(50, runner.Metrics.EmitRecords);
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_full_chunk_is_written_at_once_without_waiting_for_the_flush_tick()
    {
        // flush_interval and flush_thread_interval of a minute: only the chunk filling up can start the write.
        var (engine, input, output) = Start("<buffer tag>\nchunk_limit_size 1k\nflush_interval 60\nflush_thread_interval 60\nflush_thread_burst_interval 0\n</buffer>");
        await Task.Delay(200); // the flush thread is now asleep in its 60 s wait
        for (int i = 0; i < 100; i++) input.Emit("app", R(i));
        await Eventually.True(() => output.Delivered.Count >= 50, TimeSpan.FromSeconds(10), () => $"{output.Delivered.Count} delivered");
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_down_destination_is_retried_with_backoff_and_gets_everything_when_it_is_back()
    {
        var (engine, input, output) = Start($"down true\n<buffer tag>\n{FastFlush}\n</buffer>");
        for (int i = 0; i < 20; i++) input.Emit("app", R(i));
        var runner = engine.Runners.Single();
        await Eventually.True(() => output.Attempts >= 3, Deadline, () => $"{output.Attempts} attempts");
        Assert.NotNull(runner.ReadRetry());
        Assert.Empty(output.Delivered);
        output.IsDown = false;
        await Eventually.True(() => output.Delivered.Count == 20, Deadline, () => $"{output.Delivered.Count}/20 delivered");
        await Eventually.True(() => runner.ReadRetry() is null, Deadline, () => "retry state cleared after success");
        Assert.True(runner.Metrics.RetryCount >= 2);
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_poison_chunk_does_not_hold_back_the_others_and_goes_to_dead_letters_when_its_retries_run_out()
    {
        using var dir = new TempDirectory();
        var (engine, input, output) = Start($"poison_tag bad\n<buffer tag>\n{FastFlush}\nretry_max_times 3\n</buffer>", rootDir: dir.Path);
        input.Emit("bad", R(-1));
        for (int i = 0; i < 10; i++) input.Emit("good", R(i));
        await Eventually.True(() => output.Delivered.Count == 10, Deadline, () => $"{output.Delivered.Count}/10 good delivered");
        var deadLetters = Path.Combine(dir.Path, "dead-letter", "out");
        await Eventually.True(() => Directory.Exists(deadLetters) && Directory.GetFiles(deadLetters, "*.log").Length == 1, Deadline,
            () => "the poison chunk in the dead-letter directory");
        Assert.All(output.Delivered, d => Assert.Equal("good", d.Tag));
        Assert.Equal(1, engine.Runners.Single().Metrics.DeadLetterChunks);
        await engine.StopAsync();
    }

    [Fact]
    public async Task Dead_letters_replayed_by_the_operator_are_delivered()
    {
        using var dir = new TempDirectory();
        var (engine, input, output) = Start($"poison_tag bad\n<buffer tag>\n{FastFlush}\nretry_max_times 1\n</buffer>", rootDir: dir.Path);
        input.Emit("bad", R(7), R(8));
        var runner = engine.Runners.Single();
        await Eventually.True(() => runner.Metrics.DeadLetterChunks == 1, Deadline, () => "dead-lettered");
        output.PoisonTag = null; // the destination was fixed
        // What `logagent --replay-dead-letters` does:
        Assert.Equal(1, engine.DeadLetters().Sum(d => d.MoveDeadLettersToReplay()));
        await Eventually.True(() => output.Delivered.Count == 2, Deadline, () => $"{output.Delivered.Count}/2 replayed");
        Assert.Equal(new[] { 7L, 8L }, output.Delivered.Select(d => (long)d.Record["n"]!));
        await engine.StopAsync();
    }

    [Fact]
    public async Task An_unrecoverable_error_sends_the_chunk_to_ERROR_at_once()
    {
        var (engine, input, output) = Start($"unrecoverable_tag bad\n<buffer tag>\n{FastFlush}\n</buffer>", """
            <label @ERROR>
              <match **>
                @type test_capture
                @id errors
              </match>
            </label>
            """);
        input.Emit("bad", R(1), R(2));
        var errors = engine.Output<CaptureOutput>("errors");
        await Eventually.True(() => errors.Events.Count == 2, Deadline, () => $"{errors.Events.Count}/2 in @ERROR");
        Assert.Equal(1, output.Attempts);
        await engine.StopAsync();
    }

    [Fact]
    public async Task The_secondary_file_receives_chunks_the_primary_gives_up_on()
    {
        using var dir = new TempDirectory();
        var (engine, input, output) = Start($$"""
            down true
            <buffer tag>
            {{FastFlush}}
              retry_max_times 2
            </buffer>
            <secondary>
              @type secondary_file
              directory {{dir.Path}}/dump
              basename ${tag}.${chunk_id}
            </secondary>
            """);
        input.Emit("app.x", R(1), R(2), R(3));
        await Eventually.True(() => Directory.Exists(Path.Combine(dir.Path, "dump")) && Directory.GetFiles(Path.Combine(dir.Path, "dump")).Length == 1,
            Deadline, () => "one dump file");
        var dump = Directory.GetFiles(Path.Combine(dir.Path, "dump")).Single();
        Assert.StartsWith("app.x.", Path.GetFileName(dump));
        var stream = new EventStream("app.x", File.ReadAllBytes(dump), 3);
        Assert.Equal(new[] { 1L, 2L, 3L }, stream.ToListOfRecords().Select(r => (long)r["n"]!));
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_partial_write_requeues_only_the_records_that_failed()
    {
        var (engine, input, output) = Start($"partial_after 3\n<buffer tag>\n{FastFlush}\n</buffer>");
        input.Emit("app", R(0), R(1), R(2), R(3), R(4));
        await Eventually.True(() => output.Delivered.Count >= 5, Deadline, () => $"{output.Delivered.Count}/5 delivered");
        Assert.Equal(new[] { 0L, 1L, 2L, 3L, 4L }, output.Delivered.Select(d => (long)d.Record["n"]!));
        Assert.Equal(2, output.Delivered.Select(d => d.ChunkId).Distinct().Count());
        await engine.StopAsync();
    }

    [Fact]
    public async Task Delayed_commit_deletes_on_commit_and_retries_on_rollback()
    {
        var (engine, input, output) = Start($"delayed_commit true\n<buffer tag>\n{FastFlush}\ndelayed_commit_timeout 30\n</buffer>");
        var runner = engine.Runners.Single();
        input.Emit("app", R(1));
        await Eventually.True(() => output.PendingCount == 1, Deadline, () => "one write awaiting confirmation");
        Assert.False(runner.Buffer.IsEmpty);
        Assert.Equal(1, output.ConfirmPending(success: false));
        await Eventually.True(() => output.PendingCount == 1, Deadline, () => "written again after the rollback");
        Assert.Equal(1, output.ConfirmPending(success: true));
        await Eventually.True(() => runner.Buffer.IsEmpty, Deadline, () => "chunk deleted after commit");
        Assert.Equal(2, output.Attempts);
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_memory_buffer_that_cannot_flush_at_shutdown_keeps_its_chunks_as_dead_letters()
    {
        using var dir = new TempDirectory();
        var (engine, input, _) = Start($"down true\n<buffer tag>\n{FastFlush}\n</buffer>", rootDir: dir.Path);
        input.Emit("app", R(1), R(2));
        input.Emit("other", R(3));
        await engine.StopAsync();
        var files = Directory.GetFiles(Path.Combine(dir.Path, "dead-letter", "out"), "*.log");
        Assert.Equal(2, files.Length);
        Assert.Equal(3, files.Sum(f => new EventStream("x", File.ReadAllBytes(f), 0).ToListOfRecords().Count));
    }

    [Fact]
    public async Task Time_chunks_are_flushed_only_after_timekey_wait()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2024-03-01T12:00:30Z"));
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <match **>
              @type test_buffered
              @id out
              <buffer time>
                timekey 60
                timekey_wait 30
                timekey_use_utc true
                flush_thread_interval 0.02
              </buffer>
            </match>
            """, clock: clock);
        await engine.StartAsync(default);
        var output = engine.Output<TestBufferedOutput>("out");
        var builder = new EventStreamBuilder("app");
        builder.Add(new EventTime((uint)DateTimeOffset.Parse("2024-03-01T12:00:10Z").ToUnixTimeSeconds(), 0), R(1));
        engine.Root.Emit(builder.Build());
        // The 12:00 slice closes at 12:01; with timekey_wait 30 it is due at 12:01:30.
        clock.Advance(TimeSpan.FromSeconds(50)); // 12:01:20
        await Task.Delay(300);
        Assert.Empty(output.Delivered);
        clock.Advance(TimeSpan.FromSeconds(15)); // 12:01:35
        await Eventually.True(() => output.Delivered.Count >= 1, Deadline, () => "the 12:00 chunk after timekey_wait");
        await engine.StopAsync();
    }
}

internal static class EventStreamTestExtensions
{
    public static List<Record> ToListOfRecords(this EventStream stream)
    {
        var list = new List<Record>();
        // Dumped chunks may hold [time, record] or [tag, time, record] entries.
        var reader = new MessagePack.MessagePackReader(stream.Entries);
        while (!reader.End)
        {
            int n = reader.ReadArrayHeader();
            if (n == 3) reader.Skip();
            EventTime.ReadFrom(ref reader);
            list.Add(RecordCodec.ReadRecord(ref reader));
        }
        return list;
    }
}
