using System.Numerics;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Pacing;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.Pacing;

public class ShardPacingTests
{
    private static readonly BigInteger Max = BigInteger.Pow(2, 128) - 1;

    private static KinesisShard Shard(string id, BigInteger start, BigInteger end, bool open = true) =>
        new(id, start, end, null, null, "1", open ? null : "2");

    [Fact]
    public void The_hash_key_is_the_md5_of_the_partition_key_as_an_unsigned_big_endian_number()
    {
        // md5("a") = 0cc175b9c0f1b6a831c399e269772661
        Assert.Equal(BigInteger.Parse("00cc175b9c0f1b6a831c399e269772661", System.Globalization.NumberStyles.HexNumber), ShardMap.HashKey("a"));
        Assert.True(ShardMap.HashKey("key-with-high-bit-7") >= 0);
    }

    [Fact]
    public void A_record_goes_to_the_open_shard_whose_range_holds_its_hash_key()
    {
        var half = Max / 2;
        var map = new ShardMap(new[]
        {
            Shard("shardId-000000000000", 0, Max, open: false), // the parent of a split takes no more writes
            Shard("shardId-000000000001", 0, half),
            Shard("shardId-000000000002", half + 1, Max),
        });
        foreach (var key in Enumerable.Range(0, 200).Select(i => $"host-{i}"))
        {
            var expected = ShardMap.HashKey(key) <= half ? "shardId-000000000001" : "shardId-000000000002";
            Assert.Equal(expected, map.ShardFor(key));
        }
        Assert.Equal("shardId-000000000002", map.ShardFor("ignored", explicitHashKey: Max.ToString()));
        Assert.False(map.Knows("shardId-000000000000"));
    }

    [Fact]
    public void A_shard_takes_a_thousand_records_in_any_second_and_another_thousand_a_second_after_they_were_answered()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        var put = budget.BeginPut();
        var taken = 0;
        while (budget.TryTake(put, "s1", 100)) taken++;
        Assert.Equal(1000, taken);
        Assert.True(budget.TryTake(budget.BeginPut(), "s2", 100), "another shard has its own budget");
        // Still in flight: when it stops counting is not known yet, so look again soon.
        Assert.Equal(ShardBudget.InFlightPoll, budget.WaitFor("s1", 100));
        clock.Advance(TimeSpan.FromMilliseconds(30));
        budget.Settle(put);
        Assert.Equal(TimeSpan.FromSeconds(1), budget.WaitFor("s1", 100));
        // Unlike a token bucket, nothing trickles back within the second: a per-second limit would throttle it.
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(budget.TryTake(budget.BeginPut(), "s1", 100));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var next = budget.BeginPut();
        taken = 0;
        while (budget.TryTake(next, "s1", 100)) taken++;
        Assert.Equal(1000, taken);
    }

    [Fact]
    public void A_shard_takes_a_mebibyte_in_any_second()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        var first = budget.BeginPut();
        var taken = 0;
        while (budget.TryTake(first, "s1", 100 * 1024)) taken++;
        Assert.Equal(10, taken); // 10 × 100 KiB fit in 1 MiB, the 11th does not
        budget.Settle(first);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        var second = budget.BeginPut();
        Assert.True(budget.TryTake(second, "s1", 24 * 1024), "the 24 KiB left in the window");
        budget.Settle(second);
        Assert.False(budget.TryTake(budget.BeginPut(), "s1", 1));
        // The first put's 1000 KiB leave the window one second after it was answered.
        Assert.Equal(TimeSpan.FromSeconds(0.5), budget.WaitFor("s1", 100 * 1024));
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.True(budget.TryTake(budget.BeginPut(), "s1", 1000 * 1024));
    }

    [Fact]
    public void A_record_larger_than_a_seconds_bytes_goes_alone_once_the_window_is_empty()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        var put = budget.BeginPut();
        Assert.True(budget.TryTake(put, "s1", 10));
        Assert.False(budget.TryTake(put, "s1", 2 * 1024 * 1024));
        budget.Settle(put);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(budget.TryTake(budget.BeginPut(), "s1", 2 * 1024 * 1024));
    }

    [Fact]
    public void A_throttled_shard_is_drained_for_a_second_and_a_record_that_was_not_sent_is_given_back()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        var put = budget.BeginPut();
        while (budget.TryTake(put, "s1", 10)) { }
        budget.GiveBack(put, "s1", 10);
        Assert.True(budget.TryTake(put, "s1", 10), "the record given back made room for one");
        Assert.False(budget.TryTake(put, "s1", 10));
        budget.Settle(put);
        clock.Advance(TimeSpan.FromSeconds(1));
        budget.Drain("s1");
        Assert.False(budget.TryTake(budget.BeginPut(), "s1", 10));
        Assert.True(budget.TryTake(budget.BeginPut(), "s2", 10), "only the throttled shard is drained");
        // The unknown use that filled the window leaves it a tenth at a time: 100 records a tenth of a second.
        Assert.Equal(TimeSpan.FromSeconds(0.1), budget.WaitFor("s1", 10));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        var put2 = budget.BeginPut();
        int taken = 0;
        while (budget.TryTake(put2, "s1", 10)) taken++;
        Assert.Equal(100, taken);
        budget.Settle(put2);
        clock.Advance(TimeSpan.FromSeconds(0.9));
        taken = 0;
        var put3 = budget.BeginPut();
        while (budget.TryTake(put3, "s1", 10)) taken++;
        Assert.Equal(900, taken); // the drain is gone; put2's 100 still count until 1.1 s
    }
}
