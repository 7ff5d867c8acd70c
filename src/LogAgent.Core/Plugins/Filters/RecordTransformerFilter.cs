using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// fluentd's record_transformer filter (lib/fluent/plugin/filter_record_transformer.rb): adds or replaces fields
/// from templates in <c>&lt;record&gt;</c>, optionally starting from an empty record, then renews the event time
/// from a field and removes fields. Placeholders read the incoming record, never the one being built.
/// </summary>
[Plugin(PluginKind.Filter, "record_transformer", "Adds, replaces and removes record fields using templates with ${tag}, ${record[\"key\"]} and similar placeholders.")]
public sealed class RecordTransformerFilter : FilterPlugin
{
    // In configuration order; a key written again (in a later <record>) replaces the earlier template, as the
    // Hash fluentd builds from the sections does.
    private readonly List<(string RawKey, StringTemplate Key, RecordTemplate Value)> _templates = new();
    private RecordAccessor[] _keyRemovers = Array.Empty<RecordAccessor>();

    // Declared for binding and describe-plugin; Configure reads the <record> sections themselves, because it needs
    // the order and the line of each entry.
    [Section("record", "Fields to set: each line is `key template`; a template starting with { or [ is JSON.", FreeForm = true)]
    public Dictionary<string, string> RecordTemplates { get; set; } = new();

    [Parameter("remove_keys", "Comma-separated keys to delete after the new fields are set; record accessors ($.a.b) allowed.")]
    public string[]? RemoveKeys { get; set; }

    [Parameter("keep_keys", "With renew_record, top-level keys copied from the incoming record.")]
    public string[]? KeepKeys { get; set; }

    [Parameter("renew_record", "Start from an empty record instead of the incoming one.")]
    public bool RenewRecord { get; set; }

    [Parameter("renew_time_key", "A field of the new record holding Unix time (seconds, may be fractional) that becomes the event time.")]
    public string? RenewTimeKey { get; set; }

    [Parameter("enable_ruby", "Treat ${...} as a Ruby expression. LogAgent runs no Ruby: only data access such as record[\"a\"][\"b\"] and tag_parts[-1] is accepted.")]
    public bool EnableRuby { get; set; }

    [Parameter("auto_typecast", "A value that is exactly one placeholder keeps the placeholder value's type (integer, map, nil…) instead of becoming a string.")]
    public bool AutoTypecast { get; set; } = true;

    /// <summary>The zone of <c>${time}</c>: fluentd formats it in the process's local time zone.</summary>
    internal TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Local;

    public override void Configure(ConfigSection config)
    {
        if (KeepKeys is not null && !RenewRecord)
            throw new ConfigException("`renew_record` must be true to use `keep_keys`", config.Find("keep_keys")!);

        var parser = new RecordTemplateParser(EnableRuby, AutoTypecast);
        foreach (var section in config.SectionsNamed("record"))
        {
            foreach (var parameter in section.Parameters)
            {
                section.UsedParameters.Add(parameter.Key);
                try
                {
                    var key = parser.ParseString(parameter.Key, forceStringify: true);
                    var value = parser.ParseValue(parameter.Value, out var jsonError);
                    if (jsonError is not null)
                        Log.LogWarning("failed to parse {Value} as json. Assuming it is a string ({Where}): {Error}", parameter.Value, parameter.Where, jsonError);
                    foreach (var placeholder in key.Placeholders.Concat(value.Placeholders).Where(p => p.IsAlwaysUnknown))
                        Log.LogWarning("unknown placeholder `{Placeholder}` found ({Where}); it expands to nothing", placeholder.Text, parameter.Where);
                    int existing = _templates.FindIndex(t => t.RawKey == parameter.Key);
                    if (existing >= 0) _templates[existing] = (parameter.Key, key, value);
                    else _templates.Add((parameter.Key, key, value));
                }
                catch (RecordTemplateParser.UnsupportedExpressionException e)
                {
                    throw new ConfigException($"{section} key '{parameter.Key}': {e.Message}", parameter, e);
                }
            }
        }

        if (RemoveKeys is not null)
        {
            try
            {
                _keyRemovers = RemoveKeys.Select(RecordAccessor.Parse).ToArray();
            }
            catch (ConfigException e)
            {
                throw new ConfigException($"remove_keys: {e.Reason}", config.Find("remove_keys")!, e);
            }
        }
    }

    /// <summary>
    /// Transforms each event; a record whose templates fail (enable_ruby indexing nil, a renew_time_key value that
    /// is not a number) goes to <c>@ERROR</c> unchanged, as fluentd's router.emit_error_event.
    /// </summary>
    public override EventStream Filter(EventStream stream)
    {
        var scope = new PlaceholderScope(stream.Tag, Context.Hostname, TimeZone);
        var output = new EventStreamBuilder(stream.Tag, stream.Entries.Length + 64);
        foreach (var entry in stream)
        {
            var record = entry.DecodeRecord();
            var time = entry.Time;
            Record result;
            try
            {
                result = Transform(scope, ref time, record);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Context.EmitError(stream.Tag, entry.Time, record, e);
                continue;
            }
            output.Add(time, result);
        }
        return output.Build();
    }

    /// <summary>
    /// The per-record form, for callers that filter one record at a time. It cannot change the event time, so
    /// renew_time_key only takes effect through <see cref="Filter"/>.
    /// </summary>
    public override Record? FilterRecord(string tag, EventTime time, Record record)
    {
        var scope = new PlaceholderScope(tag, Context.Hostname, TimeZone);
        return Transform(scope, ref time, record);
    }

    private Record Transform(PlaceholderScope scope, ref EventTime time, Record record)
    {
        scope.MoveTo(time, record);
        // Expand everything before building the new record (fluentd's reform): a failing template leaves the
        // incoming record untouched for @ERROR, and no template sees another's output.
        var fields = new (string Key, object? Value)[_templates.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            var (_, key, value) = _templates[i];
            fields[i] = (key.ExpandToString(scope, Log), value.Expand(scope, Log));
        }

        // record.dup in fluentd: a shallow copy, so nested maps are shared with the incoming record.
        var result = RenewRecord ? new Record() : new Record(record);
        if (RenewRecord && KeepKeys is not null)
            foreach (var key in KeepKeys)
                if (record.TryGetValue(key, out var kept)) result[key] = kept;
        foreach (var (key, value) in fields) result[key] = value;

        // The time is renewed before remove_keys, so the time field can be removed in the same filter.
        if (RenewTimeKey is not null && result.TryGetValue(RenewTimeKey, out var timeValue))
            time = UnixSecondsToEventTime(RubyText.ToF(timeValue));
        foreach (var remover in _keyRemovers) remover.Remove(result);
        return result;
    }

    // Fluent::EventTime.from_time(Time.at(float)): whole seconds and the truncated nanoseconds.
    private static EventTime UnixSecondsToEventTime(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0 || seconds >= 4294967296.0)
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "renew_time_key value is not a Unix time LogAgent can represent (0 to 2^32-1 seconds)");
        double whole = Math.Floor(seconds);
        uint nanos = (uint)Math.Min(999_999_999, Math.Floor((seconds - whole) * 1e9));
        return new EventTime((uint)whole, nanos);
    }
}
