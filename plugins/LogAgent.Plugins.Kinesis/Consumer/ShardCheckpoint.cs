namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>Whether a shard is still being read or was read to its end (closed by a split or merge).</summary>
public enum ShardProgress { Open, ShardEnd }

/// <summary>
/// How far one shard has been read and emitted: the last record whose events every matching output's buffer accepted
/// (<see cref="SequenceNumber"/>), and, for a KPL aggregate emitted in part, the last sub-record emitted
/// (<see cref="SubSequenceNumber"/>; null when the record was emitted whole). <see cref="Parents"/> keep the lineage, so
/// a child is read only after its parents; <see cref="LastArrival"/> (the record's ApproximateArrivalTimestamp) tells
/// whether the stream's retention has passed the checkpoint. The KCL's lease minus its ownership fields: one agent
/// reads a state file (research: kinesis-input.md §4.5).
/// </summary>
public sealed record ShardCheckpoint(
    ShardProgress Progress,
    string? SequenceNumber,
    long? SubSequenceNumber,
    IReadOnlyList<string> Parents,
    DateTimeOffset? LastArrival,
    DateTimeOffset SavedAt);
