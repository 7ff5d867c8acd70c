using LogAgent.Core.Plugins.Inputs.Tail;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Tail;

/// <summary>Files changing under a watched path while the agent runs, and while it is stopped.</summary>
public class TailRotationTests
{
    private const string Source = """
        path {dir}/app.log
        pos_file {dir}/app.pos
        tag app
        read_from_head true
        rotate_wait 1
        <parse>
          @type none
        </parse>
        """;

    private static IEnumerable<string> Lines(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => $"line {i}");

    private static void Append(string path, int from, int to) =>
        File.AppendAllText(path, string.Concat(Lines(from, to).Select(l => l + "\n")));

    [Fact]
    public async Task Rename_and_create_reads_the_rest_of_the_old_file_and_all_of_the_new()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 100);
        await using var h = await TailHarness.StartAsync(Source, dir);
        await h.WaitForCount(100);
        // The app still writes to its open file after the rename, then reopens (logrotate's create + postrotate).
        using (var stillOpen = new StreamWriter(h.File("app.log"), append: true))
        {
            File.Move(h.File("app.log"), h.File("app.log.1"));
            stillOpen.Write(string.Concat(Lines(101, 150).Select(l => l + "\n")));
        }
        Append(h.File("app.log"), 151, 200);
        await h.WaitForCount(200);
        Assert.Equal(Lines(1, 200).Order(), h.Messages().Order());
        // Once rotate_wait is over, the old file is closed and the pos entry describes the new file.
        await Eventually.True(() => h.Input.Followers.Single().Files.Count == 1, TimeSpan.FromSeconds(10), () => "old file still open");
        var inode = FileStatus.Of(h.File("app.log"))!.Value.Inode;
        await Eventually.True(() => File.ReadAllText(h.File("app.pos")).Contains($"{new FileInfo(h.File("app.log")).Length:x16}\t{inode:x16}"),
            TimeSpan.FromSeconds(10), () => File.ReadAllText(h.File("app.pos")));
    }

    [Fact]
    public async Task Copytruncate_reads_what_was_unread_from_the_copy_and_the_truncated_file_from_its_start()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 100);
        await using var h = await TailHarness.StartAsync(Source, dir);
        await h.WaitForCount(100);
        // Lines the agent may not have read yet, then logrotate's copy and truncate, then new lines.
        Append(h.File("app.log"), 101, 120);
        File.Copy(h.File("app.log"), h.File("app.log.1"));
        using (var f = new FileStream(h.File("app.log"), FileMode.Open, FileAccess.Write)) f.SetLength(0);
        Append(h.File("app.log"), 121, 130);
        await h.WaitForCount(130);
        await Task.Delay(300); // no duplicates may follow
        Assert.Equal(Lines(1, 130).Order(), h.Messages().Order());
    }

    [Fact]
    public async Task A_truncated_file_that_regrows_past_the_old_offset_is_still_seen_as_truncated()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 10);
        await using var h = await TailHarness.StartAsync(Source + "\nenable_stat_watcher false", dir);
        await h.WaitForCount(10);
        // Truncate and write more than before between two checks: the size alone would look like growth.
        var bigger = string.Concat(Enumerable.Range(1, 30).Select(i => $"new {i}\n"));
        File.WriteAllText(h.File("app.log"), bigger);
        await h.WaitForCount(40);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"new {i}"), h.Messages().Skip(10));
    }

    [Fact]
    public async Task A_file_deleted_while_open_is_read_to_its_end_then_closed_and_a_new_one_followed()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 10);
        await using var h = await TailHarness.StartAsync(Source, dir);
        await h.WaitForCount(10);
        using (var stillOpen = new StreamWriter(h.File("app.log"), append: true))
        {
            File.Delete(h.File("app.log"));
            stillOpen.Write(string.Concat(Lines(11, 20).Select(l => l + "\n")));
        }
        await h.WaitForCount(20);
        await Eventually.True(() => h.Input.Followers.Single().Files.Count == 0, TimeSpan.FromSeconds(10), () => "deleted file still open");
        Append(h.File("app.log"), 21, 25);
        await h.WaitForCount(25);
        Assert.Equal(Lines(1, 25), h.Messages());
    }

    [Fact]
    public async Task A_symlinked_path_whose_target_changes_follows_the_new_target()
    {
        var dir = new TempDirectory();
        Append(dir.File("v1.log"), 1, 10);
        File.CreateSymbolicLink(dir.File("app.log"), dir.File("v1.log"));
        await using var h = await TailHarness.StartAsync(Source, dir);
        await h.WaitForCount(10);
        Append(dir.File("v2.log"), 11, 20);
        File.Move(CreateLink(dir, "next", "v2.log"), dir.File("app.log"), overwrite: true); // an atomic retarget
        await h.WaitForCount(20);
        Append(dir.File("v2.log"), 21, 22);
        await h.WaitForCount(22);
        Assert.Equal(Lines(1, 22), h.Messages());
    }

    private static string CreateLink(TempDirectory dir, string name, string target)
    {
        File.CreateSymbolicLink(dir.File(name), dir.File(target));
        return dir.File(name);
    }

    [Fact]
    public async Task Lines_written_while_stopped_are_read_at_restart_from_the_saved_offset_exactly_once()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 50);
        var first = await TailHarness.StartAsync(Source, dir);
        await first.WaitForCount(50);
        await first.StopAsync();
        Append(dir.File("app.log"), 51, 80);
        await using var second = await TailHarness.StartAsync(Source, dir);
        await second.WaitForCount(30);
        await Task.Delay(300);
        Assert.Equal(Lines(51, 80), second.Messages());
    }

    [Fact]
    public async Task Files_rotated_while_stopped_are_found_by_inode_and_read_in_order_before_the_new_file()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 50);
        var first = await TailHarness.StartAsync(Source, dir);
        await first.WaitForCount(50);
        await first.StopAsync();
        // While stopped: more lines, two rotations (logrotate's numbering shifts names), a new file.
        Append(dir.File("app.log"), 51, 60);
        File.Move(dir.File("app.log"), dir.File("app.log.1"));
        Append(dir.File("app.log"), 61, 70);
        File.Move(dir.File("app.log.1"), dir.File("app.log.2"));
        File.Move(dir.File("app.log"), dir.File("app.log.1"));
        Append(dir.File("app.log"), 71, 80);
        await using var second = await TailHarness.StartAsync(Source, dir);
        await second.WaitForCount(30);
        await Task.Delay(300);
        // fluentd would read only 71..80: the rest of the old file and the whole middle one are lost there.
        Assert.Equal(Lines(51, 80), second.Messages());
    }

    [Fact]
    public async Task A_restart_while_a_rotated_file_is_still_read_resumes_every_file_where_it_was()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 100);
        var source = Source.Replace("rotate_wait 1", "rotate_wait 30");
        var first = await TailHarness.StartAsync(source, dir);
        await first.WaitForCount(100);
        File.Move(dir.File("app.log"), dir.File("app.log.1"));
        Append(dir.File("app.log"), 101, 150);
        await first.WaitForCount(150);
        // Within rotate_wait the old file is still open; its position has an entry of its own and the path's entry
        // follows the new file.
        await Eventually.True(() => File.ReadAllText(dir.File("app.pos")).Contains(".logagent-rotated-"), TimeSpan.FromSeconds(10),
            () => File.ReadAllText(dir.File("app.pos")));
        await first.StopAsync();
        Append(dir.File("app.log.1"), 151, 160); // the application had not reopened yet
        Append(dir.File("app.log"), 161, 170);
        await using var second = await TailHarness.StartAsync(source, dir);
        await second.WaitForCount(20);
        await Task.Delay(500);
        // Nothing read before the restart is read again, and the late lines of the rotated file are not lost.
        Assert.Equal(Lines(151, 170), second.Messages().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Fingerprints_of_files_no_longer_followed_are_dropped()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 10);
        var oldInode = FileStatus.Of(dir.File("app.log"))!.Value.Inode;
        await using var h = await TailHarness.StartAsync(Source + "\nrefresh_interval 1", dir);
        await h.WaitForCount(10);
        Assert.Contains($"{oldInode:x16}\t", File.ReadAllText(dir.File("app.pos.fingerprints")));
        File.Move(dir.File("app.log"), dir.File("app.log.1"));
        Append(dir.File("app.log"), 11, 20);
        await h.WaitForCount(20);
        await Eventually.True(() => !File.ReadAllText(dir.File("app.pos.fingerprints")).Contains($"{oldInode:x16}\t"),
            TimeSpan.FromSeconds(10), () => File.ReadAllText(dir.File("app.pos.fingerprints")));
    }

    [Fact]
    public async Task A_pos_file_kept_beside_the_log_is_never_taken_for_a_rotated_log()
    {
        var dir = new TempDirectory();
        var source = Source.Replace("{dir}/app.pos", "{dir}/app.log.pos");
        Append(dir.File("app.log"), 1, 20);
        var first = await TailHarness.StartAsync(source, dir);
        await first.WaitForCount(20);
        await first.StopAsync();
        File.Move(dir.File("app.log"), dir.File("app.log.1"));
        Append(dir.File("app.log"), 21, 30);
        await using var second = await TailHarness.StartAsync(source, dir);
        await second.WaitForCount(10);
        await Task.Delay(300);
        Assert.Equal(Lines(21, 30), second.Messages());
    }

    [Fact]
    public async Task A_reused_inode_holding_another_file_is_read_from_its_start_not_from_the_stale_offset()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 50);
        var first = await TailHarness.StartAsync(Source, dir);
        await first.WaitForCount(50);
        await first.StopAsync();
        // The file is replaced while stopped. Whether the filesystem hands out the same inode again is up to it, so
        // the test makes it so: the new file's inode is written into the pos entry as if it had been reused.
        File.Delete(dir.File("app.log"));
        File.WriteAllText(dir.File("app.log"), string.Concat(Enumerable.Range(1, 80).Select(i => $"other {i}\n")));
        var inode = FileStatus.Of(dir.File("app.log"))!.Value.Inode;
        var pos = File.ReadAllText(dir.File("app.pos")).Split('\t');
        File.WriteAllText(dir.File("app.pos"), $"{pos[0]}\t{pos[1]}\t{inode:x16}\n");
        var fingerprints = File.ReadAllLines(dir.File("app.pos.fingerprints"));
        File.WriteAllText(dir.File("app.pos.fingerprints"), $"{inode:x16}\t{fingerprints[0].Split('\t')[1]}\n");

        await using var second = await TailHarness.StartAsync(Source, dir);
        await second.WaitForCount(80);
        Assert.Equal(Enumerable.Range(1, 80).Select(i => $"other {i}"), second.Messages());
        Assert.Contains(second.Logs.Lines, l => l.Message.Contains("now holds another file"));
    }

    [Fact]
    public async Task A_failed_emit_does_not_advance_the_pos_file_and_the_lines_are_read_again()
    {
        var dir = new TempDirectory();
        Append(dir.File("app.log"), 1, 20);
        var logs = new CapturingLoggerProvider();
        var engine = EngineFixture.Build($"""
            <source>
              @type tail
              {Source.Replace("{dir}", dir.Path)}
            </source>
            <match app>
              @type test_capture
              @id out
              fail true
            </match>
            """, logs);
        await engine.StartAsync(CancellationToken.None);
        await Eventually.True(() => logs.Lines.Any(l => l.Message.Contains("emit from")), TimeSpan.FromSeconds(10), () => "no failed emit");
        await engine.StopAsync();
        Assert.Contains($"\t{0:x16}\t", File.ReadAllText(dir.File("app.pos")));

        await using var h = await TailHarness.StartAsync(Source, dir);
        await h.WaitForCount(20);
        Assert.Equal(Lines(1, 20), h.Messages());
    }
}
