using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using MessagePack;

namespace LogAgent.Core.Plugins.Formatters;

/// <summary>fluentd's <c>msgpack</c> formatter (lib/fluent/plugin/formatter_msgpack.rb): the record as a msgpack map, nothing else.</summary>
[Plugin(PluginKind.Formatter, "msgpack", "Writes the record as MessagePack.")]
public sealed class MsgpackFormatter : FormatterPlugin
{
    public override void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output)
    {
        var writer = new MessagePackWriter(output);
        RecordCodec.WriteValue(ref writer, record);
        writer.Flush();
    }
}
