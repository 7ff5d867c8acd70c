using LogAgent.Sdk.Events;

namespace LogAgent.Core.Routing;

/// <summary>
/// Records and bytes an input handed the router, or a filter passed on (fluentd's emit_records and emit_size for
/// inputs and filters). Counted once per stream, two atomic adds, never per event: the bytes are the stream's msgpack
/// entries, which is what fluentd's emit_size measures (the event stream's msgpack size).
/// </summary>
public sealed class EmitCounter
{
    private long _records, _bytes;

    public long Records => Interlocked.Read(ref _records);
    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(EventStream stream)
    {
        Interlocked.Add(ref _records, stream.Count);
        Interlocked.Add(ref _bytes, stream.Entries.Length);
    }
}
