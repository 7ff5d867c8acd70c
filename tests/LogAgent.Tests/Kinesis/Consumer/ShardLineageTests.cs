using System.Numerics;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Consumer;

namespace LogAgent.Tests.Kinesis.Consumer;

/// <summary>Which shards a consumer may read, after splits and merges, from a listing and the checkpoints.</summary>
public class ShardLineageTests
{
    private static readonly DateTimeOffset Saved = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> NoneReading = [];

    private static KinesisShard Shard(string id, string? parent = null, string? adjacent = null, bool closed = false) =>
        new(id, BigInteger.Zero, BigInteger.One, parent, adjacent, "1", closed ? "9" : null);

    private static ShardCheckpoint At(string sequence, ShardProgress progress = ShardProgress.Open, long? sub = null) =>
        new(progress, sequence, sub, [], null, Saved);

    private static IReadOnlyList<string> ReadyIds(LineagePlan plan) => plan.Ready.Select(r => r.ShardId).ToList();

    // A (closed) split into B and C; B and C (closed) merged into D.
    private static readonly KinesisShard[] SplitThenMerge =
    [
        Shard("A", closed: true), Shard("B", "A", closed: true), Shard("C", "A", closed: true), Shard("D", "B", "C"),
    ];

    [Fact]
    public void From_the_trim_horizon_only_the_oldest_ancestor_is_read_first()
    {
        var plan = ShardLineage.Plan(SplitThenMerge, new Dictionary<string, ShardCheckpoint>(), InitialPosition.TrimHorizon, null, NoneReading);
        var start = Assert.Single(plan.Ready);
        Assert.Equal("A", start.ShardId);
        Assert.Equal("TRIM_HORIZON", start.Start.Type);
    }

    [Fact]
    public void Children_of_a_split_start_at_their_horizon_once_the_parent_ended()
    {
        var checkpoints = new Dictionary<string, ShardCheckpoint> { ["A"] = At("5", ShardProgress.ShardEnd) };
        var plan = ShardLineage.Plan(SplitThenMerge, checkpoints, InitialPosition.Latest, null, NoneReading);
        Assert.Equal(["B", "C"], ReadyIds(plan));
        Assert.All(plan.Ready, r => Assert.Equal("TRIM_HORIZON", r.Start.Type)); // not LATEST: the lineage was being read
    }

    [Fact]
    public void A_merged_child_waits_for_both_parents()
    {
        var oneParentDone = new Dictionary<string, ShardCheckpoint>
        {
            ["A"] = At("5", ShardProgress.ShardEnd), ["B"] = At("6", ShardProgress.ShardEnd), ["C"] = At("7"),
        };
        var plan = ShardLineage.Plan(SplitThenMerge, oneParentDone, InitialPosition.TrimHorizon, null, new HashSet<string> { "C" });
        Assert.Empty(plan.Ready);

        var bothDone = new Dictionary<string, ShardCheckpoint>(oneParentDone) { ["C"] = At("7", ShardProgress.ShardEnd) };
        Assert.Equal(["D"], ReadyIds(ShardLineage.Plan(SplitThenMerge, bothDone, InitialPosition.TrimHorizon, null, NoneReading)));
    }

    [Fact]
    public void A_parent_trimmed_from_the_listing_does_not_block_its_child()
    {
        var listed = new[] { Shard("B", "A"), Shard("C", "A") }; // A expired from the stream
        Assert.Equal(["B", "C"], ReadyIds(ShardLineage.Plan(listed, new Dictionary<string, ShardCheckpoint>(), InitialPosition.TrimHorizon, null, NoneReading)));
    }

    [Fact]
    public void Under_latest_closed_shards_never_read_are_passed_over_and_open_ones_start_at_latest()
    {
        var plan = ShardLineage.Plan(SplitThenMerge, new Dictionary<string, ShardCheckpoint>(), InitialPosition.Latest, null, NoneReading);
        var start = Assert.Single(plan.Ready);
        Assert.Equal("D", start.ShardId);
        Assert.Equal("LATEST", start.Start.Type);
    }

    [Fact]
    public void A_checkpoint_resumes_after_its_record_or_at_it_for_an_aggregate_emitted_in_part()
    {
        var listed = new[] { Shard("A"), Shard("B") };
        var checkpoints = new Dictionary<string, ShardCheckpoint> { ["A"] = At("100"), ["B"] = At("200", sub: 3) };
        var plan = ShardLineage.Plan(listed, checkpoints, InitialPosition.Latest, null, NoneReading);
        var a = plan.Ready.Single(r => r.ShardId == "A");
        var b = plan.Ready.Single(r => r.ShardId == "B");
        Assert.Equal(ShardIteratorStart.After("100"), a.Start);
        Assert.Null(a.SkipThrough);
        Assert.Equal(ShardIteratorStart.At("200"), b.Start);
        Assert.Equal(3, b.SkipThrough);
    }

    [Fact]
    public void Shards_being_read_or_finished_are_not_started_again_and_departed_ones_are_reported()
    {
        var listed = new[] { Shard("B", "A"), Shard("C") };
        var checkpoints = new Dictionary<string, ShardCheckpoint>
        {
            ["A"] = At("1", ShardProgress.ShardEnd), ["B"] = At("2"), ["X"] = At("3"), ["C"] = At("4"),
        };
        var plan = ShardLineage.Plan(listed, checkpoints, InitialPosition.TrimHorizon, null, new HashSet<string> { "C" });
        Assert.Equal(["B"], ReadyIds(plan));
        Assert.Equal(["A"], plan.Finished);
        Assert.Equal(["X"], plan.Vanished);
    }

    [Fact]
    public void At_timestamp_starts_unread_shards_at_that_time()
    {
        var at = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var start = Assert.Single(ShardLineage.Plan([Shard("A")], new Dictionary<string, ShardCheckpoint>(), InitialPosition.AtTimestamp, at, NoneReading).Ready);
        Assert.Equal(ShardIteratorStart.AtTimestamp(at), start.Start);
    }
}
