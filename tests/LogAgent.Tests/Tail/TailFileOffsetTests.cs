using LogAgent.Tests.Support;

namespace LogAgent.Tests.Tail;

/// <summary>
/// The tail's descriptor of a log shows how far it has read (/proc/PID/fdinfo "pos"), as a plain read() loop's
/// would: what tools outside the agent, such as the shared benchmark's end-of-file detection, look at.
/// </summary>
public class TailFileOffsetTests
{
    [Fact]
    public async Task The_descriptor_offset_follows_the_reader_to_the_end_of_the_file_and_on_as_it_grows()
    {
        using var dir = new TempDirectory();
        var log = dir.File("app.log");
        File.WriteAllText(log, string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n")));
        var engine = EngineFixture.Build($"""
            <source>
              @type tail
              path {log}
              pos_file {dir.File("app.pos")}
              tag app
              read_from_head true
              <parse>
                @type none
              </parse>
            </source>
            <match app>
              @type test_capture
              @id out
            </match>
            """);
        await engine.StartAsync(CancellationToken.None);
        var output = engine.Output<CaptureOutput>("out");
        try
        {
            await Eventually.True(() => output.Events.Count == 5000, TimeSpan.FromSeconds(10), () => $"{output.Events.Count}/5000");
            await Eventually.True(() => DescriptorOffset(log) == new FileInfo(log).Length, TimeSpan.FromSeconds(10),
                () => $"fd offset {DescriptorOffset(log)} of {new FileInfo(log).Length}");

            File.AppendAllText(log, "one more line\n");
            await Eventually.True(() => output.Events.Count == 5001, TimeSpan.FromSeconds(10), () => $"{output.Events.Count}/5001");
            await Eventually.True(() => DescriptorOffset(log) == new FileInfo(log).Length, TimeSpan.FromSeconds(10),
                () => $"fd offset {DescriptorOffset(log)} of {new FileInfo(log).Length}");
        }
        finally
        {
            await engine.StopAsync();
        }
    }

    /// <summary>The read offset of this process's descriptor open on <paramref name="path"/>; null when none is.</summary>
    private static long? DescriptorOffset(string path)
    {
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget != path) continue;
                var pos = File.ReadLines($"/proc/self/fdinfo/{Path.GetFileName(fd)}").First(l => l.StartsWith("pos:"));
                return long.Parse(pos["pos:".Length..].Trim());
            }
            catch (IOException)
            {
                // the descriptor closed meanwhile
            }
        }
        return null;
    }
}
