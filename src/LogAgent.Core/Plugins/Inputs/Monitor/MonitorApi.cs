using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LogAgent.Core.Engine;
using LogAgent.Core.Net;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Inputs.Monitor;

/// <summary>
/// fluentd in_monitor_agent's HTTP API (lib/fluent/plugin/in_monitor_agent.rb, APIHandler) over <see cref="AgentStatus"/>:
/// <c>/api/plugins.json</c> and <c>/api/plugins</c> (LTSV) list the plugins, <c>/api/config.json</c> and
/// <c>/api/config</c> describe the process; any other path is a 404 <c>{"message":"Not found"}</c>. Query options as
/// fluentd: <c>tag</c>, <c>@id</c>/<c>id</c>, <c>@type</c>/<c>type</c> select plugins, <c>with_config</c> and
/// <c>with_retry</c> override include_config / include_retry, <c>debug</c> pretty-prints (fluentd also dumps instance
/// variables, which have no meaning here); LogAgent adds <c>pretty_json</c>. <c>with_ivars</c> is ignored.
/// </summary>
internal sealed class MonitorApi(AgentStatus status, bool includeConfig, bool includeRetry)
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public HttpResponse Handle(HttpGetRequest request)
    {
        var query = ParseQuery(request.Query);
        return request.Path switch
        {
            "/api/plugins.json" => Json(new Record { ["plugins"] = SelectedPlugins(query) }, query),
            "/api/plugins" => HttpResponse.Text(Ltsv(SelectedPlugins(query))),
            "/api/config.json" => Json(ProcessRecord(), query),
            "/api/config" => HttpResponse.Text(Ltsv(new[] { ProcessRecord() })),
            _ => HttpResponse.Message(404, "Not found"),
        };
    }

    /// <summary>
    /// One plugin as fluentd's get_monitor_info shows it. Every plugin: plugin_id, plugin_category, type, config (when
    /// asked), output_plugin, retry_count (null where the engine keeps no counters: inputs, filters, unbuffered outputs).
    /// A buffered output adds the engine's counters under fluentd's names; an input or filter adds emit_records and
    /// emit_size (what it emitted or passed on); an output adds <c>retry</c> (when asked:
    /// start, steps and next_time while retrying, else empty). A plugin with counters of its own adds them under
    /// <c>plugin_metrics</c> (LogAgent's addition).
    /// </summary>
    public static Record PluginRecord(PluginStatus plugin, bool withConfig, bool withRetry)
    {
        var record = new Record
        {
            ["plugin_id"] = plugin.Id,
            ["plugin_category"] = PluginRegistry.KindName(plugin.Kind),
            ["type"] = plugin.Type,
        };
        if (withConfig)
        {
            var config = new Record();
            foreach (var (key, value) in plugin.Config) config[key] = value;
            record["config"] = config;
        }
        record["output_plugin"] = plugin.Kind == PluginKind.Output;
        if (plugin.Buffered is { } buffered)
        {
            var counters = buffered.Counters.ToDictionary(kv => kv.Key, kv => kv.Value);
            // fluentd's order: the old MONITOR_INFO keys first, then the output's statistics.
            foreach (var key in new[] { "buffer_queue_length", "buffer_total_queued_size", "retry_count" }) record[key] = counters[key];
            foreach (var (key, value) in buffered.Counters) record[key] = value;
            record["buffer_available_buffer_space_ratios"] = buffered.AvailableSpaceRatio;
        }
        else
        {
            record["retry_count"] = null;
        }
        // fluentd's input and filter statistics (plugin/input.rb, plugin/filter.rb): records and bytes emitted.
        if (plugin.Emits is { } emits)
        {
            record["emit_records"] = emits.Records;
            record["emit_size"] = emits.Bytes;
        }
        if (withRetry && plugin.Kind == PluginKind.Output)
        {
            var retry = new Record();
            if (plugin.Buffered?.Retry is { } state)
            {
                retry["start"] = RubyTimeText(state.Start);
                retry["steps"] = (long)state.Steps;
                retry["next_time"] = RubyTimeText(state.NextTime);
            }
            record["retry"] = retry;
        }
        if (plugin.PluginCounters.Count > 0)
        {
            var own = new Record();
            foreach (var (key, value) in plugin.PluginCounters) own[key] = value;
            record["plugin_metrics"] = own;
        }
        return record;
    }

    private List<object?> SelectedPlugins(IReadOnlyDictionary<string, string?> query)
    {
        bool withConfig = Flag(query, "with_config") ?? includeConfig;
        bool withRetry = Flag(query, "with_retry") ?? includeRetry;
        IEnumerable<PluginStatus> plugins;
        if (Value(query, "tag") is { } tag)
            plugins = status.OutputForTag(tag) is { } output ? new[] { output } : Array.Empty<PluginStatus>();
        else if ((Value(query, "@id") ?? Value(query, "id")) is { } id)
            plugins = status.Plugins().Where(p => p.Id == id).Take(1);
        else if ((Value(query, "@type") ?? Value(query, "type")) is { } type)
            plugins = status.Plugins().Where(p => p.Type == type);
        else
            plugins = status.Plugins();
        return plugins.Select(p => (object?)PluginRecord(p, withConfig, withRetry)).ToList();
    }

    // fluentd's /api/config.json is the process ids, the version and the supervisor's options; these are LogAgent's
    // counterparts of the options that apply to it.
    private Record ProcessRecord() => new()
    {
        ["pid"] = (long)Environment.ProcessId,
        ["ppid"] = ParentProcessId(),
        ["version"] = AgentStatus.Version,
        ["config_path"] = status.ConfigPath,
        ["plugin_dirs"] = status.PluginDirectories.Select(d => (object?)d).ToList(),
        ["log_level"] = status.LogLevel,
        ["root_dir"] = status.RootDirectory,
        ["workers"] = 1L,
        ["without_source"] = status.WithoutSource,
    };

    private static long? ParentProcessId()
    {
        // /proc/self/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ')'.
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null; // not Linux
        }
    }

    private static HttpResponse Json(Record body, IReadOnlyDictionary<string, string?> query)
    {
        var json = RecordJson.Serialize(body);
        bool pretty = Value(query, "debug") is not null || query.ContainsKey("pretty_json");
        if (pretty) json = JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Pretty);
        return HttpResponse.Json(200, json);
    }

    // LTSVMonitorServlet / render_ltsv: one line per record, "key:value" joined by tabs; nested maps are left out and
    // arrays joined by commas; values as Ruby's to_s prints them (nil is empty).
    private static string Ltsv(IEnumerable<object?> records)
    {
        var text = new StringBuilder();
        foreach (var record in records.OfType<Record>())
        {
            var row = new List<string>();
            foreach (var (key, value) in record)
            {
                if (value is IDictionary) continue;
                row.Add(key + ":" + (value is IList list and not byte[]
                    ? string.Join(',', list.Cast<object?>().Select(RubyValueText.RubyToS))
                    : RubyValueText.RubyToS(value)));
            }
            text.Append(string.Join('\t', row)).Append('\n');
        }
        return text.ToString();
    }

    // Ruby's Time#to_s, which is how a Time in the retry hash reaches fluentd's JSON: "2016-11-24 08:54:40 +0900".
    private static string RubyTimeText(DateTimeOffset time)
    {
        var local = time.ToLocalTime();
        var offset = local.Offset;
        return local.ToString("yyyy-MM-dd HH:mm:ss ", CultureInfo.InvariantCulture)
            + (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString("hhmm", CultureInfo.InvariantCulture);
    }

    // CGI.parse: pairs split on & and ;, each name and value unescaped ('+' is a space); the first value of a name
    // counts. A name without '=' has no value (null here), which fluentd treats as absent.
    private static Dictionary<string, string?> ParseQuery(string query)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', ';'))
        {
            if (pair.Length == 0) continue;
            int eq = pair.IndexOf('=');
            var name = Unescape(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? null : Unescape(pair[(eq + 1)..]);
            if (!result.TryGetValue(name, out var existing) || existing is null) result[name] = value;
        }
        return result;
    }

    private static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string? Value(IReadOnlyDictionary<string, string?> query, string name) => query.GetValueOrDefault(name);

    // Fluent::Config.bool_value: "true", "yes" and "" are true, "false" and "no" false; anything else counts as false.
    private static bool? Flag(IReadOnlyDictionary<string, string?> query, string name) =>
        Value(query, name) is { } text ? text is "true" or "yes" or "" : null;
}
