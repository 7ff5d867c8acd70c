using System.Buffers;
using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Tests.Sdk;

public class EventTimeTests
{
    [Fact]
    public void Writes_ext_type_0_fixext8_with_big_endian_seconds_and_nanoseconds()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        new EventTime(0x5E8F1C2A, 0x075BCD15).WriteTo(ref writer);
        writer.Flush();
        Assert.Equal(new byte[] { 0xD7, 0x00, 0x5E, 0x8F, 0x1C, 0x2A, 0x07, 0x5B, 0xCD, 0x15 }, buffer.WrittenSpan.ToArray());
    }

    [Theory]
    // fixext 8, ext 0
    [InlineData(new byte[] { 0xD7, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05 }, 16u, 5u)]
    // ext 8 with a length byte of 8: the long form some encoders choose
    [InlineData(new byte[] { 0xC7, 0x08, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05 }, 16u, 5u)]
    // positive fixint and uint32 seconds (fluent-logger with nanosecond precision off)
    [InlineData(new byte[] { 0x2A }, 42u, 0u)]
    [InlineData(new byte[] { 0xCE, 0x65, 0x5B, 0x2E, 0x80 }, 0x655B2E80u, 0u)]
    // float64 seconds (old fluent-logger-python)
    [InlineData(new byte[] { 0xCB, 0x41, 0xD9, 0x56, 0xCA, 0xA0, 0xA0, 0x00, 0x00 }, 1700473474u, 500000000u)]
    public void Reads_every_time_form_senders_use(byte[] bytes, uint seconds, uint nanoseconds)
    {
        var reader = new MessagePackReader(bytes);
        var time = EventTime.ReadFrom(ref reader);
        Assert.Equal(seconds, time.Seconds);
        Assert.Equal(nanoseconds, time.Nanoseconds);
        Assert.True(reader.End);
    }

    [Fact]
    public void Rejects_an_extension_that_is_not_type_0()
    {
        var bytes = new byte[] { 0xD7, 0x01, 0, 0, 0, 1, 0, 0, 0, 0 };
        var ex = Assert.Throws<MessagePackSerializationException>(() =>
        {
            var reader = new MessagePackReader(bytes);
            EventTime.ReadFrom(ref reader);
        });
        Assert.Contains("ext type 1", ex.Message);
    }

    [Fact]
    public void Converts_to_and_from_DateTimeOffset_to_the_tick()
    {
        var t = new DateTimeOffset(2026, 11, 26, 12, 34, 56, TimeSpan.Zero).AddTicks(1234567);
        var time = EventTime.FromDateTimeOffset(t);
        Assert.Equal(123456700u, time.Nanoseconds);
        Assert.Equal(t, time.ToDateTimeOffset());
    }
}
