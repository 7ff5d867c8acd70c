namespace LogAgent.Sdk.Events;

/// <summary>
/// A decoded record: string keys, values that are null, bool, long, ulong, double, string, byte[],
/// <see cref="EventTime"/>, <see cref="List{T}"/> of values or a nested <see cref="Record"/>.
/// Only filters and formatters decode records; the router and pass-through outputs keep msgpack bytes.
/// </summary>
public sealed class Record : Dictionary<string, object?>
{
    public Record() : base(StringComparer.Ordinal) { }
    public Record(int capacity) : base(capacity, StringComparer.Ordinal) { }
    public Record(IDictionary<string, object?> source) : base(source, StringComparer.Ordinal) { }
}
