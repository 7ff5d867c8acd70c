using System.Buffers;
using System.Text;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Plugins;

/// <summary>Turns one event into bytes (a line of JSON, LTSV, CSV …) for outputs that write text.</summary>
public abstract class FormatterPlugin : Plugin
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public abstract void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output);

    /// <summary>
    /// Formats a record still in msgpack form (a map) without decoding it, when this formatter can give exactly what
    /// <see cref="Format"/> gives for the decoded record. False, with nothing written, means the caller decodes and
    /// calls <see cref="Format"/>; that is the default.
    /// </summary>
    public virtual bool TryFormat(string tag, EventTime time, ReadOnlyMemory<byte> recordMsgpack, IBufferWriter<byte> output) => false;

    public byte[] FormatToBytes(string tag, EventTime time, Record record)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Format(tag, time, record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public string FormatToString(string tag, EventTime time, Record record) =>
        System.Text.Encoding.UTF8.GetString(FormatToBytes(tag, time, record));

    /// <summary>Appends text as UTF-8 without an intermediate byte array.</summary>
    protected static void WriteText(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        var span = output.GetSpan(Utf8.GetMaxByteCount(text.Length));
        output.Advance(Utf8.GetBytes(text, span));
    }

    /// <summary>
    /// fluentd's <c>newline</c> parameter (lib/fluent/plugin/formatter.rb, Newline::Mixin): <c>lf</c> or <c>crlf</c>
    /// as the line end of formatters with add_newline.
    /// </summary>
    protected static string NewlineText(string newline) => newline == "crlf" ? "\r\n" : "\n";
}
