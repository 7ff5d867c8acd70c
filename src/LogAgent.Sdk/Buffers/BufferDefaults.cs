namespace LogAgent.Sdk.Buffers;

/// <summary>
/// A buffered output's own defaults for its <c>&lt;buffer&gt;</c> section (fluentd's <c>config_section :buffer do
/// config_set_default …</c>): the operator's values still win. Null means the engine's default.
/// </summary>
public sealed record BufferDefaults
{
    /// <summary>Chunk keys used when the &lt;buffer&gt; section has no argument, e.g. "tag" for out_forward.</summary>
    public string? ChunkKeys { get; init; }
    public long? ChunkLimitSize { get; init; }
    public int? ChunkLimitRecords { get; init; }
    public double? FlushInterval { get; init; }
    public string? FlushMode { get; init; }
    public double? Timekey { get; init; }
    public string? BufferType { get; init; }
    public bool? FlushAtShutdown { get; init; }
    /// <summary>
    /// A file buffer's path when the operator gives neither a path nor <c>root_dir</c> with an <c>@id</c> (out_file
    /// uses its own path, as fluentd does).
    /// </summary>
    public string? FallbackPath { get; init; }
}
