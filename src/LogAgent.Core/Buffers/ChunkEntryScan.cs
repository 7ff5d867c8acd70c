using MessagePack;
using LogAgent.Sdk.Events;

namespace LogAgent.Core.Buffers;

/// <summary>
/// How much of a chunk's data is whole entries: <c>[time, record]</c> or <c>[tag, time, record]</c> (the format is
/// taken from the first entry and must not change). Used on resume to keep a damaged chunk up to its last whole entry.
/// </summary>
/// <param name="Count">Whole entries found.</param>
/// <param name="WholeBytes">Length of the prefix made of whole entries.</param>
/// <param name="EntriesHaveTag">Format of the entries; null when there are none.</param>
/// <param name="FirstTag">The first entry's own tag, when entries carry tags.</param>
/// <param name="Problem">Why scanning stopped before the end, or null when the data is nothing but whole entries.</param>
internal readonly record struct ChunkEntryScan(int Count, int WholeBytes, bool? EntriesHaveTag, string? FirstTag, string? Problem)
{
    public static ChunkEntryScan Of(ReadOnlyMemory<byte> data)
    {
        var reader = new MessagePackReader(data);
        int count = 0, whole = 0;
        bool? hasTag = null;
        string? firstTag = null;
        while (!reader.End)
        {
            try
            {
                int n = reader.ReadArrayHeader();
                bool tagged = n == 3;
                if (n is not (2 or 3))
                    return new(count, whole, hasTag, firstTag, $"entry {count + 1} is an array of {n}, not [time, record] or [tag, time, record]");
                if (hasTag is { } expected && expected != tagged)
                    return new(count, whole, hasTag, firstTag, $"entry {count + 1} changes the entry format");
                string? tag = null;
                if (tagged)
                {
                    if (reader.NextMessagePackType != MessagePackType.String)
                        return new(count, whole, hasTag, firstTag, $"entry {count + 1} has no string tag");
                    tag = reader.ReadString();
                }
                EventTime.ReadFrom(ref reader);
                if (reader.NextMessagePackType != MessagePackType.Map)
                    return new(count, whole, hasTag, firstTag, $"entry {count + 1}'s record is not a map");
                reader.Skip();
                hasTag = tagged;
                if (count == 0) firstTag = tag;
                count++;
                whole = (int)reader.Consumed;
            }
            catch (Exception e) when (e is EndOfStreamException or MessagePackSerializationException or OverflowException or InvalidOperationException)
            {
                return new(count, whole, hasTag, firstTag, $"entry {count + 1} is cut short or malformed ({e.Message})");
            }
        }
        return new(count, whole, hasTag, firstTag, null);
    }
}
