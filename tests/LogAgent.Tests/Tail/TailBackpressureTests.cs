using LogAgent.Core.Plugins.Inputs.Tail;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Tail;

/// <summary>A destination that cannot keep up: with overflow_action block the reader stops instead of growing memory.</summary>
public class TailBackpressureTests
{
    [Fact]
    public async Task A_full_buffer_with_overflow_action_block_stops_the_reader_and_nothing_is_lost_when_it_drains()
    {
        using var dir = new TempDirectory();
        const int lineCount = 200_000; // ~ 12 MB against a 1 MiB buffer
        using (var writer = new StreamWriter(dir.File("app.log")))
            for (var i = 0; i < lineCount; i++) writer.Write($"line {i:D7} padding padding padding padding padding\n");
        var fileSize = new FileInfo(dir.File("app.log")).Length;
        var engine = EngineFixture.Build($"""
            <source>
              @type tail
              path {dir.File("app.log")}
              pos_file {dir.File("app.pos")}
              tag app
              read_from_head true
              <parse>
                @type none
              </parse>
            </source>
            <match app>
              @type test_buffered
              @id out
              down true
              <buffer>
                @type memory
                chunk_limit_size 256k
                total_limit_size 1m
                overflow_action block
                flush_interval 0.1
                retry_wait 0.1
                retry_max_interval 0.2
              </buffer>
            </match>
            """);
        await engine.StartAsync(CancellationToken.None);
        var output = engine.Output<TestBufferedOutput>("out");
        try
        {
            // The reader fills the buffer and blocks: the committed offset stops far short of the file's end.
            long Committed() => PositionOf(dir.File("app.pos"));
            await Eventually.True(() => Committed() > 0, TimeSpan.FromSeconds(10), () => "nothing committed");
            long previous;
            do
            {
                previous = Committed();
                await Task.Delay(500);
            } while (Committed() != previous);
            Assert.True(previous < fileSize / 4, $"committed {previous} of {fileSize} bytes into a 1 MiB buffer");

            output.IsDown = false;
            await Eventually.True(() => output.Delivered.Count >= lineCount, TimeSpan.FromSeconds(60),
                () => $"{output.Delivered.Count} of {lineCount} delivered");
            var lines = output.Delivered.Select(d => (string)d.Record["message"]!).ToList();
            Assert.Equal(lineCount, lines.Count);
            Assert.Equal(lineCount, lines.Distinct().Count());
            Assert.Equal($"line {lineCount - 1:D7} padding padding padding padding padding", lines[^1]);
            await Eventually.True(() => Committed() == fileSize, TimeSpan.FromSeconds(10), () => $"pos {Committed()} of {fileSize}");
        }
        finally
        {
            output.IsDown = false;
            await engine.StopAsync();
        }
    }

    private static long PositionOf(string posFile)
    {
        if (!File.Exists(posFile)) return 0;
        using var pos = new PositionFile(posFile);
        pos.Load();
        return pos.Entries.Count == 0 ? 0 : (long)pos.Entries[0].Offset;
    }
}
