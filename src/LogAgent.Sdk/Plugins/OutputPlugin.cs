using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Plugins;

/// <summary>
/// An output receives the events of the <c>&lt;match&gt;</c> it belongs to. It starts first and shuts down last.
/// <see cref="Emit"/> may throw: the router then logs the failure and hands the events to <c>@ERROR</c>.
/// </summary>
public abstract class OutputPlugin : Plugin
{
    public abstract void Emit(EventStream stream);
}
