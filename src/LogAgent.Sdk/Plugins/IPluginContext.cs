using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using Microsoft.Extensions.Logging;

namespace LogAgent.Sdk.Plugins;

/// <summary>What the engine offers a plugin. Plugins ask for services here rather than building them.</summary>
public interface IPluginContext
{
    /// <summary>The plugin's logger; its lines carry the plugin id.</summary>
    ILogger Logger { get; }

    /// <summary>The router an input emits into (its <c>@label</c>, or the root), or the one an output re-emits into.</summary>
    IEventRouter Router { get; }

    /// <summary>The router of a label, for plugins that send events elsewhere (relabel, timeout labels).</summary>
    IEventRouter GetLabelRouter(string label);

    /// <summary>
    /// Hands events a plugin rejected to the <c>@ERROR</c> label, or logs them when there is none
    /// (fluentd's <c>router.emit_error_event</c>).
    /// </summary>
    void EmitError(string tag, EventTime time, Record record, Exception error);

    /// <summary>Creates and configures a parser from a <c>&lt;parse&gt;</c> section, or the default type when absent.</summary>
    ParserPlugin CreateParser(ConfigSection? parseSection, string defaultType);

    /// <summary>Creates and configures a formatter from a <c>&lt;format&gt;</c> section, or the default type when absent.</summary>
    FormatterPlugin CreateFormatter(ConfigSection? formatSection, string defaultType);

    /// <summary>Creates, configures and attaches a child output (a copy <c>&lt;store&gt;</c>, a <c>&lt;secondary&gt;</c>).</summary>
    OutputPlugin CreateOutput(ConfigSection outputSection);

    /// <summary>This plugin instance's own counters; the engine shows them with the output's buffer metrics.</summary>
    PluginMetrics Metrics { get; }

    /// <summary>This host's name, as <c>hostname</c> in fluentd configs.</summary>
    string Hostname { get; }

    /// <summary>The worker index (always 0: LogAgent runs one worker process).</summary>
    int WorkerId { get; }

    /// <summary>The <c>&lt;system&gt; root_dir</c>, where plugins keep state by default; null when unset.</summary>
    string? RootDirectory { get; }
}
