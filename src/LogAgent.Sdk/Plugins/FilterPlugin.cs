using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Plugins;

/// <summary>
/// A filter changes, drops or passes events on their way to a match. Filters are the only place records are
/// decoded. Override <see cref="FilterRecord"/> for a per-record filter, or <see cref="Filter"/> to work on the
/// whole stream (for instance to pass bytes through untouched).
/// </summary>
public abstract class FilterPlugin : Plugin
{
    /// <summary>Filters a whole stream. The default decodes each record and calls <see cref="FilterRecord"/>.</summary>
    public virtual EventStream Filter(EventStream stream)
    {
        var output = new EventStreamBuilder(stream.Tag, stream.Entries.Length + 64);
        foreach (var entry in stream)
        {
            Record? result;
            var record = entry.DecodeRecord();
            try
            {
                result = FilterRecord(stream.Tag, entry.Time, record);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Context.EmitError(stream.Tag, entry.Time, record, e);
                continue;
            }
            if (result is not null) output.Add(entry.Time, result);
        }
        return output.Build();
    }

    /// <summary>Returns the record to pass on (the same object or a new one), or null to drop the event.</summary>
    public virtual Record? FilterRecord(string tag, EventTime time, Record record) => record;
}
