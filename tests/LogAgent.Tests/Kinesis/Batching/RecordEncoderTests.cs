using System.IO.Compression;
using System.Text;
using LogAgent.Plugins.Kinesis.Records;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.Batching;

/// <summary>
/// <see cref="RecordEncoder"/>: the bytes of one record, as fluent-plugin-kinesis's data formatter makes them
/// (kinesis.rb: data_key, the formatter's line end chomped, chomp_record, then compression).
/// </summary>
public class RecordEncoderTests
{
    private static readonly EventTime Time = EventTime.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 12, 0, 0, 123, TimeSpan.Zero));
    private readonly TestPluginContext _context = new();

    private RecordEncoder Encoder(string format = "json", string? dataKey = null, bool chomp = false, string? compression = null, InjectSection? inject = null,
        params (string Key, string Value)[] formatParameters) =>
        new(_context.CreateFormatter(TestPluginContext.Section("format", format, formatParameters), "json"), dataKey, chomp, compression, inject, "encoder-host");

    private static Record Rec(params (string Key, object? Value)[] fields)
    {
        var record = new Record();
        foreach (var (k, v) in fields) record[k] = v;
        return record;
    }

    private static string Text(byte[] data) => Encoding.UTF8.GetString(data);

    [Fact]
    public void The_formatters_line_end_is_not_part_of_the_record()
    {
        Assert.Equal("""{"message":"hello"}""", Text(Encoder().Encode("t", Time, Rec(("message", "hello")))));
    }

    [Fact]
    public void Chomp_record_removes_one_more_trailing_newline_and_only_one()
    {
        // single_value writes the value and a newline: "a\n\n\n" → chomped by the encoder to "a\n\n" → chomp_record "a\n".
        var record = Rec(("message", "a\n\n"));
        Assert.Equal("a\n\n", Text(Encoder("single_value").Encode("t", Time, record)));
        Assert.Equal("a\n", Text(Encoder("single_value", chomp: true).Encode("t", Time, Rec(("message", "a\n\n")))));
        Assert.Equal("a\r", Text(Encoder("single_value", chomp: true).Encode("t", Time, Rec(("message", "a\r\r\n")))));
    }

    [Fact]
    public void Data_key_sends_that_keys_value_alone()
    {
        var encoder = Encoder(dataKey: "log");
        Assert.Equal("raw line\n", Text(encoder.Encode("t", Time, Rec(("log", "raw line\n"), ("other", 1)))));
        Assert.Equal([1, 2, 3], encoder.Encode("t", Time, Rec(("log", new byte[] { 1, 2, 3 }))));
        Assert.Equal("""{"a":1}""", Text(encoder.Encode("t", Time, Rec(("log", new Dictionary<string, object?> { ["a"] = 1L })))));
        Assert.Equal("raw line", Text(Encoder(dataKey: "log", chomp: true).Encode("t", Time, Rec(("log", "raw line\n")))));
    }

    [Fact]
    public void A_missing_data_key_skips_the_record()
    {
        var error = Assert.Throws<SkippedRecordException>(() => Encoder(dataKey: "log").Encode("t", Time, Rec(("message", "x"))));
        Assert.Equal("Key 'log' doesn't exist", error.Message);
        Assert.Throws<SkippedRecordException>(() => Encoder(dataKey: "log").Encode("t", Time, Rec(("log", null))));
    }

    [Theory]
    [InlineData("zlib")]
    [InlineData("gzip")]
    public void Compressed_data_inflates_back_to_the_uncompressed_record(string compression)
    {
        var record = Rec(("message", new string('x', 2000) + " end"));
        var plain = Encoder().Encode("t", Time, new Record(record));
        var packed = Encoder(compression: compression).Encode("t", Time, new Record(record));
        Assert.True(packed.Length < plain.Length / 5, $"{packed.Length} bytes compressed of {plain.Length}");
        if (compression == "zlib") Assert.Equal(0x78, packed[0]);                  // RFC 1950 header (deflate, 32K window)
        else Assert.Equal([0x1F, 0x8B], packed[..2]);                              // RFC 1952 magic
        using var input = new MemoryStream(packed);
        using Stream inflater = compression == "zlib" ? new ZLibStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var result = new MemoryStream();
        inflater.CopyTo(result);
        Assert.Equal(plain, result.ToArray());
    }

    [Fact]
    public void Inject_adds_its_keys_before_formatting_but_not_with_data_key()
    {
        var inject = new InjectSection { TagKey = "tag", HostnameKey = "host" };
        inject.Configure(new ConfigSection("inject", "", "test.conf", 1));
        Assert.Equal("""{"message":"m","host":"encoder-host","tag":"nginx.access"}""",
            Text(Encoder(inject: inject).Encode("nginx.access", Time, Rec(("message", "m")))));
        Assert.Equal("m", Text(Encoder(dataKey: "message", inject: inject).Encode("nginx.access", Time, Rec(("message", "m")))));
    }
}
