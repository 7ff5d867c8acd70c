using LogAgent.Plugins.Kinesis.Consumer;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.Consumer;

/// <summary>The consumer's state file on a real file system: round trip, the lock, and every unreadable file refused by name.</summary>
public class ShardCheckpointStoreTests
{
    private static readonly DateTimeOffset Saved = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static ShardCheckpoint Open(string sequence, long? sub = null, params string[] parents) =>
        new(ShardProgress.Open, sequence, sub, parents, Saved.AddSeconds(-3), Saved);

    [Fact]
    public void Checkpoints_survive_reopening_exactly()
    {
        using var dir = new TempDirectory();
        var path = dir.File("state/stream-a.json");
        using (var store = ShardCheckpointStore.Open(path, "stream-a"))
        {
            store.Set("shardId-000000000000", Open("49590338271490256608559692538361571095921575989136588802"));
            store.Set("shardId-000000000001", Open("49590338271490256608559692538361571095921575989136588899", 7));
            store.Set("shardId-000000000002", new ShardCheckpoint(ShardProgress.ShardEnd, "4959", null, ["shardId-000000000000", "shardId-000000000001"], null, Saved));
        }
        Assert.False(File.Exists(path + ".tmp"), "the temporary file was left behind");

        using var reopened = ShardCheckpointStore.Open(path, "stream-a");
        var shards = reopened.Shards;
        Assert.Equal(3, shards.Count);
        Assert.Equal(Open("49590338271490256608559692538361571095921575989136588802") with { Parents = shards["shardId-000000000000"].Parents },
            shards["shardId-000000000000"]);
        Assert.Equal(7, shards["shardId-000000000001"].SubSequenceNumber);
        Assert.Equal(ShardProgress.ShardEnd, shards["shardId-000000000002"].Progress);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], shards["shardId-000000000002"].Parents);
        Assert.Equal(Saved.AddSeconds(-3), shards["shardId-000000000000"].LastArrival);
    }

    [Fact]
    public void A_save_replaces_the_file_instead_of_rewriting_it_in_place()
    {
        using var dir = new TempDirectory();
        var path = dir.File("s.json");
        using var store = ShardCheckpointStore.Open(path, "s");
        store.Set("shardId-000000000000", Open("1"));
        // A reader holding the old file keeps reading the old, whole contents: the new state arrived by rename.
        using var before = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var oldText = new StreamReader(before).ReadToEnd();
        store.Set("shardId-000000000000", Open("2"));
        before.Position = 0;
        Assert.Equal(oldText, new StreamReader(before).ReadToEnd());
        Assert.Contains("\"sequence_number\": \"2\"", File.ReadAllText(path));
    }

    [Fact]
    public void A_second_consumer_of_the_same_state_is_refused_while_the_first_holds_it()
    {
        using var dir = new TempDirectory();
        var path = dir.File("s.json");
        using (var first = ShardCheckpointStore.Open(path, "s"))
        {
            var e = Assert.Throws<IOException>(() => ShardCheckpointStore.Open(path, "s"));
            Assert.Contains("in use by another process", e.Message);
            Assert.Contains(path, e.Message);
        }
        using var again = ShardCheckpointStore.Open(path, "s"); // released on dispose
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("truncated")]
    [InlineData("garbage")]
    [InlineData("other-stream")]
    [InlineData("bad-sequence")]
    [InlineData("bad-state")]
    [InlineData("no-state")]
    public void An_unreadable_state_file_is_an_error_naming_it_and_is_left_untouched(string damage)
    {
        using var dir = new TempDirectory();
        var path = dir.File("s.json");
        using (var store = ShardCheckpointStore.Open(path, "s"))
            store.Set("shardId-000000000000", Open("12345"));
        var whole = File.ReadAllText(path);
        var damaged = damage switch
        {
            "empty" => "",
            "truncated" => whole[..(whole.Length / 2)],
            "garbage" => "\u0001\u0002 not json",
            "other-stream" => whole.Replace("\"stream\": \"s\"", "\"stream\": \"t\""),
            "bad-sequence" => whole.Replace("12345", "12x45"),
            "bad-state" => whole.Replace("\"OPEN\"", "\"HALF\""),
            _ => whole.Replace("\"state\": \"OPEN\",", ""),
        };
        Assert.NotEqual(whole, damaged);
        File.WriteAllText(path, damaged);

        var e = Assert.Throws<CheckpointFileException>(() => ShardCheckpointStore.Open(path, "s"));
        Assert.Contains(path, e.Message);
        if (damage == "no-state") Assert.Contains("shard shardId-000000000000 has no \"state\"", e.Message);
        Assert.Equal(damaged, File.ReadAllText(path));
    }

    [Fact]
    public void A_temporary_file_left_by_a_crash_before_the_rename_is_ignored()
    {
        using var dir = new TempDirectory();
        var path = dir.File("s.json");
        using (var store = ShardCheckpointStore.Open(path, "s"))
            store.Set("shardId-000000000000", Open("100"));
        File.WriteAllText(path + ".tmp", "{\"version\": 1, \"stream\": \"s\", \"sha"); // torn write of a newer state
        using var reopened = ShardCheckpointStore.Open(path, "s");
        Assert.Equal("100", reopened.Get("shardId-000000000000")!.SequenceNumber);
        Assert.False(File.Exists(path + ".tmp"));
    }
}
