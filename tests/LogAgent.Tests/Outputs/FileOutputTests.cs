using System.IO.Compression;
using System.Text;
using LogAgent.Core.Plugins.Outputs;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Outputs;

public sealed class FileOutputTests : IDisposable
{
    // Noon UTC, so the local date is the same in every zone from -11:00 to +11:00 (path dates use local time).
    private static readonly EventTime March15 = new(1710504000, 0);     // 2024-03-15T12:00:00Z
    private static readonly EventTime March16 = new(1710504000 + 86400, 0);

    private readonly string _dir = Directory.CreateTempSubdirectory("logagent-file-output-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private FileOutput Build(params (string Key, string Value)[] parameters) =>
        new TestPluginContext().Build<FileOutput>(PluginKind.Output, "file", parameters);

    private static EventStream Stream(string tag, params (EventTime Time, Record Record)[] events)
    {
        var builder = new EventStreamBuilder(tag);
        foreach (var (time, record) in events) builder.Add(time, record);
        return builder.Build();
    }

    [Fact]
    public async Task Writes_out_file_lines_to_a_path_resolved_from_tag_and_event_time()
    {
        var output = Build(("path", Path.Combine(_dir, "${tag}", "access.%Y%m%d")), ("utc", "true"));
        await BufferHarness.Write(output, "tag,time", Stream("web.access",
            (March15, new Record { ["a"] = 1L }),
            (March16, new Record { ["b"] = "x" }),
            (March15, new Record { ["c"] = true })));
        await BufferHarness.Write(output, "tag,time", Stream("web.access", (March15, new Record { ["d"] = null })));
        await output.ShutdownAsync(CancellationToken.None);

        var day1 = Path.Combine(_dir, "web.access", "access.20240315.log");
        var day2 = Path.Combine(_dir, "web.access", "access.20240316.log");
        Assert.Equal(
            "2024-03-15T12:00:00Z\tweb.access\t{\"a\":1}\n" +
            "2024-03-15T12:00:00Z\tweb.access\t{\"c\":true}\n" +
            "2024-03-15T12:00:00Z\tweb.access\t{\"d\":null}\n", await File.ReadAllTextAsync(day1));
        Assert.Equal("2024-03-16T12:00:00Z\tweb.access\t{\"b\":\"x\"}\n", await File.ReadAllTextAsync(day2));
    }

    [Fact]
    public async Task A_path_without_time_placeholders_gets_the_day_and_suffix_as_fluentd_does()
    {
        var output = Build(("path", Path.Combine(_dir, "app")), ("format", "json"));
        await BufferHarness.Write(output, Stream("t", (March15, new Record { ["a"] = 1L })));
        await output.ShutdownAsync(CancellationToken.None);
        Assert.Equal("{\"a\":1}\n", await File.ReadAllTextAsync(Path.Combine(_dir, "app.20240315.log")));
    }

    [Fact]
    public async Task Tag_parts_and_star_placeholder()
    {
        var output = Build(("path", Path.Combine(_dir, "${tag[0]}-${tag[-1]}.*")), ("add_path_suffix", "false"));
        await BufferHarness.Write(output, "tag,time", Stream("svc.api.error", (March15, new Record { ["message"] = "boom" })));
        await output.ShutdownAsync(CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(_dir, "svc-error.20240315")));
    }

    [Fact]
    public async Task Format_section_and_append_across_outputs()
    {
        var section = TestPluginContext.Section("match", "file", ("path", Path.Combine(_dir, "plain.%Y-%m-%d")));
        var format = TestPluginContext.Section("format", "single_value");
        section.Add(format);
        for (int i = 0; i < 2; i++)
        {
            var output = new TestPluginContext().Build<FileOutput>(PluginKind.Output, section.Clone());
            await BufferHarness.Write(output, Stream("t", (March15, new Record { ["message"] = $"line {i}" })));
            await output.ShutdownAsync(CancellationToken.None);
        }
        Assert.Equal("line 0\nline 1\n", await File.ReadAllTextAsync(Path.Combine(_dir, "plain.2024-03-15.log")));
    }

    [Fact]
    public async Task Gzip_appends_readable_gzip_members()
    {
        var output = Build(("path", Path.Combine(_dir, "zipped")), ("compress", "gzip"), ("format", "single_value"));
        await BufferHarness.Write(output, Stream("t", (March15, new Record { ["message"] = "one" })));
        await BufferHarness.Write(output, Stream("t", (March15, new Record { ["message"] = "two" })));
        var path = Path.Combine(_dir, "zipped.20240315.log.gz");
        Assert.Equal(path, output.LastWrittenPath);
        await output.ShutdownAsync(CancellationToken.None);

        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        Assert.Equal("one\ntwo\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Symlink_points_at_the_latest_file()
    {
        if (OperatingSystem.IsWindows()) return;
        var link = Path.Combine(_dir, "current.log");
        var output = Build(("path", Path.Combine(_dir, "sym")), ("symlink_path", link), ("format", "single_value"));
        await BufferHarness.Write(output, Stream("t", (March15, new Record { ["message"] = "a" })));
        await BufferHarness.Write(output, Stream("t", (March16, new Record { ["message"] = "b" })));
        await output.ShutdownAsync(CancellationToken.None);
        Assert.Equal(Path.Combine(_dir, "sym.20240316.log"), new FileInfo(link).LinkTarget);
        Assert.Equal("b\n", await File.ReadAllTextAsync(link));
    }

    [Theory]
    [InlineData("/var/log/app", ".log", false, "/var/log/app.%Y%m%d.log")]
    [InlineData("/var/log/app.*", ".log", false, "/var/log/app.%Y%m%d")]
    [InlineData("/var/log/app.*.data", ".log", true, "/var/log/app.%Y%m%d.data.gz")]
    [InlineData("/var/log/%Y/%m/%d/app", ".txt", false, "/var/log/%Y/%m/%d/app.txt")]
    [InlineData("/var/log/${tag}/app", "", false, "/var/log/${tag}/app.%Y%m%d")]
    public void Path_template_follows_fluentd_suffix_rules(string path, string suffix, bool gzip, string expected)
    {
        Assert.Equal(expected, new FilePathTemplate(path, suffix, gzip, RubyTimeZone.Utc).Template);
    }

    [Fact]
    public void Partial_day_placeholders_are_a_config_error()
    {
        Assert.Throws<ConfigException>(() => Build(("path", Path.Combine(_dir, "app.%Y%m"))));
    }

    [Fact]
    public void Path_is_required()
    {
        Assert.Throws<ConfigException>(() => Build());
    }
}
