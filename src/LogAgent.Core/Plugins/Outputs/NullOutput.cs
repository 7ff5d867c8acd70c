using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>Discards events (fluentd's out_null); counts them so tests and benchmarks can see what arrived.</summary>
[Plugin(PluginKind.Output, "null", "Discards events.")]
public sealed class NullOutput : OutputPlugin
{
    private long _events;

    public long EventCount => Interlocked.Read(ref _events);

    public override void Emit(EventStream stream) => Interlocked.Add(ref _events, stream.Count);
}
