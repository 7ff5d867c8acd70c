using LogAgent.Sdk.Events;

namespace LogAgent.Core.Forward;

/// <summary>The event modes of Forward Protocol Specification v1 ("Event Modes").</summary>
public enum ForwardMode
{
    /// <summary><c>[tag, time, record(, option)]</c>.</summary>
    Message,
    /// <summary><c>[tag, [[time, record], …](, option)]</c>.</summary>
    Forward,
    /// <summary><c>[tag, bin|str entries(, option)]</c>: entries are concatenated msgpack <c>[time, record]</c>.</summary>
    PackedForward,
    /// <summary>PackedForward with <c>compressed: "gzip"</c>: entries are one or more gzip members.</summary>
    CompressedPackedForward,
}

/// <summary>
/// The <c>chunk</c> option of a request exactly as it arrived: its bytes and whether it was msgpack bin or str.
/// fluentd's in_forward answers <c>{"ack": chunk}</c> with the same object it received, so the type is kept
/// (corpus README, receiver checklist 4: str → fixstr, bin → bin8).
/// </summary>
public readonly record struct AckChunk(byte[] Bytes, bool IsBinary);

/// <summary>One decoded forward request: the events as an <see cref="EventStream"/> and the options that matter.</summary>
public sealed class ForwardRequest
{
    public required ForwardMode Mode { get; init; }
    public required string Tag { get; init; }

    /// <summary>The accepted events; PackedForward entries are the bytes as they arrived unless they had to be normalised.</summary>
    public required EventStream Events { get; init; }

    /// <summary>The <c>chunk</c> option; when present the sender waits for an ack.</summary>
    public AckChunk? Chunk { get; init; }

    /// <summary>The <c>size</c> option, when it was an integer.</summary>
    public long? Size { get; init; }

    /// <summary>Events dropped because of skip_invalid_event, and why the first one was invalid.</summary>
    public int SkippedEvents { get; init; }
    public string? SkipReason { get; init; }

    /// <summary>
    /// Set when the request is well-formed but must not be emitted nor acked (fluentd's in_forward drops a request whose
    /// tag is not valid UTF-8 with a warning and keeps the connection).
    /// </summary>
    public string? DropReason { get; init; }
}
