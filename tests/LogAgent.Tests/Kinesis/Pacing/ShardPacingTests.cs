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
    public void A_shard_takes_a_thousand_records_a_second_and_refills_over_time()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        var taken = 0;
        while (budget.TryTake("s1", 100)) taken++;
        Assert.Equal(1000, taken);
        Assert.True(budget.TryTake("s2", 100), "another shard has its own budget");
        Assert.Equal(TimeSpan.FromMilliseconds(1), budget.WaitFor("s1", 100));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        taken = 0;
        while (budget.TryTake("s1", 100)) taken++;
        Assert.Equal(100, taken);
    }

    [Fact]
    public void A_shard_takes_a_mebibyte_a_second()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        var taken = 0;
        while (budget.TryTake("s1", 100 * 1024)) taken++;
        Assert.Equal(10, taken); // 10 × 100 KiB fit in 1 MiB, the 11th does not
        // 24 KiB are left; the missing 76 KiB come back in 76/1024 of a second.
        Assert.Equal(76.0 / 1024, budget.WaitFor("s1", 100 * 1024).TotalSeconds, 6);
        clock.Advance(TimeSpan.FromSeconds(0.07));
        Assert.False(budget.TryTake("s1", 100 * 1024));
        clock.Advance(TimeSpan.FromSeconds(0.005));
        Assert.True(budget.TryTake("s1", 100 * 1024));
    }

    [Fact]
    public void A_throttled_shard_is_drained_and_a_record_that_was_not_sent_is_given_back()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new ShardBudget(clock: clock);
        Assert.True(budget.TryTake("s1", 10));
        budget.Drain("s1");
        Assert.False(budget.TryTake("s1", 10));
        budget.GiveBack("s1", 10);
        Assert.True(budget.TryTake("s1", 10));
        Assert.False(budget.TryTake("s1", 10));
    }
}
