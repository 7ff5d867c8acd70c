using LogAgent.Core.Plugins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Core.Engine;

public sealed class EngineOptions
{
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
    public PluginRegistry Registry { get; init; } = PluginRegistry.CreateWithBuiltIns();
    public string Hostname { get; init; } = System.Net.Dns.GetHostName();
    /// <summary>How long each shutdown stage (stop inputs, flush outputs) may take before the engine moves on.</summary>
    public TimeSpan StageTimeout { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>
    /// Where buffered outputs keep dead letters when there is no <c>&lt;system&gt; root_dir</c> and no file buffer
    /// to keep them beside.
    /// </summary>
    public string FallbackStateDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "logagent");

    /// <summary>The config file the agent runs (shown by monitor_agent's /api/config.json); null when built from text.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The directories plugins were loaded from (shown by monitor_agent's /api/config.json).</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = Array.Empty<string>();

    /// <summary>The clock of buffers and retries; tests pass a manual one.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
