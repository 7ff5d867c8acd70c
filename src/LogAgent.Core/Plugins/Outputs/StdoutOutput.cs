using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// Prints events to standard output (fluentd's out_stdout). Its <c>&lt;format&gt;</c> defaults to the <c>stdout</c>
/// formatter: <c>2017-11-28 11:43:13.814351757 +0900 tag: {"k":"v"}</c>.
/// </summary>
[Plugin(PluginKind.Output, "stdout", "Prints events to standard output.")]
public sealed class StdoutOutput : OutputPlugin
{
    private static readonly object ConsoleLock = new();
    private FormatterPlugin? _formatter;
    private Stream? _stdout;

    [Parameter("output_type", "Legacy: the record formatter of the default stdout format (json, hash, ltsv, …); prefer <format> output_type.")]
    public string? OutputType { get; set; }

    public override void Configure(ConfigSection config)
    {
        var format = config.SectionsNamed("format").FirstOrDefault();
        if (format is null && OutputType is not null)
        {
            // out_stdout.rb's compat layer moves a top-level output_type into the <format> section.
            format = new ConfigSection("format", "", config.File, config.Line);
            format.Add(new ConfigParameter("output_type", OutputType, config.File, config.Find("output_type")?.Line ?? config.Line));
        }
        if (format is not null) format.IsUsed = true;
        _formatter = Context.CreateFormatter(format, "stdout");
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
            _formatter!.Format(stream.Tag, entry.Time, entry.DecodeRecord(), buffer);
        lock (ConsoleLock)
        {
            var stdout = _stdout ?? Console.OpenStandardOutput();
            stdout.Write(buffer.WrittenSpan);
            stdout.Flush();
        }
    }
}
