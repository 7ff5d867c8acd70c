using LogAgent.Core.Plugins.Inputs.Tail;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Tail;

/// <summary>Which files a tail source reads: Ruby Dir.glob semantics, exclusions, strftime paths, refreshes.</summary>
public class TailPathTests
{
    private static TempDirectory Tree(params string[] files)
    {
        var dir = new TempDirectory();
        foreach (var f in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir.File(f))!);
            File.WriteAllText(dir.File(f), f + "\n");
        }
        return dir;
    }

    private static IEnumerable<string> Relative(TempDirectory dir, IEnumerable<string> paths) =>
        paths.Select(p => Path.GetRelativePath(dir.Path, p));

    [Theory]
    [InlineData("*.log", "a.log,b.log")]
    [InlineData("?.log", "a.log,b.log")]
    [InlineData("[a].log", "a.log")]
    [InlineData("[!a].log", "b.log")]
    [InlineData("{a,c}.log", "a.log")]
    [InlineData("**/*.log", "a.log,b.log,nginx/access.log,nginx/old/error.log")]
    [InlineData("*/access.log", "nginx/access.log")]
    [InlineData("nginx/**/*.log", "nginx/access.log,nginx/old/error.log")]
    public void Globs_expand_as_ruby_dir_glob_does(string pattern, string expected)
    {
        using var dir = Tree("a.log", "b.log", ".hidden.log", "a.txt", "nginx/access.log", "nginx/old/error.log");
        Assert.Equal(expected.Split(','), Relative(dir, PathGlob.Expand(dir.File(pattern))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_pattern_starting_with_a_dot_matches_hidden_files()
    {
        using var dir = Tree("a.log", ".hidden.log");
        Assert.Equal(new[] { ".hidden.log" }, Relative(dir, PathGlob.Expand(dir.File(".*.log"))));
    }

    private static TailInput Configure(TempDirectory dir, params (string Key, string Value)[] parameters)
    {
        var context = new TestPluginContext();
        var section = TestPluginContext.Section("source", "tail", parameters.Append(("tag", "t")).ToArray());
        section.Add(TestPluginContext.Section("parse", "none"));
        return context.Build<TailInput>(LogAgent.Sdk.Config.PluginKind.Input, section);
    }

    [Fact]
    public void Exclude_path_removes_matches_and_static_paths_are_kept_even_when_missing()
    {
        using var dir = Tree("a.log", "b.log", "b.log.gz", "c.log");
        var input = Configure(dir, ("path", $"{dir.File("*.log*")},{dir.File("missing.log")}"),
            ("exclude_path", $"[\"{dir.File("*.gz")}\", \"{dir.File("c.log")}\"]"));
        var paths = input.ExpandPaths(DateTimeOffset.Now);
        Assert.Equal(new[] { "a.log", "b.log", "missing.log" }, Relative(dir, paths.Select(p => p.Path)).Order());
        Assert.True(paths.Single(p => p.Path.EndsWith("missing.log")).IsStatic);
    }

    [Fact]
    public void Strftime_placeholders_in_path_are_expanded_with_the_current_time()
    {
        using var dir = Tree("app-20261126.log", "app-20261125.log");
        var input = Configure(dir, ("path", dir.File("app-%Y%m%d.log")), ("path_timezone", "+00:00"));
        var paths = input.ExpandPaths(new DateTimeOffset(2026, 11, 26, 23, 0, 0, TimeSpan.Zero));
        Assert.Equal(new[] { "app-20261126.log" }, Relative(dir, paths.Select(p => p.Path)));
    }

    [Fact]
    public void Limit_recently_modified_skips_files_not_written_lately()
    {
        using var dir = Tree("new.log", "old.log");
        File.SetLastWriteTimeUtc(dir.File("old.log"), DateTime.UtcNow.AddHours(-2));
        var input = Configure(dir, ("path", dir.File("*.log")), ("limit_recently_modified", "1h"));
        Assert.Equal(new[] { "new.log" }, Relative(dir, input.ExpandPaths(DateTimeOffset.Now).Select(p => p.Path)));
    }

    [Theory]
    [InlineData("app.*", "/var/log/nginx/access.log", "app.var.log.nginx.access.log")]
    [InlineData("*.raw", "/var//log/a.log", "var.log.a.log.raw")]
    [InlineData("pre.*.post", "rel/path.log", "pre.rel.path.log.post")]
    [InlineData("plain", "/var/log/a.log", "plain")]
    public void A_star_in_the_tag_becomes_the_path_as_fluentd_writes_it(string tag, string path, string expected)
    {
        using var dir = new TempDirectory();
        var context = new TestPluginContext();
        var section = TestPluginContext.Section("source", "tail", ("path", dir.File("x.log")), ("tag", tag));
        section.Add(TestPluginContext.Section("parse", "none"));
        var input = context.Build<TailInput>(LogAgent.Sdk.Config.PluginKind.Input, section);
        Assert.Equal(expected, input.TagFor(path));
    }

    [Theory]
    [InlineData("enable_watch_timer false\nenable_stat_watcher false", "enable_watch_timer or enable_stat_watcher")]
    [InlineData("follow_inodes true", "Can't follow inodes without pos_file")]
    [InlineData("from_encoding Shift_JIS", "encoding parameter must be specified")]
    [InlineData("encoding no-such-encoding", "unknown encoding name")]
    public void Contradictory_settings_are_refused_with_fluentds_messages(string extra, string message)
    {
        using var dir = new TempDirectory();
        var context = new TestPluginContext();
        var parameters = extra.Split('\n').Select(l => (l.Split(' ')[0], l.Split(' ')[1])).Append(("path", dir.File("x.log"))).Append(("tag", "t")).ToArray();
        var section = TestPluginContext.Section("source", "tail", parameters);
        section.Add(TestPluginContext.Section("parse", "none"));
        var e = Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() => context.Build<TailInput>(LogAgent.Sdk.Config.PluginKind.Input, section));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task Follow_inodes_does_not_read_a_rotated_file_again_when_the_glob_matches_its_new_name()
    {
        using var dir = Tree();
        File.WriteAllText(dir.File("app.log"), "one\ntwo\n");
        await using var h = await TailHarness.StartAsync("""
            path {dir}/app.log*
            pos_file {dir}/app.pos
            follow_inodes true
            tag app
            read_from_head true
            rotate_wait 1
            refresh_interval 1
            <parse>
              @type none
            </parse>
            """, dir);
        await h.WaitForCount(2);
        File.Move(dir.File("app.log"), dir.File("app.log.1"));
        File.AppendAllText(dir.File("app.log.1"), "three\n");
        File.WriteAllText(dir.File("app.log"), "four\n");
        await h.WaitForCount(4);
        await Task.Delay(2500); // two refreshes: app.log.1 must not be read again from its start
        Assert.Equal(new[] { "four", "one", "three", "two" }, h.Messages().Order());
    }

    [Fact]
    public async Task Pos_file_compaction_drops_unwatched_entries_while_running()
    {
        using var dir = Tree("a.log", "b.log");
        await using var h = await TailHarness.StartAsync("""
            path {dir}/*.log
            pos_file {dir}/app.pos
            pos_file_compaction_interval 1s
            tag app
            read_from_head true
            rotate_wait 0
            <parse>
              @type none
            </parse>
            """, dir);
        await h.WaitForCount(2);
        File.Delete(dir.File("b.log"));
        // fluentd marks the entry unwatched (ffff…) and a later compaction removes the line.
        await Eventually.True(() => File.ReadAllLines(dir.File("app.pos")) is { Length: 1 } lines && lines[0].StartsWith(dir.File("a.log")),
            TimeSpan.FromSeconds(10), () => File.ReadAllText(dir.File("app.pos")));
    }
}
