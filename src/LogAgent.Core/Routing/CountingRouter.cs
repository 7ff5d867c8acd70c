using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Routing;

/// <summary>An input's router: counts each stream where it enters routing (<see cref="EmitCounter"/>), then routes it.</summary>
internal sealed class CountingRouter(IEventRouter inner, EmitCounter counter) : IEventRouter
{
    public void Emit(EventStream stream)
    {
        if (stream.IsEmpty) return;
        counter.Add(stream);
        inner.Emit(stream);
    }
}
