using System.Text;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Tail;

/// <summary>What becomes of the bytes of a line: partial lines, long lines, CRLF, encodings, path_key, tags.</summary>
public class TailLineTests
{
    private const string NoneSource = """
        path {dir}/app.log
        pos_file {dir}/app.pos
        tag app
        read_from_head true
        <parse>
          @type none
        </parse>
        """;

    [Fact]
    public async Task Reads_existing_lines_from_head_and_follows_appends_on_the_bytes_only_path()
    {
        await using var h = await TailHarness.StartAsync(NoneSource, WithFile("app.log", "one\ntwo\n"));
        await h.WaitForCount(2);
        File.AppendAllText(h.File("app.log"), "three\nfour\n");
        await h.WaitForCount(4);
        Assert.Equal(new[] { "one", "two", "three", "four" }, h.Messages());
        Assert.True(h.Input.UsesRawLinePath);
        Assert.All(h.Output.Events, e => Assert.Equal("app", e.Tag));
    }

    [Fact]
    public async Task An_unterminated_last_line_is_held_until_its_newline_arrives()
    {
        await using var h = await TailHarness.StartAsync(NoneSource, WithFile("app.log", "first\nsec"));
        await h.WaitForCount(1);
        File.AppendAllText(h.File("app.log"), "ond half\nthird\n");
        await h.WaitForCount(3);
        Assert.Equal(new[] { "first", "second half", "third" }, h.Messages());
    }

    [Fact]
    public async Task An_unterminated_last_line_is_emitted_at_shutdown_and_the_pos_file_passes_it()
    {
        var h = await TailHarness.StartAsync(NoneSource, WithFile("app.log", "first\nno newline"));
        await h.WaitForCount(1);
        Assert.Single(h.Messages());
        await h.StopAsync();
        Assert.Equal(new[] { "first", "no newline" }, h.Messages());
        var pos = File.ReadAllText(h.File("app.pos"));
        Assert.Contains($"\t{new FileInfo(h.File("app.log")).Length:x16}\t", pos);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Lines_longer_than_max_line_size_are_skipped_with_one_warning_and_the_reader_stays_aligned()
    {
        var longLine = new string('x', 5000);
        await using var h = await TailHarness.StartAsync(NoneSource + "\nmax_line_size 1k",
            WithFile("app.log", $"before\n{longLine}\nafter\n"));
        await h.WaitForCount(2);
        // A long line arriving in pieces is skipped too, and the line after it is whole.
        File.AppendAllText(h.File("app.log"), new string('y', 3000));
        File.AppendAllText(h.File("app.log"), new string('y', 3000) + "\nlast\n");
        await h.WaitForCount(3);
        Assert.Equal(new[] { "before", "after", "last" }, h.Messages());
        Assert.Contains(h.Logs.Lines, l => l.Message.Contains("max_line_size"));
    }

    [Fact]
    public async Task Crlf_line_endings_are_chomped()
    {
        await using var h = await TailHarness.StartAsync(NoneSource, WithFile("app.log", "a\r\nb\r\n"));
        await h.WaitForCount(2);
        Assert.Equal(new[] { "a", "b" }, h.Messages());
    }

    [Fact]
    public async Task Invalid_utf8_is_kept_on_the_raw_path_and_replaced_when_parsed()
    {
        var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("app.log"), new byte[] { (byte)'o', (byte)'k', 0xff, 0xfe, (byte)'!', (byte)'\n' });
        File.WriteAllBytes(dir.File("json.log"), Encoding.UTF8.GetBytes("{\"m\":\"ok").Concat(new byte[] { 0xc3 }).Concat(Encoding.UTF8.GetBytes("\"}\n")).ToArray());
        await using var raw = await TailHarness.StartAsync(NoneSource, dir);
        await raw.WaitForCount(1);
        // The record's string holds the file's bytes; decoding them shows the invalid ones replaced, not a crash.
        Assert.Equal("ok\uFFFD\uFFFD!", raw.Messages()[0]);
        await raw.StopAsync();

        await using var parsed = await TailHarness.StartAsync("""
            path {dir}/json.log
            tag j
            read_from_head true
            <parse>
              @type json
            </parse>
            """, dir);
        await parsed.WaitForCount(1);
        Assert.Equal("ok\uFFFD", parsed.Messages("m")[0]);
    }

