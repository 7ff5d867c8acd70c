namespace LogAgent.Sdk.Events;

/// <summary>One <c>[time, record]</c> entry of an <see cref="EventStream"/>; the record stays msgpack bytes until asked for.</summary>
public readonly struct EventEntry
{
    public EventEntry(EventTime time, ReadOnlyMemory<byte> recordBytes, ReadOnlyMemory<byte> rawEntry = default)
    {
        Time = time;
        RecordBytes = recordBytes;
        RawEntry = rawEntry;
    }

    public EventTime Time { get; }

    /// <summary>The record, msgpack-encoded (a map).</summary>
    public ReadOnlyMemory<byte> RecordBytes { get; }

    /// <summary>The whole entry as it is stored: the msgpack array <c>[time, record]</c>.</summary>
    public ReadOnlyMemory<byte> RawEntry { get; }

    public Record DecodeRecord() => RecordCodec.Decode(RecordBytes);
}
