using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// fluentd's <c>file</c> output (lib/fluent/plugin/out_file.rb), for now without a buffer: each emitted stream is
/// formatted (out_file format by default: <c>time&lt;TAB&gt;tag&lt;TAB&gt;json</c>) and appended at once to the
/// file its path resolves to, then flushed. The path's time placeholders use each event's time in local time, as
/// fluentd's default time key does; see <see cref="FilePathTemplate"/> for the suffix rules.
/// Files stay open between emits and are closed at shutdown.
/// </summary>
[Plugin(PluginKind.Output, "file", "Writes events to files, one line per event.")]
public sealed class FileOutput : OutputPlugin
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

    [Parameter("path", "The file path; may hold strftime placeholders (%Y%m%d) from the event time and ${tag}, ${tag[N]} from the tag.", Required = true)]
    public string Path { get; set; } = "";

    [Parameter("add_path_suffix", "Add path_suffix to the file name.")]
    public bool AddPathSuffix { get; set; } = true;

    [Parameter("path_suffix", "The suffix added to the file name.")]
    public string PathSuffix { get; set; } = ".log";

    [Parameter("append", "Append to an existing file. This output always appends (it writes each emit as it comes), so this is accepted for compatibility.")]
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

    public override void Emit(EventStream stream)
    {
        var writer = _writer ?? throw new InvalidOperationException("the file output is not configured");
        // Events of one stream usually share a path; keep one buffer per path and write each once.
        string? onlyPath = null;
        ArrayBufferWriter<byte>? onlyBuffer = null;
        Dictionary<string, ArrayBufferWriter<byte>>? byPath = null;
        foreach (var entry in stream)
        {
            var path = _path!.Resolve(stream.Tag, entry.Time);
            ArrayBufferWriter<byte> buffer;
            if (onlyPath is null)
            {
                onlyPath = path;
                buffer = onlyBuffer = new ArrayBufferWriter<byte>(stream.Entries.Length * 2 + 256);
            }
            else if (path == onlyPath) buffer = onlyBuffer!;
            else
            {
                byPath ??= new Dictionary<string, ArrayBufferWriter<byte>>(StringComparer.Ordinal);
                if (!byPath.TryGetValue(path, out buffer!)) byPath[path] = buffer = new ArrayBufferWriter<byte>(1024);
            }
            _formatter!.Format(stream.Tag, entry.Time, entry.DecodeRecord(), buffer);
        }
        if (onlyPath is null) return;
        writer.Append(onlyPath, onlyBuffer!.WrittenSpan);
        if (byPath is not null)
            foreach (var (path, buffer) in byPath) writer.Append(path, buffer.WrittenSpan);
        writer.Flush();
    }

    public override Task ShutdownAsync(CancellationToken cancellationToken)
    {
        _writer?.Dispose();
        return Task.CompletedTask;
    }
}
