using LogAgent.Plugins.Kinesis.Records;

namespace LogAgent.Tests.Kinesis.Batching;

/// <summary><see cref="RecordArena"/>: records copied back to back into pooled blocks stay intact until disposal.</summary>
public class RecordArenaTests
{
    [Fact]
    public void Every_copy_keeps_its_bytes_across_blocks_and_records_larger_than_a_block()
    {
        var random = new Random(7);
        using var arena = new RecordArena();
        var expected = new List<byte[]>();
        var copies = new List<ReadOnlyMemory<byte>>();
        // ~3 blocks of small records, with a 2.5-block record and a record of exactly a block among them.
        int[] sizes = [.. Enumerable.Range(0, 6000).Select(_ => random.Next(0, 1000)), (int)(2.5 * 1024 * 1024), 1024 * 1024, 17, 0, 999];
        foreach (int size in sizes)
        {
            var data = new byte[size];
            random.NextBytes(data);
            bool newline = random.Next(2) == 0;
            expected.Add(newline ? [.. data, (byte)'\n'] : data);
            copies.Add(arena.Copy(data, newline ? "\n"u8 : default));
        }
        for (int i = 0; i < sizes.Length; i++)
            Assert.True(expected[i].AsSpan().SequenceEqual(copies[i].Span), $"record {i} of {sizes[i]} bytes changed");
    }
}
