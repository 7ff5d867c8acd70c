using System.Buffers;
using System.Text;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// Prints events to standard output as fluentd's out_stdout does:
/// <c>2017-11-28 11:43:13.814351757 +0900 tag: {"k":"v"}</c> (formatter_stdout.rb, TIME_FORMAT '%Y-%m-%d %H:%M:%S.%N %z').
/// </summary>
[Plugin(PluginKind.Output, "stdout", "Prints events to standard output.")]
public sealed class StdoutOutput : OutputPlugin
{
    private static readonly object ConsoleLock = new();
    private FormatterPlugin? _formatter;
    private Stream? _stdout;

    [Parameter("output_type", "How the record is printed after the time and tag: json or hash (accepted; printed as JSON).",
        AllowedValues = new[] { "json", "hash", "ltsv", "single_value", "csv", "msgpack" })]
    public string OutputType { get; set; } = "json";

    public override void Configure(ConfigSection config)
    {
        var format = config.SectionsNamed("format").FirstOrDefault();
        if (format is not null) format.IsUsed = true;
        // A <format> with its own @type replaces the record part; without one the record is JSON, as in fluentd.
        _formatter = Context.CreateFormatter(format, OutputType == "hash" ? "json" : OutputType);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _stdout = Console.OpenStandardOutput();
        return Task.CompletedTask;
    }

    public override void Emit(EventStream stream)
    {
        var buffer = new ArrayBufferWriter<byte>(stream.Entries.Length * 2 + 128);
        foreach (var entry in stream)
        {
            var header = $"{FormatTime(entry.Time)} {stream.Tag}: ";
            Encoding.UTF8.GetBytes(header, buffer);
            int before = buffer.WrittenCount;
            _formatter!.Format(stream.Tag, entry.Time, entry.DecodeRecord(), buffer);
            // The record formatter may end its line itself; print exactly one newline per event.
            if (buffer.WrittenCount == before || buffer.WrittenSpan[^1] != (byte)'\n') buffer.Write("\n"u8);
        }
        lock (ConsoleLock)
        {
            var stdout = _stdout ?? Console.OpenStandardOutput();
            stdout.Write(buffer.WrittenSpan);
            stdout.Flush();
        }
    }

    // formatter_stdout.rb's TIME_FORMAT, in the process's local zone as Ruby's Time.at gives it.
    private static readonly RubyTimeFormat TimeFormat = RubyTimeFormat.Compile("%Y-%m-%d %H:%M:%S.%N %z");

    internal static string FormatTime(EventTime time) => TimeFormat.Format(time, RubyTimeZone.Local);
}
