using LogAgent.Plugins.Kinesis.Batching;

namespace LogAgent.Tests.Kinesis.Batching;

/// <summary><see cref="Backoff"/> and the unpaced <see cref="RecordBatcher"/>: fluent-plugin-kinesis's backoff and
/// split_to_batches, against the services' limits (PutRecords 500 / 5 MiB, PutRecordBatch 500 / 4 MiB).</summary>
public class BackoffAndBatcherTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public void Backoff_doubles_from_its_base_with_a_jitter_of_one_sixth_either_way()
    {
        for (int run = 0; run < 200; run++)
        {
            var backoff = new Backoff(TimeSpan.FromSeconds(0.3));
            for (int n = 0; n < 6; n++)
            {
                var nominal = 0.3 * Math.Pow(2, n);
                // 2^n × (0.3 ± 0.05) seconds, as the Ruby plugin's Backoff#calc_delay.
                Assert.InRange(backoff.Next().TotalSeconds, nominal * 5 / 6 - 1e-9, nominal * 7 / 6 + 1e-9);
            }
        }
    }

    [Fact]
    public void Backoff_jitter_spreads_over_its_range()
    {
        var firsts = Enumerable.Range(0, 500).Select(_ => new Backoff(TimeSpan.FromSeconds(0.3)).Next().TotalSeconds).ToList();
        Assert.True(firsts.Min() < 0.26 && firsts.Max() > 0.34, $"jitter range {firsts.Min():F3}..{firsts.Max():F3}");
    }

    [Fact]
    public void Backoff_reset_starts_again_from_the_first_step()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 5; i++) backoff.Next();
        Assert.True(backoff.Next().TotalSeconds > 26); // 2^5 × 1 s, less at most a sixth
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalSeconds, 5.0 / 6 - 1e-9, 7.0 / 6 + 1e-9);
    }

    private static OutgoingRecord Record(int size, int n = 0) => new(new byte[size - 1], "k", [n]); // + 1-byte key

    private static List<int> Counts(IEnumerable<List<OutgoingRecord>> batches) => batches.Select(b => b.Count).ToList();

    [Fact]
    public void Five_hundred_records_fill_a_put_and_the_501st_starts_the_next()
    {
        var limits = new BatchLimits(500, 5 * MiB);
        Assert.Equal([500], Counts(RecordBatcher.Split(Enumerable.Range(0, 500).Select(i => Record(10, i)), limits)));
        Assert.Equal([500, 1], Counts(RecordBatcher.Split(Enumerable.Range(0, 501).Select(i => Record(10, i)), limits)));
    }

    [Fact]
    public void Exactly_five_mebibytes_fit_a_PutRecords_and_one_byte_more_does_not()
    {
        var limits = new BatchLimits(500, 5 * MiB);
        var exact = Enumerable.Range(0, 5).Select(i => Record(MiB, i)).ToList();
        Assert.Equal([5], Counts(RecordBatcher.Split(exact, limits)));
        var over = exact.Append(Record(1, 5)).ToList();
        Assert.Equal([5, 1], Counts(RecordBatcher.Split(over, limits)));
    }

    [Fact]
    public void Exactly_four_mebibytes_fit_a_PutRecordBatch_and_one_byte_more_does_not()
    {
        var limits = new BatchLimits(500, 4 * MiB);
        var records = new List<OutgoingRecord> { new(new byte[2 * MiB], null, [0]), new(new byte[2 * MiB], null, [1]) };
        Assert.Equal([2], Counts(RecordBatcher.Split(records, limits)));
        records[1] = new OutgoingRecord(new byte[2 * MiB + 1], null, [1]);
        Assert.Equal([1, 1], Counts(RecordBatcher.Split(records, limits)));
    }

    [Fact]
    public void A_record_larger_than_the_request_limit_goes_alone_and_order_is_kept()
    {
        // Possible only with max_record_size raised for large-record streams (up to 10 MiB).
        var limits = new BatchLimits(500, 5 * MiB);
        var records = new[] { Record(100, 0), Record(100, 1), Record(6 * MiB, 2), Record(100, 3) };
        var batches = RecordBatcher.Split(records, limits).ToList();
        Assert.Equal([[0, 1], [2], [3]], batches.Select(b => b.Select(r => r.Entries[0]).ToArray()).ToArray());
    }

    [Fact]
    public void The_partition_key_counts_toward_the_size()
    {
        var record = new OutgoingRecord(new byte[100], "ключ", [0]); // 4 Cyrillic letters: 8 UTF-8 bytes
        Assert.Equal(108, record.Size);
        var limits = new BatchLimits(500, 215);
        Assert.Equal([1, 1], Counts(RecordBatcher.Split([record, new OutgoingRecord(new byte[100], "ключ", [1])], limits)));
    }
}
