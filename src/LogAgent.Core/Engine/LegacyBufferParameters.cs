using LogAgent.Sdk.Config;

namespace LogAgent.Core.Engine;

/// <summary>
/// fluentd v0.12 buffer parameters written directly in <c>&lt;match&gt;</c> (<c>buffer_type file</c>,
/// <c>buffer_path</c>, <c>flush_interval</c> …), converted into a <c>&lt;buffer&gt;</c> section as fluentd's
/// compat_parameters helper does (lib/fluent/plugin_helper/compat_parameters.rb, BUFFER_PARAMS), so old td-agent
/// configs keep their buffering.
/// </summary>
internal static class LegacyBufferParameters
{
    private static readonly Dictionary<string, string> Map = new()
    {
        ["buffer_type"] = "@type",
        ["buffer_path"] = "path",
        ["num_threads"] = "flush_thread_count",
        ["flush_interval"] = "flush_interval",
        ["try_flush_interval"] = "flush_thread_interval",
        ["queued_chunk_flush_interval"] = "flush_thread_burst_interval",
        ["disable_retry_limit"] = "retry_forever",
        ["retry_limit"] = "retry_max_times",
        ["max_retry_wait"] = "retry_max_interval",
        ["buffer_chunk_limit"] = "chunk_limit_size",
        ["buffer_queue_limit"] = "queue_limit_length",
        ["buffer_queue_full_action"] = "overflow_action",
        ["flush_at_shutdown"] = "flush_at_shutdown",
        ["retry_wait"] = "retry_wait",
        ["time_slice_format"] = "timekey_format_legacy",
    };

    /// <summary>A &lt;buffer&gt; section made of the legacy parameters, or null when there are none.</summary>
    public static ConfigSection? ToBufferSection(ConfigSection output)
    {
        ConfigSection? buffer = null;
        foreach (var p in output.Parameters)
        {
            if (!Map.TryGetValue(p.Key, out var name) || name == "timekey_format_legacy") continue;
            buffer ??= new ConfigSection("buffer", "", output.File, output.Line);
            var value = p.Key == "buffer_queue_full_action" && p.Value == "exception" ? "throw_exception" : p.Value;
            buffer.Add(new ConfigParameter(name, value, p.File, p.Line));
            output.UsedParameters.Add(p.Key);
        }
        return buffer;
    }
}
