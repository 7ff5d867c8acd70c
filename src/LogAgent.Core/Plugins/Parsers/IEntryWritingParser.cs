using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// A parser that can write a line's event straight as a msgpack <c>[time, record]</c> entry, without building a
/// <see cref="Record"/> and encoding it: the tail's hot path for the formats most logs are in. The bytes must be
/// exactly what <see cref="LogAgent.Sdk.Plugins.ParserPlugin.TryParse"/> followed by the record's encoding gives.
/// </summary>
internal interface IEntryWritingParser
{
    /// <summary>
    /// Writes the entry for <paramref name="line"/> (UTF-8, without its newline) and returns true; or writes nothing
    /// and returns false, and the caller decodes the line and takes the general path (which also reports lines that do
    /// not parse).
    /// </summary>
    bool TryWriteEntry(ReadOnlySpan<byte> line, ref MessagePackWriter writer);
}
