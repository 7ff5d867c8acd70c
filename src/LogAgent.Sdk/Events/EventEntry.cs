namespace LogAgent.Sdk.Events;

/// <summary>One <c>[time, record]</c> entry of an <see cref="EventStream"/>; the record stays msgpack bytes until asked for.</summary>
public readonly struct EventEntry
{
    public EventEntry(EventTime time, ReadOnlyMemory<byte> recordBytes)
    {
        Time = time;
        RecordBytes = recordBytes;
    }

    public EventTime Time { get; }

    /// <summary>The record, msgpack-encoded (a map).</summary>
    public ReadOnlyMemory<byte> RecordBytes { get; }

    public Record DecodeRecord() => RecordCodec.Decode(RecordBytes);
}
