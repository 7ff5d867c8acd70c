using System.Buffers;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Plugins;

/// <summary>Turns one event into bytes (a line of JSON, LTSV, CSV …) for outputs that write text.</summary>
public abstract class FormatterPlugin : Plugin
{
    public abstract void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output);

    public byte[] FormatToBytes(string tag, EventTime time, Record record)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Format(tag, time, record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public string FormatToString(string tag, EventTime time, Record record) =>
        System.Text.Encoding.UTF8.GetString(FormatToBytes(tag, time, record));
}
