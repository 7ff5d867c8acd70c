using System.Text.Json;
using LogAgent.Core.Plugins.Inputs.Tail;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Tail;

/// <summary>
/// An operator replacing td-agent points pos_file at the file fluentd left. These tests take each pos file fluentd
/// 1.15.3 wrote in ../shared/corpus/forward (fd-tail-pos.*: after reading, appends, a rotation, rotate_wait and a
/// deletion; fd-tail-pos.json says what the files held), rebuild the files it describes — same sizes and line counts,
/// with this machine's inodes put in place of the capture machine's — append to them as if the agent had been
/// stopped, and start LogAgent with fluentd's config: only the appended lines may come out.
/// </summary>
public class TailCorpusResumeTests
{
    private const string CapturedDirectory = "/tmp/fwdcap/fd-tail-pos/logs/";

    private sealed record CorpusFile(string Path, long Size, ulong Inode, int Lines);

    private sealed record Step(int Number, string PosText, CorpusFile[] Files);

    private static readonly IReadOnlyList<Step> Steps = Load();

    private static IReadOnlyList<Step> Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.SharedCorpus, "forward", "fd-tail-pos.json")));
        return json.RootElement.GetProperty("steps").EnumerateArray().Select(s => new Step(
            s.GetProperty("step").GetInt32(),
            s.GetProperty("pos_file_text").GetString()!,
            s.GetProperty("files").EnumerateArray().Select(f => new CorpusFile(f.GetProperty("path").GetString()!,
                f.GetProperty("size").GetInt64(), f.GetProperty("inode").GetUInt64(), f.GetProperty("lines").GetInt32())).ToArray())).ToList();
    }

    public static TheoryData<int> StepNumbers() => new(Steps.Select(s => s.Number));

    /// <summary>fluentd's config for the capture (corpus forward/configs/fd-tail-pos.conf) with this test's directory.</summary>
    private static string Source(TempDirectory dir) => $"""
        path {dir.Path}/logs/*.log
        pos_file {dir.Path}/tail.pos
        read_from_head true
        refresh_interval 1
        rotate_wait 3
        tag corpus.tailpos.*
        <parse>
          @type none
        </parse>
        """;

    // The captured files' lines were all of one length per file (10 bytes in the first a.log and b.log, 11 in the new a.log).
    private static string LineText(string name, ulong inode, int number, int length) =>
        $"{name[0]}{inode % 1000:D3}-{number:D4}".PadRight(length - 1, '.')[..(length - 1)];

    /// <summary>Writes the step's files and its pos file with this machine's inodes; returns the corpus → local inode map.</summary>
    private static Dictionary<ulong, ulong> Rebuild(Step step, TempDirectory dir)
    {
        Directory.CreateDirectory(dir.File("logs"));
        var inodes = new Dictionary<ulong, ulong>();
        foreach (var f in step.Files)
        {
            var local = dir.File("logs/" + f.Path[CapturedDirectory.Length..]);
            var length = (int)(f.Size / f.Lines);
            File.WriteAllText(local, string.Concat(Enumerable.Range(1, f.Lines).Select(i => LineText(Path.GetFileName(local), f.Inode, i, length) + "\n")));
            Assert.Equal(f.Size, new FileInfo(local).Length);
            inodes[f.Inode] = FileStatus.Of(local)!.Value.Inode;
        }
        var pos = step.PosText.Replace(CapturedDirectory, dir.File("logs") + "/");
        foreach (var (captured, local) in inodes) pos = pos.Replace($"\t{captured:x16}\n", $"\t{local:x16}\n");
        File.WriteAllText(dir.File("tail.pos"), pos);
        return inodes;
    }

    [Theory]
    [MemberData(nameof(StepNumbers))]
    public async Task Resuming_from_fluentds_pos_file_emits_only_what_was_appended_after_it(int number)
    {
        var step = Steps.Single(s => s.Number == number);
        var dir = new TempDirectory();
        Rebuild(step, dir);
        var expected = new List<string>();
        foreach (var name in new[] { "a.log", "b.log" })
        {
            var path = dir.File("logs/" + name);
            if (!File.Exists(path)) continue;
            var added = Enumerable.Range(1, 3).Select(i => $"{name} appended after the stop {i}").ToList();
            File.AppendAllText(path, string.Concat(added.Select(l => l + "\n")));
            expected.AddRange(added);
        }

        await using var h = await TailHarness.StartAsync(Source(dir), dir);
        await h.WaitForCount(expected.Count);
        await Task.Delay(500); // time for anything from before the saved offsets to show up, which must not
        Assert.Equal(expected.Order(), h.Messages().Order());
        Assert.All(h.Output.Events, e => Assert.StartsWith("corpus.tailpos." + dir.Path.TrimStart('/').Replace('/', '.') + ".logs.", e.Tag));

        // The pos file is still fluentd's: the same entries, offsets moved to the files' ends.
        await Eventually.True(() => PosShowsEnds(dir), TimeSpan.FromSeconds(10), () => File.ReadAllText(dir.File("tail.pos")));
    }

    private static bool PosShowsEnds(TempDirectory dir)
    {
        var text = File.ReadAllText(dir.File("tail.pos"));
        foreach (var name in new[] { "a.log", "b.log" })
        {
            var path = dir.File("logs/" + name);
            if (!File.Exists(path)) continue;
            var line = $"{path}\t{new FileInfo(path).Length:x16}\t{FileStatus.Of(path)!.Value.Inode:x16}\n";
            if (!text.Contains(line)) return false;
        }
        return true;
    }

    [Fact]
    public async Task A_rotation_while_stopped_after_fluentds_step_two_loses_nothing()
    {
        // Step 2: a.log (12 lines) and b.log (8 lines) read to their ends. Then, with the agent stopped, two more lines
        // go to a.log, logrotate renames it to a.log.1 (not matched by *.log) and the app starts a new a.log.
        var step = Steps.Single(s => s.Number == 2);
        var dir = new TempDirectory();
        Rebuild(step, dir);
        File.AppendAllText(dir.File("logs/a.log"), "late 1\nlate 2\n");
        File.Move(dir.File("logs/a.log"), dir.File("logs/a.log.1"));
        File.WriteAllText(dir.File("logs/a.log"), "fresh 1\nfresh 2\nfresh 3\nfresh 4\n");

        await using var h = await TailHarness.StartAsync(Source(dir), dir);
        await h.WaitForCount(6);
        await Task.Delay(500);
        // fluentd would emit only the four fresh lines (TailWatcher#on_rotate: "read data from the head of the rotated file").
        Assert.Equal(new[] { "late 1", "late 2", "fresh 1", "fresh 2", "fresh 3", "fresh 4" }, h.Messages());
    }
}
