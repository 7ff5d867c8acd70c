using System.Text;
using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Plugins.Kinesis.Pacing;
using LogAgent.Tests.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Kinesis.Pacing;

/// <summary>
/// <see cref="PacedBatcher"/> against <see cref="ShardBudget"/> on a manual clock: the loop the output runs (take a
/// batch; when nothing can go, sleep the wait it names), with the clock standing in for the sleeps and each put
/// answered at once.
/// </summary>
public class PacedBatcherTests(ITestOutputHelper output)
{
    private static readonly BatchLimits StreamsLimits = new(500, 5 * 1024 * 1024);

    private static OutgoingRecord Record(string key, int n, int size = 100) =>
        new(Encoding.UTF8.GetBytes($"{key}:{n}".PadRight(size - Encoding.UTF8.GetByteCount(key), '.')), key, [n]);

    /// <summary>Runs the batcher to the end; returns each record with the (manual) time its put went out.</summary>
    private static List<(TimeSpan At, OutgoingRecord Record, string? Shard)> Drive(PacedBatcher batcher, ShardBudget budget, ManualTimeProvider clock,
        int maxRounds = 100_000)
    {
        var start = clock.Now;
        var sent = new List<(TimeSpan, OutgoingRecord, string?)>();
        for (int round = 0; !batcher.IsEmpty; round++)
        {
            Assert.True(round < maxRounds, "the batcher made no progress");
            var put = budget.BeginPut();
            var batch = batcher.Take(budget, put, out var wait);
            if (batch.Count == 0)
            {
                Assert.True(wait > TimeSpan.Zero, "nothing went, so there must be something to wait for");
                clock.Advance(wait);
                continue;
            }
            Assert.True(batch.Count <= StreamsLimits.MaxCount);
            Assert.True(batch.Sum(r => r.Size) <= StreamsLimits.MaxBytes);
            sent.AddRange(batch.Select(r => (clock.Now - start, r, batcher.ShardOf(r))));
            budget.Settle(put); // answered at once
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        return sent;
    }

    [Fact]
    public void A_hot_shard_is_paced_at_a_thousand_records_a_second_while_other_shards_flow_in_order()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        // 5,000 records of one hot key on shard A, and every 10th record a cold key on shard B.
        var records = new List<(OutgoingRecord, string?)>();
        for (int i = 0; i < 5500; i++)
            records.Add(i % 11 == 10 ? (Record("cold", i), "B") : (Record("hot", i), "A"));
        var sent = Drive(new PacedBatcher(records, StreamsLimits), budget, clock);

        Assert.Equal(5500, sent.Count);
        Assert.Equal(5500, sent.Select(s => s.Record).Distinct(ReferenceEqualityComparer.Instance).Count());
        foreach (var shard in new[] { "A", "B" })
        {
            var order = sent.Where(s => s.Shard == shard).Select(s => s.Record.Entries[0]).ToList();
            Assert.Equal(order.Order(), order); // per-shard order kept
        }
        // No one-second window holds more than 1,000 of shard A's records.
        var hot = sent.Where(s => s.Shard == "A").Select(s => s.At).ToList();
        int most = 0;
        for (int i = 0, j = 0; i < hot.Count; i++)
        {
            while (hot[i] - hot[j] >= TimeSpan.FromSeconds(1)) j++;
            most = Math.Max(most, i - j + 1);
        }
        Assert.Equal(1000, most);
        var hotTook = hot[^1];
        var coldDone = sent.Where(s => s.Shard == "B").Max(s => s.At);
        output.WriteLine($"hot shard: 5,000 records over {hotTook.TotalSeconds:F3} s, most in a 1-s window {most}; cold shard's 500 done at {coldDone.TotalSeconds:F3} s");
        // 5,000 records at 1,000 per window: the fifth window opens four seconds (plus the 1-ms answers) in.
        Assert.InRange(hotTook.TotalSeconds, 4.0, 4.1);
        // The cold shard's records did not wait behind the hot one's: all of them went in the first puts.
        Assert.True(coldDone < TimeSpan.FromMilliseconds(10), $"cold shard finished at {coldDone}");
    }

    [Fact]
    public void A_shard_is_paced_by_bytes_too()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        // 40 records of 100 KiB on one shard: 10 fit in a mebibyte, so four windows.
        var records = Enumerable.Range(0, 40).Select(i => (Record("k", i, 100 * 1024), (string?)"A")).ToList();
        var sent = Drive(new PacedBatcher(records, StreamsLimits), budget, clock);
        var perSecond = sent.GroupBy(s => (int)s.At.TotalSeconds).Select(g => g.Count()).ToList();
        Assert.Equal([10, 10, 10, 10], perSecond);
    }

    [Fact]
    public void A_batch_stays_within_the_request_limits_and_records_of_unknown_shards_are_not_paced()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        var records = Enumerable.Range(0, 1200).Select(i => (Record("k" + i, i), (string?)null)).ToList();
        var batcher = new PacedBatcher(records, StreamsLimits);
        var sizes = new List<int>();
        while (!batcher.IsEmpty)
        {
            var batch = batcher.Take(budget, budget.BeginPut(), out var wait);
            Assert.Equal(TimeSpan.Zero, wait);
            sizes.Add(batch.Count);
        }
        Assert.Equal([500, 500, 200], sizes);
    }

    [Fact]
    public void A_record_returned_for_a_retry_goes_before_its_shards_later_records()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        var records = Enumerable.Range(0, 6).Select(i => (Record("k", i), (string?)(i % 2 == 0 ? "A" : "B"))).ToList();
        var batcher = new PacedBatcher(records, new BatchLimits(2, long.MaxValue));
        var first = batcher.Take(budget, budget.BeginPut(), out _);
        Assert.Equal([0, 1], first.Select(r => r.Entries[0]));
        batcher.Return(first[0]); // shard A's record 0 failed
        var second = batcher.Take(budget, budget.BeginPut(), out _);
        Assert.Equal([0, 2], second.Select(r => r.Entries[0]));
    }

    [Fact]
    public void A_record_that_does_not_fit_the_request_holds_back_its_shards_later_records()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        // Limit 250 bytes: record 0 (100) fits, record 1 (200, shard A) does not, record 2 (100, shard A) would — but
        // must not overtake record 1; record 3 (shard B) may.
        var records = new List<(OutgoingRecord, string?)>
        {
            (Record("k", 0, 100), "B"), (Record("k", 1, 200), "A"), (Record("k", 2, 100), "A"), (Record("k", 3, 100), "B"),
        };
        var batcher = new PacedBatcher(records, new BatchLimits(500, 250));
        Assert.Equal([0, 3], batcher.Take(budget, budget.BeginPut(), out _).Select(r => r.Entries[0]));
        Assert.Equal([1], batcher.Take(budget, budget.BeginPut(), out _).Select(r => r.Entries[0]));
        Assert.Equal([2], batcher.Take(budget, budget.BeginPut(), out _).Select(r => r.Entries[0]));
    }
}
