using LogAgent.Core.Forward;
using MessagePack;

namespace LogAgent.Core.Buffers;

/// <summary>
/// The longest run of whole msgpack entries at the front of concatenated entries that fits a byte and an entry
/// budget, found by skipping entries (never decoding them): how a buffer splits a stream across chunks and how the
/// forward output cuts a chunk into requests.
/// </summary>
internal static class EntryPrefix
{
    /// <returns>How many entries fit, and their length in bytes.</returns>
    public static (int Count, int Length) Fitting(ReadOnlyMemory<byte> entries, long space, long records)
    {
        var span = entries.Span;
        int count = 0, length = 0;
        while (length < span.Length && count < records)
        {
            int next = length;
            // The span walk; an entry it does not take (nesting past its limit) is skipped by MessagePack's reader.
            if (!PlainEntryScan.TrySkip(span, ref next)) next = length + SkipWithReader(entries[length..]);
            if (next > space) break;
            length = next;
            count++;
        }
        return (count, length);
    }

    private static int SkipWithReader(ReadOnlyMemory<byte> entries)
    {
        var reader = new MessagePackReader(entries);
        reader.Skip();
        return (int)reader.Consumed;
    }
}