    [Fact]
    public async Task From_encoding_converts_the_file_to_utf8()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("app.log"), Encoding.GetEncoding("ISO-8859-1").GetBytes("café crème\n")
            .Concat(Encoding.GetEncoding("shift_jis").GetBytes("")).ToArray());
        File.WriteAllBytes(dir.File("sjis.log"), Encoding.GetEncoding("shift_jis").GetBytes("ログ\n"));
        await using var h = await TailHarness.StartAsync("""
            path {dir}/app.log
            tag app
            read_from_head true
            from_encoding ISO-8859-1
            encoding utf-8
            <parse>
              @type none
            </parse>
            """, dir);
        await h.WaitForCount(1);
        Assert.Equal("café crème", h.Messages()[0]);
        await h.StopAsync();
        await using var sjis = await TailHarness.StartAsync("""
            path {dir}/sjis.log
            tag app
            read_from_head true
            from_encoding Shift_JIS
            encoding UTF-8
            <parse>
              @type none
            </parse>
            """, dir);
        await sjis.WaitForCount(1);
        Assert.Equal("ログ", sjis.Messages()[0]);
    }

    [Fact]
    public async Task Path_key_adds_the_path_and_a_star_in_the_tag_expands_to_the_path()
    {
        var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("nginx"));
        File.WriteAllText(dir.File("nginx/access.log"), "GET /\n");
        await using var h = await TailHarness.StartAsync("""
            path {dir}/nginx/*.log
            tag web.*
            path_key file
            read_from_head true
            <parse>
              @type none
            </parse>
            """, dir);
        await h.WaitForCount(1);
        var e = h.Output.Events.Single();
        Assert.Equal("web." + dir.Path.TrimStart('/').Replace('/', '.') + ".nginx.access.log", e.Tag);
        Assert.Equal(dir.File("nginx/access.log"), e.Record["file"]);
        Assert.Equal("GET /", e.Record["message"]);
    }

    [Fact]
    public async Task Without_read_from_head_a_file_found_at_startup_is_read_from_its_end()
    {
        await using var h = await TailHarness.StartAsync("""
            path {dir}/app.log
            tag app
            <parse>
              @type none
            </parse>
            """, WithFile("app.log", "old line\n"));
        await Eventually.True(() => h.Input.Followers.Count == 1, TimeSpan.FromSeconds(10), () => "no follower");
        File.AppendAllText(h.File("app.log"), "new line\n");
        await h.WaitForCount(1);
        Assert.Equal(new[] { "new line" }, h.Messages());
    }

    [Fact]
    public async Task Read_lines_limit_splits_emits_into_batches_without_losing_lines()
    {
        var text = string.Concat(Enumerable.Range(1, 2500).Select(i => $"line {i}\n"));
        await using var h = await TailHarness.StartAsync(NoneSource + "\nread_lines_limit 100", WithFile("app.log", text));
        await h.WaitForCount(2500);
        Assert.Equal(Enumerable.Range(1, 2500).Select(i => $"line {i}"), h.Messages());
    }

    [Fact]
    public async Task Read_bytes_limit_per_second_paces_reading()
    {
        var text = string.Concat(Enumerable.Range(1, 2000).Select(i => $"{i:D9}\n")); // 20,000 bytes
        await using var h = await TailHarness.StartAsync(NoneSource + "\nread_bytes_limit_per_second 8192", WithFile("app.log", text));
        // 8 KiB a second: after the first second fewer than all 2,000 lines can have arrived.
        await h.WaitForCount(1);
        Assert.True(h.Output.Events.Count < 2000, $"{h.Output.Events.Count} lines read at once despite the limit");
        await h.WaitForCount(2000, seconds: 20);
        Assert.Equal(2000, h.Messages().Distinct().Count());
    }

    [Fact]
    public async Task Open_on_every_update_follows_the_file_without_keeping_it_open()
    {
        await using var h = await TailHarness.StartAsync(NoneSource + "\nopen_on_every_update true\nenable_stat_watcher false", WithFile("app.log", "a\n"));
        await h.WaitForCount(1);
        Assert.False(h.Input.Followers.Single().Files.Single().IsOpen);
        File.AppendAllText(h.File("app.log"), "b\n");
        await h.WaitForCount(2);
        Assert.Equal(new[] { "a", "b" }, h.Messages());
    }

    [Fact]
    public async Task Skip_refresh_on_startup_leaves_files_alone_until_the_first_refresh()
    {
        await using var h = await TailHarness.StartAsync(NoneSource.Replace("app.log", "*.log") + "\nskip_refresh_on_startup true\nrefresh_interval 1",
            WithFile("app.log", "a\n"));
        Assert.Empty(h.Input.Followers);
        await h.WaitForCount(1);
        Assert.Equal(new[] { "a" }, h.Messages());
    }

    internal static TempDirectory WithFile(string name, string content)
    {
        var dir = new TempDirectory();
        File.WriteAllText(dir.File(name), content);
        return dir;
    }
}
