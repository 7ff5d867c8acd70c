namespace LogAgent.Sdk.Buffers;

/// <summary>
/// The chunk-key values that select a chunk: the tag (when <c>tag</c> is a chunk key), the start of the time slice
/// (when <c>time</c> is, unix seconds) and the values of record-key chunk keys. Events with equal metadata share a
/// chunk (fluentd's Buffer::Metadata). Equality is by value.
/// </summary>
public sealed class ChunkMetadata : IEquatable<ChunkMetadata>
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    public ChunkMetadata(string? tag, long? timekey, IReadOnlyDictionary<string, string>? variables)
    {
        Tag = tag;
        Timekey = timekey;
        Variables = variables ?? NoVariables;
    }

    public static ChunkMetadata Empty { get; } = new(null, null, null);

    public string? Tag { get; }
    public long? Timekey { get; }
    public IReadOnlyDictionary<string, string> Variables { get; }

    public bool Equals(ChunkMetadata? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (Tag != other.Tag || Timekey != other.Timekey || Variables.Count != other.Variables.Count) return false;
        foreach (var (k, v) in Variables)
            if (!other.Variables.TryGetValue(k, out var w) || w != v) return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as ChunkMetadata);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Tag);
        hash.Add(Timekey);
        foreach (var (k, v) in Variables.OrderBy(kv => kv.Key, StringComparer.Ordinal)) { hash.Add(k); hash.Add(v); }
        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"tag={Tag ?? "-"} timekey={Timekey?.ToString() ?? "-"} variables={{{string.Join(",", Variables.Select(kv => kv.Key + "=" + kv.Value))}}}";
}
