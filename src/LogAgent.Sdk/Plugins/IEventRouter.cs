using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Plugins;

/// <summary>Where events enter routing: filters in config order, then the first matching output.</summary>
public interface IEventRouter
{
    void Emit(EventStream stream);

    void Emit(string tag, EventTime time, Record record) => Emit(EventStream.Single(tag, time, record));
}
