using LogAgent.Sdk.Config;

namespace LogAgent.Core.Engine;

/// <summary>The <c>&lt;system&gt;</c> directive: process-wide settings, with fluentd's names.</summary>
public sealed class SystemConfig
{
    [Parameter("log_level", "The agent's log level.", Aliases = new[] { "Log_Level" },
        AllowedValues = new[] { "trace", "debug", "info", "warn", "error", "fatal" })]
    public string? LogLevel { get; set; }

    [Parameter("root_dir", "Directory where plugins keep state (buffers, positions) unless told otherwise.")]
    public string? RootDir { get; set; }

    [Parameter("workers", "fluentd's worker process count. LogAgent runs one multi-threaded process; values above 1 are accepted and run as one worker.")]
    public int Workers { get; set; } = 1;

    [Parameter("process_name", "Process title (accepted for compatibility; the executable keeps its name).")]
    public string? ProcessName { get; set; }

    [Parameter("suppress_repeated_stacktrace", "Log a repeated stack trace only once.")]
    public bool SuppressRepeatedStacktrace { get; set; } = true;

    [Parameter("emit_error_log_interval", "Minimum seconds between 'emit transaction failed' log lines.", Kind = ParameterKind.Time)]
    public double EmitErrorLogInterval { get; set; }

    [Parameter("ignore_repeated_log_interval", "Suppress identical log lines within this many seconds.", Kind = ParameterKind.Time)]
    public double IgnoreRepeatedLogInterval { get; set; }

    [Parameter("without_source", "Start without any input plugin.")]
    public bool WithoutSource { get; set; }

    [Parameter("enable_input_metrics", "Collect input metrics (always on in LogAgent).")]
    public bool EnableInputMetrics { get; set; }

    [Parameter("enable_size_metrics", "Collect size metrics.")]
    public bool EnableSizeMetrics { get; set; }

    [Parameter("rpc_endpoint", "HOST:PORT of fluentd's RPC HTTP server (/api/config.reload, /api/plugins.flushBuffers, ...); served by the executable.")]
    public string? RpcEndpoint { get; set; }

    [Parameter("file_permission", "Permission of files plugins create, octal.")]
    public string? FilePermission { get; set; }

    [Parameter("dir_permission", "Permission of directories plugins create, octal.")]
    public string? DirPermission { get; set; }

    [Parameter("log_event_verbose", "Log events dropped by errors in full.")]
    public bool LogEventVerbose { get; set; }
}
