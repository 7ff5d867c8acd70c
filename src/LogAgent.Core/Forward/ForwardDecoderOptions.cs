using LogAgent.Sdk.Events;

namespace LogAgent.Core.Forward;

/// <summary>How a <see cref="ForwardMessageDecoder"/> treats what it reads.</summary>
public sealed record ForwardDecoderOptions
{
    /// <summary>
    /// in_forward's <c>skip_invalid_event</c>: drop an entry whose time is not a time or whose record is not a map,
    /// keep the rest. When false such an entry makes the whole request malformed.
    /// </summary>
    public bool SkipInvalidEvent { get; init; }

    /// <summary>The time given to events sent with time 0 or nil (fluentd's in_forward: <c>EventTime.now</c>).</summary>
    public Func<EventTime> Now { get; init; } = () => EventTime.Now;

    /// <summary>
    /// Upper bound of the entries of one CompressedPackedForward request once inflated (the forward input's
    /// <c>decompressed_size_limit</c>). 256 MiB: far above fluentd's default 8 MiB chunk even at a 30x ratio, and
    /// small enough that one request cannot take the agent's memory.
    /// </summary>
    public long MaxDecompressedBytes { get; init; } = DefaultMaxDecompressedBytes;

    public const long DefaultMaxDecompressedBytes = 256L << 20;
}
