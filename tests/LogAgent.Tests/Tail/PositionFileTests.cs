using System.Text;
using System.Text.Json;
using LogAgent.Core.Plugins.Inputs.Tail;
using LogAgent.Tests.Support;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Tail;

/// <summary>
/// The in_tail position file against the real files fluentd 1.15.3 left at each step of a tail run
/// (../shared/corpus/forward/fd-tail-pos.*.pos, described step by step by fd-tail-pos.json), and against fluentd's own
/// rules in lib/fluent/plugin/in_tail/position_file.rb.
/// </summary>
public sealed class PositionFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "logagent-posfile-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILogger _logger;

    public PositionFileTests()
    {
        Directory.CreateDirectory(_dir);
        _logger = _logs.CreateLogger("tail");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string CorpusPath(string file) => Path.Combine(RepoPaths.SharedCorpus, "forward", file);

    private sealed record ExpectedEntry(string Path, ulong Offset, ulong Inode, bool Unwatched);

    private sealed record Step(int Number, string File, string Text, ExpectedEntry[] Entries)
    {
        public override string ToString() => File;
    }

    private static readonly IReadOnlyList<Step> Steps = LoadSteps();

    private static IReadOnlyList<Step> LoadSteps()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(CorpusPath("fd-tail-pos.json")));
        return json.RootElement.GetProperty("steps").EnumerateArray().Select(s => new Step(
            s.GetProperty("step").GetInt32(),
            s.GetProperty("file").GetString()!,
            s.GetProperty("pos_file_text").GetString()!,
            s.GetProperty("pos_entries").EnumerateArray().Select(e => new ExpectedEntry(
                e.GetProperty("path").GetString()!, e.GetProperty("pos").GetUInt64(), e.GetProperty("inode").GetUInt64(),
                e.GetProperty("unwatched").GetBoolean())).ToArray())).ToList();
    }

    public static TheoryData<int> StepNumbers()
    {
        var data = new TheoryData<int>();
        foreach (var s in Steps) data.Add(s.Number);
        return data;
    }

    private static Step StepOf(int number) => Steps.Single(s => s.Number == number);

    /// <summary>Copies a corpus step's pos file into the temp dir (the corpus is read-only) and returns the copy's path.</summary>
    private string CopyOfStep(int number)
    {
        var target = Path.Combine(_dir, $"step{number}.pos");
        File.Copy(CorpusPath(StepOf(number).File), target);
        return target;
    }

    private string WriteFile(string text)
    {
        var path = Path.Combine(_dir, "test.pos");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    private PositionFile Open(string path, bool followInodes = false)
    {
        var file = new PositionFile(path, followInodes, logger: _logger);
        file.Load();
        return file;
    }

    private static ExpectedEntry[] Actual(PositionFile file) =>
        file.Entries.Select(e => new ExpectedEntry(e.Path, e.Offset, e.Inode, e.IsUnwatched)).ToArray();

    private IEnumerable<string> Warnings => _logs.Lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message);

    [Fact]
    public void The_corpus_describes_six_steps_ending_with_an_unwatched_entry()
    {
        Assert.Equal(6, Steps.Count);
        Assert.Contains(Steps, s => s.Entries.Any(e => e.Unwatched));
    }

    [Theory]
    [MemberData(nameof(StepNumbers))]
    public void Each_corpus_step_loads_to_the_entries_the_json_lists(int number)
    {
        var step = StepOf(number);
        Assert.Equal(step.Text, File.ReadAllText(CorpusPath(step.File)));
        using var file = Open(CopyOfStep(number));

        Assert.Equal(step.Entries, Actual(file));
        Assert.Empty(Warnings);
    }

    [Theory]
    [MemberData(nameof(StepNumbers))]
    public void Loading_a_corpus_step_leaves_the_file_unchanged(int number)
    {
        var path = CopyOfStep(number);
        using (Open(path)) { }
        Assert.Equal(File.ReadAllBytes(CorpusPath(StepOf(number).File)), File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(1, 2)] // appends: both offsets move on
    [InlineData(2, 3)] // rotation: a.log's line gets the new inode and offset, as FilePositionEntry#update writes both
    [InlineData(3, 4)] // rotate_wait expiring changes nothing
    public void Updating_in_place_to_the_next_steps_positions_gives_fluentds_bytes(int from, int to)
    {
        var path = CopyOfStep(from);
        using (var file = Open(path))
        {
            foreach (var e in StepOf(to).Entries)
                file.Update(file.Get(e.Path)!, e.Offset, e.Inode);
        }

        Assert.Equal(File.ReadAllBytes(CorpusPath(StepOf(to).File)), File.ReadAllBytes(path));
    }

    [Fact]
    public void An_update_overwrites_the_fields_in_place_without_rewriting_the_file()
    {
        var path = CopyOfStep(1);
        using var file = Open(path);
        // A reader holding the file open keeps seeing the same file: a rewrite through rename would leave it on the old one.
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

        var a = file.Get(StepOf(2).Entries[0].Path)!;
        foreach (var step in new[] { 2, 3 })
        {
            file.Update(a, StepOf(step).Entries[0].Offset, StepOf(step).Entries[0].Inode);

            var seen = new byte[reader.Length];
            reader.Position = 0;
            reader.ReadExactly(seen);
            Assert.StartsWith(StepOf(step).Text.Split('\n')[0] + "\n", Encoding.UTF8.GetString(seen));
            Assert.Equal(StepOf(1).Text.Length, seen.Length);
        }
    }

    [Fact]
    public void Marking_a_deleted_file_unwatched_gives_fluentds_bytes_and_forgets_the_entry()
    {
        var path = CopyOfStep(4);
        var deleted = StepOf(5).Entries.Single(e => e.Unwatched);
        using (var file = Open(path))
        {
            var entry = file.Get(deleted.Path)!;
            file.MarkUnwatched(entry);

            Assert.True(entry.IsUnwatched);
            Assert.Null(file.Get(deleted.Path)); // position_file.rb unwatch: @map.delete
        }

        Assert.Equal(File.ReadAllBytes(CorpusPath(StepOf(5).File)), File.ReadAllBytes(path));
    }

    [Fact]
    public void An_unwatched_entry_is_listed_but_not_returned_by_get()
    {
        using var file = Open(CopyOfStep(6));
        var unwatched = StepOf(6).Entries.Single(e => e.Unwatched);

        Assert.Contains(file.Entries, e => e.Path == unwatched.Path && e.IsUnwatched);
        Assert.Null(file.Get(unwatched.Path));
    }

    [Fact]
    public void Compaction_drops_unwatched_entries_and_keeps_the_rest_updatable()
    {
        var path = CopyOfStep(6);
        var watched = StepOf(6).Entries.Where(e => !e.Unwatched).ToArray();
        var expectedText = string.Concat(StepOf(6).Text.Split('\n').Where(l => l.Length > 0 && !l.Contains("\tffffffffffffffff\t")).Select(l => l + "\n"));
        using var file = Open(path);

        file.Compact();

        Assert.Equal(expectedText, File.ReadAllText(path));
        Assert.Equal(watched, Actual(file));
        var a = file.Get(watched[0].Path)!;
        file.Update(a, 0x1234, 0xabcdef);
        Assert.Equal($"{watched[0].Path}\t0000000000001234\t0000000000abcdef\n", File.ReadAllText(path));
        using var reloaded = Open(path);
        Assert.Equal(new[] { new ExpectedEntry(watched[0].Path, 0x1234, 0xabcdef, false) }, Actual(reloaded));
    }

    [Fact]
    public void A_dropped_entry_cannot_be_updated_after_compaction()
    {
        using var file = Open(CopyOfStep(6));
        var unwatched = file.Entries.Single(e => e.IsUnwatched);
        file.Compact();

        Assert.Throws<InvalidOperationException>(() => file.Update(unwatched, 1, 1));
    }

    [Fact]
    public void Malformed_lines_are_skipped_with_a_warning_naming_the_line()
    {
        var path = WriteFile(
            "/var/log/a.log\t0000000000000064\t0000000000b20422\n" +
            "this line has no tabs\n" +
            "/var/log/x.log\tnot-hex\t0000000000000001\n" +
            "\n" +
            "/var/log/b.log\t0000000000000032\t0000000000b20423\n");
        using var file = Open(path);

        Assert.Equal(new[]
        {
            new ExpectedEntry("/var/log/a.log", 100, 0xb20422, false),
            new ExpectedEntry("/var/log/b.log", 50, 0xb20423, false),
        }, Actual(file));
        var warnings = Warnings.ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Contains("line 2", warnings[0]);
        Assert.Contains("line 3", warnings[1]);
        Assert.Contains("line 4", warnings[2]);
    }

    [Fact]
    public void Writing_after_loading_malformed_lines_compacts_them_away_first()
    {
        var path = WriteFile("garbage\n/var/log/a.log\t0000000000000064\t0000000000b20422\n");
        using var file = Open(path);

        file.Update(file.Get("/var/log/a.log")!, 200, 0xb20422);

        Assert.Equal("/var/log/a.log\t00000000000000c8\t0000000000b20422\n", File.ReadAllText(path));
    }

    [Fact]
    public void An_empty_file_loads_to_no_entries_and_takes_new_ones_in_fluentds_format()
    {
        var path = WriteFile("");
        using var file = Open(path);
        Assert.Empty(file.Entries);

        var entry = file.GetOrAdd("/var/log/new.log", 0xb2046a);
        file.Update(entry, 44, 0xb2046a);

        Assert.Equal("/var/log/new.log\t000000000000002c\t0000000000b2046a\n", File.ReadAllText(path));
        Assert.Same(entry, file.GetOrAdd("/var/log/new.log", 0xb2046a));
        Assert.Empty(Warnings);
    }

    [Fact]
    public void A_missing_file_is_created()
    {
        var path = Path.Combine(_dir, "sub-missing.pos");
        using var file = Open(path);

        Assert.True(File.Exists(path));
        Assert.Empty(file.Entries);
    }

    [Fact]
    public void A_file_without_a_trailing_newline_loads_its_last_line_and_is_fixed_before_appending()
    {
        var path = WriteFile("/var/log/a.log\t0000000000000064\t0000000000b20422");
        using var file = Open(path);
        Assert.Equal(new[] { new ExpectedEntry("/var/log/a.log", 100, 0xb20422, false) }, Actual(file));

        file.GetOrAdd("/var/log/b.log", 7);

        Assert.Equal(
            "/var/log/a.log\t0000000000000064\t0000000000b20422\n" +
            "/var/log/b.log\t0000000000000000\t0000000000000007\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("/var/log/b.lo")]                 // cut inside the path
    [InlineData("/var/log/b.log\t")]              // cut after the path
    [InlineData("/var/log/b.log\t00000000000000")] // cut inside the offset
    [InlineData("/var/log/b.log\t0000000000000032\t")] // cut before the inode
    public void A_truncated_last_line_is_skipped_and_the_lines_before_it_load(string truncated)
    {
        var path = WriteFile("/var/log/a.log\t0000000000000064\t0000000000b20422\n" + truncated);
        using var file = Open(path);

        Assert.Equal(new[] { new ExpectedEntry("/var/log/a.log", 100, 0xb20422, false) }, Actual(file));
        Assert.Contains("line 2", Assert.Single(Warnings));
    }

    [Fact]
    public void Short_hex_fields_are_accepted_as_fluentds_regex_accepts_them_and_widened_on_write()
    {
        // position_file.rb's POSITION_FILE_ENTRY_REGEX takes any number of hex digits; fluentd's own test
        // (test/plugin/in_tail/test_position_file.rb) has "inode23bit\t0000000000000000\t00000000".
        var path = WriteFile("inode23bit\t0000000000000000\t00000000\n/var/log/a.log\t64\tb20422\n");
        using var file = Open(path);
        Assert.Equal(new[]
        {
            new ExpectedEntry("inode23bit", 0, 0, false),
            new ExpectedEntry("/var/log/a.log", 100, 0xb20422, false),
        }, Actual(file));

        file.Update(file.Get("/var/log/a.log")!, 101, 0xb20422);

        Assert.Equal(
            "inode23bit\t0000000000000000\t0000000000000000\n" +
            "/var/log/a.log\t0000000000000065\t0000000000b20422\n", File.ReadAllText(path));
    }

    [Fact]
    public void For_a_duplicated_path_the_last_line_wins_in_the_first_lines_place()
    {
        // fetch_compacted_entries fills a Ruby Hash keyed by path: a later line replaces the value, the key keeps its place.
        var path = WriteFile(
            "/var/log/a.log\t0000000000000001\t0000000000000001\n" +
            "/var/log/b.log\t0000000000000002\t0000000000000002\n" +
            "/var/log/a.log\t0000000000000003\t0000000000000003\n");
        using var file = Open(path);

        Assert.Equal(new[]
        {
            new ExpectedEntry("/var/log/a.log", 3, 3, false),
            new ExpectedEntry("/var/log/b.log", 2, 2, false),
        }, Actual(file));
        Assert.Contains("/var/log/a.log already exists", Assert.Single(Warnings));

        file.Compact();
        Assert.Equal(
            "/var/log/a.log\t0000000000000003\t0000000000000003\n" +
            "/var/log/b.log\t0000000000000002\t0000000000000002\n", File.ReadAllText(path));
    }

    [Fact]
    public void An_unwatched_line_does_not_displace_a_watched_entry_for_the_same_path()
    {
        // fetch_compacted_entries skips UNWATCHED_POSITION lines before looking at the key.
        var path = WriteFile(
            "/var/log/a.log\t0000000000000005\t0000000000000001\n" +
            "/var/log/a.log\tffffffffffffffff\t0000000000000001\n");
        using var file = Open(path);

        Assert.Equal(new[] { new ExpectedEntry("/var/log/a.log", 5, 1, false) }, Actual(file));
    }

    [Fact]
    public void A_path_unwatched_then_watched_again_resumes_from_the_new_line()
    {
        var path = WriteFile(
            "/var/log/a.log\tffffffffffffffff\t0000000000000001\n" +
            "/var/log/a.log\t0000000000000009\t0000000000000002\n");
        using var file = Open(path);

        Assert.Equal(new ExpectedEntry("/var/log/a.log", 9, 2, false), Actual(file).Single());
        Assert.Equal(9UL, file.Get("/var/log/a.log")!.Offset);
    }

    [Fact]
    public void With_follow_inodes_entries_are_found_by_inode()
    {
        var step = StepOf(3);
        using var file = Open(CopyOfStep(3), followInodes: true);

        foreach (var e in step.Entries)
        {
            var entry = file.Get(e.Inode)!;
            Assert.Equal(e.Path, entry.Path);
            Assert.Equal(e.Offset, entry.Offset);
        }
        Assert.Null(file.Get(StepOf(1).Entries[0].Inode)); // the rotated-away a.log inode is no longer in the file
        Assert.Throws<InvalidOperationException>(() => file.Get(step.Entries[0].Path));
    }

    [Fact]
    public void With_follow_inodes_a_rotated_file_gets_its_own_line()
    {
        // follow_inodes keys @map by inode, so the new a.log (new inode) is appended next to the old one's line.
        var path = CopyOfStep(2);
        var oldA = StepOf(2).Entries[0];
        var newA = StepOf(3).Entries[0];
        using (var file = Open(path, followInodes: true))
        {
            var entry = file.GetOrAdd(newA.Path, newA.Inode);
            file.Update(entry, newA.Offset, newA.Inode);
            file.MarkUnwatched(file.Get(oldA.Inode)!);
        }

        using var reloaded = Open(path, followInodes: true);
        Assert.Equal(new[]
        {
            new ExpectedEntry(oldA.Path, PositionFile.UnwatchedPosition, oldA.Inode, true),
            StepOf(2).Entries[1],
            new ExpectedEntry(newA.Path, newA.Offset, newA.Inode, false),
        }, Actual(reloaded));
    }

    [Fact]
    public void Concurrent_updates_of_different_entries_all_land()
    {
        var path = WriteFile("");
        using var file = new PositionFile(path, fsync: true, logger: _logger);
        file.Load();
        var entries = Enumerable.Range(0, 16).Select(i => file.GetOrAdd($"/var/log/f{i}.log", (ulong)i + 1)).ToArray();

        Parallel.For(0, entries.Length, i =>
        {
            for (ulong n = 1; n <= 200; n++) file.Update(entries[i], n * 10 + (ulong)i, (ulong)i + 1);
        });

        using var reloaded = Open(path);
        Assert.Equal(
            Enumerable.Range(0, 16).Select(i => new ExpectedEntry($"/var/log/f{i}.log", 2000 + (ulong)i, (ulong)i + 1, false)),
            Actual(reloaded));
        Assert.Equal(16 * (15 + 1 + 33 + 1) + 6 * 1, new FileInfo(path).Length);
    }
}
