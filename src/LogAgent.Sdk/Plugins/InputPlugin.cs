namespace LogAgent.Sdk.Plugins;

/// <summary>
/// An input produces events and emits them through <see cref="IPluginContext.Router"/>. It starts last and
/// stops first. <c>@label</c> on the source chooses the router it gets.
/// </summary>
public abstract class InputPlugin : Plugin
{
    [Sdk.Config.Parameter("@label", "Route this source's events to the named label instead of the top level.")]
    public string? Label { get; set; }
}
