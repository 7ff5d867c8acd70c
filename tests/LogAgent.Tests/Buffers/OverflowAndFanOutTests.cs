using LogAgent.Core.Buffers;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Buffers;

/// <summary>What a full buffer does (overflow_action), and copy's independent stores.</summary>
public class OverflowAndFanOutTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    // ~40 bytes per event entry; a 1 KiB total limit holds about 25 of them.
    private static Record R(long n) => new() { ["n"] = n, ["pad"] = "xxxxxxxxxxxxxxxxxxxx" };

    private static (Core.Engine.AgentEngine, ManualInput, TestBufferedOutput) Start(string overflow) =>
        EngineFixture.StartManualToBuffered($"""
            down true
            <buffer tag>
              total_limit_size 1k
              chunk_limit_size 256
              overflow_action {overflow}
            {FastBuffer.FlushAndRetry}
            </buffer>
            """);

    [Fact]
    public async Task Throw_exception_tells_the_input_and_keeps_what_was_accepted()
    {
        var (engine, input, output) = Start("throw_exception");
        int accepted = 0;
        BufferOverflowException? overflow = null;
        for (int i = 0; i < 200 && overflow is null; i++)
        {
            try { input.Emit("app", R(i)); accepted++; }
            catch (BufferOverflowException e) { overflow = e; }
        }
        Assert.NotNull(overflow);
        Assert.Contains("buffer space has too many data", overflow!.Message);
        Assert.InRange(accepted, 10, 40);
        output.IsDown = false;
        await Eventually.True(() => output.Delivered.Count == accepted, Deadline, () => $"{output.Delivered.Count}/{accepted} delivered");
        // Exactly the accepted events: nothing accepted was lost, nothing refused slipped in.
        Assert.Equal(Enumerable.Range(0, accepted).Select(i => (long)i), output.Delivered.Select(d => (long)d.Record["n"]!).Order());
        await engine.StopAsync();
    }

    [Fact]
    public async Task Drop_oldest_chunk_makes_room_by_dropping_the_oldest_queued_chunk()
    {
        var (engine, input, output) = Start("drop_oldest_chunk");
        for (int i = 0; i < 100; i++) input.Emit("app", R(i));
        output.IsDown = false;
        await Eventually.True(() => engine.Runners.Single().Buffer.IsEmpty, Deadline, () => "buffer drained");
        var delivered = output.Delivered.Select(d => (long)d.Record["n"]!).ToList();
        Assert.InRange(delivered.Count, 10, 60);
        // The newest events survive; the oldest were dropped. A chunk a flush thread is writing (and failing) at that
        // moment is not in the queue, so drop_oldest_chunk cannot drop it (as in fluentd): one or two old chunks of
        // ~6 events may survive that way, depending on when the flush thread ran.
        Assert.Equal(99, delivered.Max());
        Assert.True(delivered.Count(n => n < 50) <= 12, $"old events delivered: {string.Join(",", delivered.Where(n => n < 50))}");
        await engine.StopAsync();
    }

    [Fact]
    public async Task Block_makes_the_input_wait_until_the_output_frees_space()
    {
        var (engine, input, output) = Start("block");
        var writer = Task.Run(() => { for (int i = 0; i < 100; i++) input.Emit("app", R(i)); });
        await Task.Delay(500);
        // The destination is down and the buffer is full: the input is blocked, not buffering without limit.
        Assert.False(writer.IsCompleted);
        Assert.True(engine.Runners.Single().Buffer.TotalBytes <= 1024 + 256);
        output.IsDown = false;
        await writer.WaitAsync(Deadline);
        await Eventually.True(() => output.Delivered.Count == 100, Deadline, () => $"{output.Delivered.Count}/100 delivered");
        // Every event exactly once; chunks that failed repeatedly may have been overtaken by others.
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), output.Delivered.Select(d => (long)d.Record["n"]!).Order());
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_copy_store_that_is_down_neither_blocks_nor_loses_data_for_the_other()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <match **>
              @type copy
              <store>
                @type test_buffered
                @id up
                <buffer tag>
                  flush_mode interval
                  flush_interval 0.05
                  flush_thread_interval 0.02
                  flush_thread_burst_interval 0.01
                </buffer>
              </store>
              <store>
                @type test_buffered
                @id down
                down true
                <buffer tag>
                  flush_mode interval
                  flush_interval 0.05
                  flush_thread_interval 0.02
                  flush_thread_burst_interval 0.01
                  retry_wait 0.05
                  retry_max_interval 0.2
                  retry_randomize false
                </buffer>
              </store>
            </match>
            """);
        await engine.StartAsync(default);
        var up = engine.Output<TestBufferedOutput>("up");
        var down = engine.Output<TestBufferedOutput>("down");
        for (int round = 0; round < 10; round++)
        {
            engine.Input("in").Emit("app", R(round));
            // Each event reaches the healthy store promptly while the other keeps failing.
            await Eventually.True(() => up.Delivered.Count == round + 1, TimeSpan.FromSeconds(5), () => $"round {round}: {up.Delivered.Count} at the healthy store");
        }
        Assert.Empty(down.Delivered);
        Assert.True(down.Attempts >= 2);
        down.IsDown = false;
        await Eventually.True(() => down.Delivered.Count == 10, Deadline, () => $"{down.Delivered.Count}/10 after recovery");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), down.Delivered.Select(d => (long)d.Record["n"]!).Order());
        await engine.StopAsync();
    }
}
