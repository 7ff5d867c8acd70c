using System.Globalization;
using System.Text.RegularExpressions;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// One <c>${...}</c> of a record_transformer template, resolved once per event. Two kinds exist, as in
/// filter_record_transformer.rb: the default PlaceholderExpander looks the text up in a fixed table, and an
/// unknown text is nil with a warning; with <c>enable_ruby</c> the text is a Ruby expression, here limited to
/// <see cref="RubyAccessExpression"/>.
/// </summary>
public abstract class RecordPlaceholder
{
    private static readonly Regex IndexedName = new(@"\A(tag_parts|tag_prefix|tag_suffix)\[(0|-?[1-9][0-9]*)\]\z", RegexOptions.CultureInvariant);

    protected RecordPlaceholder(string text) => Text = text;

    /// <summary>The placeholder as written, e.g. <c>${tag_parts[-1]}</c>.</summary>
    public string Text { get; }

    /// <summary>True when this placeholder can never resolve (fluentd warns for it on every event).</summary>
    public virtual bool IsAlwaysUnknown => false;

    /// <summary>
    /// The value for this event. <paramref name="known"/> is false where fluentd's table has no such entry
    /// (the value is then nil and fluentd logs "unknown placeholder"). Ruby expressions throw where Ruby would.
    /// </summary>
    public abstract object? Resolve(PlaceholderScope scope, out bool known);

    /// <summary>
    /// A placeholder of the default expander: <paramref name="text"/> is the whole match, <c>${...}</c> or a
    /// <c>__NAME__</c> (which fluentd's regex also captures but never defines, so it always expands to nil).
    /// </summary>
    public static RecordPlaceholder ForTable(string text)
    {
        if (!text.StartsWith("${", StringComparison.Ordinal)) return new UnknownPlaceholder(text);
        var inner = text[2..^1];
        switch (inner)
        {
            case "tag": return new ScopePlaceholder(text, s => s.Tag);
            case "hostname": return new ScopePlaceholder(text, s => s.Hostname);
            case "time": return new ScopePlaceholder(text, s => s.TimeText);
        }
        var indexed = IndexedName.Match(inner);
        if (indexed.Success)
        {
            int index = int.Parse(indexed.Groups[2].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            Func<PlaceholderScope, string[]> array = indexed.Groups[1].Value switch
            {
                "tag_parts" => s => s.TagParts,
                "tag_prefix" => s => s.TagPrefix,
                _ => s => s.TagSuffix,
            };
            return new TagArrayPlaceholder(text, array, index);
        }
        if (inner.StartsWith("record[\"", StringComparison.Ordinal) && inner.EndsWith("\"]", StringComparison.Ordinal) && inner.Length >= 10)
        {
            // fluentd registers ${record["k"]} for each top-level key k, so the key is everything between the
            // outer quotes. LogAgent also resolves ${record["a"]["b"]} (and [0]) into nested values when no
            // top-level key has that literal name; fluentd's table would leave it unknown.
            RubyAccessExpression.TryParse(inner, out var nested);
            return new RecordKeyPlaceholder(text, inner[8..^2], nested is { Indexes.Count: > 1 } ? nested : null);
        }
        if (inner.StartsWith("record[", StringComparison.Ordinal) && RubyAccessExpression.TryParse(inner, out var path) && path!.Indexes.Count > 0)
            return new RecordKeyPlaceholder(text, null, path);
        return new UnknownPlaceholder(text);
    }

    /// <summary>A Ruby expression placeholder (enable_ruby), or null when the expression is outside the supported subset.</summary>
    public static RecordPlaceholder? ForRuby(string text, string expression) =>
        RubyAccessExpression.TryParse(expression, out var parsed) ? new RubyPlaceholder(text, parsed!) : null;

    private sealed class ScopePlaceholder(string text, Func<PlaceholderScope, string> value) : RecordPlaceholder(text)
    {
        public override object? Resolve(PlaceholderScope scope, out bool known)
        {
            known = true;
            return value(scope);
        }
    }

    // ${tag_parts[N]}: fluentd registers indexes 0..size-1 and -size..-1; others are unknown.
    private sealed class TagArrayPlaceholder(string text, Func<PlaceholderScope, string[]> array, int index) : RecordPlaceholder(text)
    {
        public override object? Resolve(PlaceholderScope scope, out bool known)
        {
            var values = array(scope);
            int i = index < 0 ? index + values.Length : index;
            known = i >= 0 && i < values.Length;
            return known ? values[i] : null;
        }
    }

    private sealed class RecordKeyPlaceholder(string text, string? key, RubyAccessExpression? nested) : RecordPlaceholder(text)
    {
        public override object? Resolve(PlaceholderScope scope, out bool known)
        {
            if (key is not null && scope.Record.TryGetValue(key, out var value))
            {
                known = true;
                return value;
            }
            known = false;
            if (nested is null) return null;
            object? current = scope.Record;
            foreach (var index in nested.Indexes)
            {
                if (!TryIndex(current, index, out current)) return null;
            }
            known = true;
            return current;
        }

        private static bool TryIndex(object? target, object index, out object? value)
        {
            value = null;
            switch (target)
            {
                case IDictionary<string, object?> map when index is string k:
                    return map.TryGetValue(k, out value);
                case System.Collections.IList list when index is int i:
                    if (i < 0) i += list.Count;
                    if (i < 0 || i >= list.Count) return false;
                    value = list[i];
                    return true;
                default:
                    return false;
            }
        }
    }

    private sealed class UnknownPlaceholder(string text) : RecordPlaceholder(text)
    {
        public override bool IsAlwaysUnknown => true;

        public override object? Resolve(PlaceholderScope scope, out bool known)
        {
            known = false;
            return null;
        }
    }

    private sealed class RubyPlaceholder(string text, RubyAccessExpression expression) : RecordPlaceholder(text)
    {
        public override object? Resolve(PlaceholderScope scope, out bool known)
        {
            known = true;
            return expression.Evaluate(scope);
        }
    }
}
