using System.Buffers;

namespace LogAgent.Plugins.Kinesis.Records;

/// <summary>
/// Holds the data of one chunk's records, back to back in a few pooled blocks, for as long as the chunk is being
/// written. A chunk of 4 MiB is ~10,000 records that all live through several HTTP calls: an array each was
/// ~10,000 objects per chunk promoted out of gen0, the largest part of what the outputs allocated. Blocks are never
/// grown (that would move data that records already point at); a record that does not fit what is left of the
/// current block starts a new one, and a record larger than a block gets a block of its own.
/// Not thread-safe; everything copied is invalid once the arena is disposed.
/// </summary>
public sealed class RecordArena : IDisposable
{
    internal const int BlockSize = 1024 * 1024;

    private readonly List<byte[]> _blocks = new();
    private byte[]? _current;
    private int _used;

    /// <summary>Copies <paramref name="data"/> followed by <paramref name="suffix"/> (e.g. Firehose's newline).</summary>
    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix = default)
    {
        int length = data.Length + suffix.Length;
        if (_current is null || _current.Length - _used < length)
        {
            var block = ArrayPool<byte>.Shared.Rent(Math.Max(length, BlockSize));
            _blocks.Add(block);
            if (length >= BlockSize)
            {
                // Kept out of the current block, whose remainder can still take small records.
                Write(block, 0, data, suffix);
                return block.AsMemory(0, length);
            }
            _current = block;
            _used = 0;
        }
        var copy = Write(_current, _used, data, suffix);
        _used += length;
        return copy;
    }

    private static ReadOnlyMemory<byte> Write(byte[] block, int at, ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix)
    {
        data.CopyTo(block.AsSpan(at));
        suffix.CopyTo(block.AsSpan(at + data.Length));
        return block.AsMemory(at, data.Length + suffix.Length);
    }

    public void Dispose()
    {
        foreach (var block in _blocks) ArrayPool<byte>.Shared.Return(block);
        _blocks.Clear();
        _current = null;
    }
}
