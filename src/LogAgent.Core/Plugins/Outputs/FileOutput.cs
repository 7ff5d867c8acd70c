using System.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// fluentd's <c>file</c> output (lib/fluent/plugin/out_file.rb), buffered as fluentd's is: chunk keys default to
/// <c>time</c> with a one-day timekey, so each day's events go to their day's file once the day (plus timekey_wait)
/// is over — set <c>flush_mode interval</c> in <c>&lt;buffer&gt;</c> for fresher files. Each chunk is formatted
/// (out_file format by default: <c>time&lt;TAB&gt;tag&lt;TAB&gt;json</c>) and appended to the file its path resolves to
/// for that chunk (its time slice, tag and keys); see <see cref="FilePathTemplate"/> for the suffix rules.
/// Files stay open between writes and are closed at shutdown.
/// </summary>
[Plugin(PluginKind.Output, "file", "Writes events to files, one line per event.")]
public sealed class FileOutput : BufferedOutputPlugin
{
    // Formatter parameters a v0.12-style config writes directly in <match> next to `format`
    // (fluentd's compat_parameters helper moves them into <format> the same way).
    private static readonly string[] LegacyFormatterKeys =
    {
        "output_time", "output_tag", "delimiter", "time_type", "time_format", "time_as_epoch", "localtime", "utc",
        "timezone", "add_newline", "newline", "message_key", "fields", "keys", "force_quotes", "label_delimiter",
    };

    private FilePathTemplate? _path;
    private FormatterPlugin? _formatter;
    private AppendingFileWriter? _writer;

    [Parameter("path", "The file path; may hold strftime placeholders (%Y%m%d) from the chunk's time slice, ${tag}, ${tag[N]} and ${KEY} from its chunk keys.", Required = true)]
    public string Path { get; set; } = "";

    [Parameter("add_path_suffix", "Add path_suffix to the file name.")]
    public bool AddPathSuffix { get; set; } = true;

    [Parameter("path_suffix", "The suffix added to the file name.")]
    public string PathSuffix { get; set; } = ".log";

    [Parameter("append", "Append to an existing file. This output always appends to the file of a chunk, so this is accepted for compatibility.")]
    public bool Append { get; set; }

    [Parameter("compress", "text, or gzip (gz) to write gzip files (.gz added to the name).",
        AllowedValues = new[] { "text", "gz", "gzip" })]
    public string Compress { get; set; } = "text";

    [Parameter("recompress", "Accepted for fluentd compatibility; unused without a buffer.")]
    public bool Recompress { get; set; }

    [Parameter("symlink_path", "A symbolic link kept pointing at the file written last (not on Windows).")]
    public string? SymlinkPath { get; set; }

    [Parameter("format", "Legacy form of <format>: the formatter type (out_file, json, ltsv, csv, single_value, msgpack…).")]
    public string? Format { get; set; }

    /// <summary>The path template after suffix rules, for tests and diagnostics.</summary>
    public FilePathTemplate PathTemplate => _path ?? throw new InvalidOperationException("the output is not configured");

    /// <summary>The file written last.</summary>
    public string? LastWrittenPath => _writer?.LastWrittenPath;

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        bool gzip = Compress is "gz" or "gzip";
        try
        {
            _path = new FilePathTemplate(Path, AddPathSuffix ? PathSuffix : "", gzip, RubyTimeZone.Local);
        }
        catch (FormatException e)
        {
            var at = config.Find("path");
            throw at is null ? new ConfigException(e.Message, config) : new ConfigException(e.Message, at);
        }
        _formatter = Context.CreateFormatter(FormatSection(config), "out_file");
        _writer = new AppendingFileWriter(gzip, SymlinkPath);
    }

    private ConfigSection? FormatSection(ConfigSection config)
    {
        var sections = config.SectionsNamed("format").ToList();
        if (sections.Count > 1) throw new ConfigException("<format> may appear only once in a file output", sections[1]);
        if (sections.Count == 1) return sections[0];
        if (Format is null && !LegacyFormatterKeys.Any(config.Has)) return null;
        var legacy = new ConfigSection("format", "", config.File, config.Line);
        legacy.Add(new ConfigParameter("@type", Format ?? "out_file", config.File, config.Line));
        foreach (var key in LegacyFormatterKeys)
        {
            var p = config.Find(key);
            if (p is null) continue;
            legacy.Add(p);
            config.UsedParameters.Add(key);
        }
        return legacy;
    }

    /// <summary>
    /// out_file.rb: <c>config_section :buffer</c> sets chunk_keys ['time'] and timekey 1 day, and a file buffer
    /// without a path of its own (and no root_dir + @id) uses the output's path as its directory.
    /// </summary>
    public override BufferDefaults BufferDefaults => new() { ChunkKeys = "time", Timekey = 86400, FallbackPath = Path };

    public override IEnumerable<string> PlaceholderParameters => new[] { "path" };

    private readonly object _writeLock = new();

    public override Task WriteAsync(BufferChunk chunk, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("the file output is not configured");
        // The chunk's time slice fills the time placeholders; without a time key the chunk's creation time does.
        var sliceTime = chunk.Metadata.Timekey is { } timekey ? new EventTime((uint)timekey, 0) : EventTime.FromDateTimeOffset(chunk.CreatedAt);
        var path = chunk.Expand(_path!.Resolve(chunk.Metadata.Tag ?? "", sliceTime));
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(chunk.ByteSize * 2 + 256, int.MaxValue / 2));
        foreach (var entry in chunk)
            _formatter!.Format(entry.Tag, entry.Time, entry.DecodeRecord(), buffer);
        lock (_writeLock)
        {
            writer.Append(path, buffer.WrittenSpan);
            writer.Flush();
        }
        return Task.CompletedTask;
    }

    public override Task ShutdownAsync(CancellationToken cancellationToken)
    {
        _writer?.Dispose();
        return Task.CompletedTask;
    }
}
