using LogAgent.Sdk.Config;
using Microsoft.Extensions.Logging;

namespace LogAgent.Sdk.Plugins;

/// <summary>
/// Base of every plugin. The engine drives an explicit lifecycle, in this order:
/// attach (context given) → bind parameters → <see cref="Configure"/> → <see cref="StartAsync"/> →
/// <see cref="StopAsync"/> → <see cref="ShutdownAsync"/>. On shutdown inputs stop first and outputs last,
/// so whatever an input emitted before it stopped still reaches its output.
/// </summary>
public abstract class Plugin
{
    private IPluginContext? _context;

    /// <summary>Services the engine gives the plugin: logger, router, parser and formatter factories.</summary>
    public IPluginContext Context => _context ?? throw new InvalidOperationException($"{GetType().Name} is not attached to an engine yet");

    protected ILogger Log => Context.Logger;

    [Parameter("@id", "A unique id for this plugin instance, used in logs, metrics and buffer paths.")]
    public string? Id { get; set; }

    [Parameter("@log_level", "This plugin's own log level (trace, debug, info, warn, error, fatal).",
        AllowedValues = new[] { "trace", "debug", "info", "warn", "error", "fatal" })]
    public string? LogLevel { get; set; }

    /// <summary>Called once by the engine before configuration.</summary>
    public void Attach(IPluginContext context) => _context = context;

    /// <summary>
    /// Called after the declared parameters were bound. Validate combinations and read anything the
    /// declarations cannot express; throw <see cref="ConfigException"/> naming <paramref name="config"/> on error.
    /// </summary>
    public virtual void Configure(ConfigSection config) { }

    public virtual Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stop producing or accepting new work (inputs close their listeners here).</summary>
    public virtual Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Release everything: flush and close files and connections.</summary>
    public virtual Task ShutdownAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
