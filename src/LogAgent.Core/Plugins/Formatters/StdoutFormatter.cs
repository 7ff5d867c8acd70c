using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Formatters;

/// <summary>
/// fluentd's <c>stdout</c> formatter (lib/fluent/plugin/formatter_stdout.rb), out_stdout's default:
/// <c>2017-11-28 11:43:13.814351757 +0900 tag: {"k":"v"}</c> — the local time as '%Y-%m-%d %H:%M:%S.%N %z', the tag,
/// then the record as formatted by the <c>output_type</c> formatter, which receives this section's other parameters.
/// </summary>
[Plugin(PluginKind.Formatter, "stdout", "Time, tag and the record (by output_type), as fluentd's stdout output prints.")]
public sealed class StdoutFormatter : FormatterPlugin
{
    private const string DefaultTimeFormat = "%Y-%m-%d %H:%M:%S.%N %z";

    private EventTimeFormatter? _time;
    private FormatterPlugin? _record;

    [Parameter("output_type", "The formatter for the record part (json, hash, ltsv, csv, single_value, …).")]
    public string OutputType { get; set; } = "json";

    [Parameter("time_format", "strftime format of the time.")]
    public string? TimeFormat { get; set; }

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        _time = new EventTimeFormatter("string", TimeFormat ?? DefaultTimeFormat, RubyTimeZone.Local);

        // The sub-formatter is configured from this same section (formatter_stdout.rb passes its conf on),
        // so parameters like `delimiter` reach it; what it reads counts as used here.
        var type = OutputType == "hash" ? "json" : OutputType;
        var sub = new ConfigSection(config.Name, config.Argument, config.File, config.Line);
        sub.Add(new ConfigParameter("@type", type, config.File, config.Line));
        foreach (var p in config.Parameters)
            if (p.Key is not ("@type" or "type" or "output_type" or "time_format")) sub.Add(p);
        _record = Context.CreateFormatter(sub, type);
        foreach (var used in sub.UsedParameters) config.UsedParameters.Add(used);
    }

    public override void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output)
    {
        WriteText(output, _time!.Format(time));
        WriteText(output, " ");
        WriteText(output, tag);
        WriteText(output, ": ");
        var formatted = _record!.FormatToBytes(tag, time, record).AsSpan();
        // The record formatter's own line end is replaced by exactly one newline (Ruby's chomp).
        if (formatted.EndsWith("\r\n"u8)) formatted = formatted[..^2];
        else if (formatted.EndsWith("\n"u8)) formatted = formatted[..^1];
        output.Write(formatted);
        output.Write("\n"u8);
    }
}
