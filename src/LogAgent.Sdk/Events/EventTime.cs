using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace LogAgent.Sdk.Events;

/// <summary>
/// The time of an event: seconds since the Unix epoch and nanoseconds. On the wire it is the forward
/// protocol's EventTime, msgpack ext type 0 with 8 bytes: seconds then nanoseconds, both big-endian uint32
/// (Forward Protocol Specification v1, "EventTime Ext Format").
/// </summary>
public readonly record struct EventTime(uint Seconds, uint Nanoseconds) : IComparable<EventTime>
{
    public const sbyte ExtType = 0;

    public static EventTime Now => FromDateTimeOffset(DateTimeOffset.UtcNow);

    public static EventTime FromDateTimeOffset(DateTimeOffset t)
    {
        long ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return new EventTime((uint)(ticks / TimeSpan.TicksPerSecond), (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }

    public static EventTime FromUnixSeconds(double seconds)
    {
        double whole = Math.Floor(seconds);
        return new EventTime((uint)whole, (uint)Math.Round((seconds - whole) * 1e9));
    }

    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks(Seconds * TimeSpan.TicksPerSecond + Nanoseconds / 100);

    public double ToUnixSeconds() => Seconds + Nanoseconds / 1e9;

    public int CompareTo(EventTime other) =>
        Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanoseconds.CompareTo(other.Nanoseconds);

    /// <summary>Writes the time as ext type 0 (fixext 8), the form fluentd v1 and Fluent Bit send.</summary>
    public void WriteTo(ref MessagePackWriter writer)
    {
        writer.WriteExtensionFormatHeader(new ExtensionHeader(ExtType, 8));
        var body = writer.GetSpan(8);
        BinaryPrimitives.WriteUInt32BigEndian(body, Seconds);
        BinaryPrimitives.WriteUInt32BigEndian(body[4..], Nanoseconds);
        writer.Advance(8);
    }

    /// <summary>
    /// Reads a time in any form a sender may use: ext 0 (fixext 8 or ext 8), an integer, or a float
    /// (old fluent-logger versions send float seconds).
    /// </summary>
    public static EventTime ReadFrom(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Extension:
                var header = reader.ReadExtensionFormatHeader();
                if (header.TypeCode != ExtType || header.Length != 8)
                    throw new MessagePackSerializationException($"event time must be ext type 0 with 8 bytes, got ext type {header.TypeCode} with {header.Length} bytes");
                var data = reader.ReadRaw(8);
                Span<byte> body = stackalloc byte[8];
                data.CopyTo(body);
                return new EventTime(BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[4..]));
            case MessagePackType.Integer:
                return new EventTime((uint)reader.ReadInt64(), 0);
            case MessagePackType.Float:
                return FromUnixSeconds(reader.ReadDouble());
            default:
                throw new MessagePackSerializationException($"event time must be an integer or EventTime, got {reader.NextMessagePackType}");
        }
    }

    public override string ToString() => ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz");
}
