using System.Collections;
using System.Text.RegularExpressions;
using LogAgent.Core.Plugins.Filters;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Prometheus;

/// <summary>
/// A label value as fluent-plugin-prometheus reads one (prometheus.rb parse_labels_elements and
/// placeholder_expander.rb): a value starting with <c>$.</c> or <c>$[</c> is a record accessor, whose value's
/// <c>to_s</c> is the label; anything else is text in which <c>${…}</c> placeholders expand: <c>${tag}</c>,
/// <c>${tag_parts[N]}</c> (negative N counts from the end), <c>${tag_prefix[N]}</c>, <c>${tag_suffix[N]}</c>,
/// <c>${hostname}</c>, <c>${worker_id}</c>, and a record's top-level fields: <c>${key}</c>, <c>${key[N]}</c> of an
/// array, <c>${key["k"]}</c> of a map (the tag, hostname and worker_id win over fields of those names). A placeholder
/// nothing provides stays as written, as the plugin leaves it.
/// </summary>
public sealed partial class LabelTemplate
{
    // placeholder_expander.rb PLACEHOLDER_REGEX.
    [GeneratedRegex(@"\$\{[^\[}]+(\[[^\]]+\])?\}")]
    private static partial Regex Placeholder();

    private readonly RecordAccessor? _accessor;
    private readonly string _text;
    private readonly bool _hasPlaceholders;

    private LabelTemplate(string text, RecordAccessor? accessor)
    {
        _text = text;
        _accessor = accessor;
        _hasPlaceholders = accessor is null && Placeholder().IsMatch(text);
    }

    public string Text => _text;

    /// <summary>True for a <c>$.</c> / <c>$[</c> record accessor.</summary>
    public bool IsAccessor => _accessor is not null;

    /// <summary>True when the value is the same for every event: no accessor, no placeholder but hostname and worker_id.</summary>
    public bool IsStatic => _accessor is null && Placeholder().Matches(_text).All(m => m.Value is "${hostname}" or "${worker_id}");

    public static LabelTemplate Parse(string value) =>
        value.StartsWith("$.", StringComparison.Ordinal) || value.StartsWith("$[", StringComparison.Ordinal)
            ? new LabelTemplate(value, RecordAccessor.Parse(value))
            : new LabelTemplate(value, null);

    /// <summary>The label for one event (<paramref name="tag"/> null and <paramref name="record"/> null outside events).</summary>
    public string Expand(string? tag, Record? record, string hostname, int workerId)
    {
        if (_accessor is not null) return record is null ? "" : RubyValueText.RubyToS(_accessor.Get(record));
        if (!_hasPlaceholders) return _text;
        return Placeholder().Replace(_text, m => Resolve(m.Value, tag, record, hostname, workerId) ?? m.Value);
    }

    private static string? Resolve(string placeholder, string? tag, Record? record, string hostname, int workerId)
    {
        var inner = placeholder[2..^1]; // without ${ and }
        switch (inner)
        {
            case "hostname": return hostname;
            case "worker_id": return workerId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            case "tag": return tag;
        }
        int bracket = inner.IndexOf('[');
        var name = bracket < 0 ? inner : inner[..bracket];
        var index = bracket < 0 ? null : inner[(bracket + 1)..^1];
        if (tag is not null && index is not null && name is "tag_parts" or "tag_prefix" or "tag_suffix")
        {
            if (!int.TryParse(index, out int i)) return null;
            var parts = tag.Split('.');
            switch (name)
            {
                case "tag_parts":
                    if (i < 0) i += parts.Length;
                    return i >= 0 && i < parts.Length ? parts[i] : null;
                case "tag_prefix":
                    return i >= 0 && i < parts.Length ? string.Join('.', parts[..(i + 1)]) : null;
                default:
                    return i >= 0 && i < parts.Length ? string.Join('.', parts[^(i + 1)..]) : null;
            }
        }
        if (record is null || !record.TryGetValue(name, out var value)) return null;
        if (index is null)
            return value is IDictionary || value is IList and not byte[] ? null : RubyValueText.RubyToS(value);
        if (value is IList list and not byte[] && int.TryParse(index, out int n))
        {
            if (n < 0) n += list.Count;
            return n >= 0 && n < list.Count ? RubyValueText.RubyToS(list[n]) : null;
        }
        if (value is IDictionary map && index.Length >= 2 && index[0] == '"' && index[^1] == '"')
        {
            var key = index[1..^1];
            return map.Contains(key) ? RubyValueText.RubyToS(map[key]) : null;
        }
        return null;
    }
}
