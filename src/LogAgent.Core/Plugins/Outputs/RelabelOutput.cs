using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>Sends events on to another label, unchanged (fluentd's out_relabel).</summary>
[Plugin(PluginKind.Output, "relabel", "Routes events to the label given by @label.")]
public sealed class RelabelOutput : OutputPlugin
{
    private IEventRouter? _target;

    [Parameter("@label", "The label to send events to (@ROOT for the top level).", Required = true)]
    public string Label { get; set; } = "";

    public override void Configure(ConfigSection config)
    {
        try
        {
            _target = Context.GetLabelRouter(Label);
        }
        catch (ConfigException e)
        {
            var at = config.Find("@label")!;
            throw new ConfigException(e.Reason, at);
        }
    }

    public override void Emit(EventStream stream) => _target!.Emit(stream);
}
