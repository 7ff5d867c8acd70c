using System.Text;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// A compiled record_transformer value: a string of literal text and placeholders, or (for values written as
/// JSON) a map, a list or a constant whose strings are templates too. Compiled once at configuration
/// (<see cref="RecordTemplateParser"/>); expanding one is a walk over the parts, with no parsing per event.
/// </summary>
public abstract class RecordTemplate
{
    /// <summary>Builds the value for one event.</summary>
    public abstract object? Expand(PlaceholderScope scope, ILogger log);

    /// <summary>All placeholders in this template, for configuration-time checks.</summary>
    public abstract IEnumerable<RecordPlaceholder> Placeholders { get; }
}

/// <summary>A string value: literal parts and placeholders.</summary>
public sealed class StringTemplate : RecordTemplate
{
    // Each part is a string (literal) or a RecordPlaceholder.
    private readonly object[] _parts;
    private readonly bool _keepsType;

    /// <param name="parts">Literal strings and placeholders, in order.</param>
    /// <param name="keepsType">
    /// The value is exactly one placeholder and auto_typecast is on: the placeholder's value is returned as it is
    /// (an integer stays an integer, a missing key is nil), as fluentd's expand does for a single placeholder.
    /// </param>
    public StringTemplate(IReadOnlyList<object> parts, bool keepsType)
    {
        _parts = parts.ToArray();
        _keepsType = keepsType && _parts.Length == 1 && _parts[0] is RecordPlaceholder;
    }

    public override IEnumerable<RecordPlaceholder> Placeholders => _parts.OfType<RecordPlaceholder>();

    public override object? Expand(PlaceholderScope scope, ILogger log)
    {
        if (_keepsType) return Resolve((RecordPlaceholder)_parts[0], scope, log);
        if (_parts.Length == 1 && _parts[0] is string only) return only;
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part is string literal) sb.Append(literal);
            else sb.Append(RubyValueText.RubyToS(Resolve((RecordPlaceholder)part, scope, log)));
        }
        return sb.ToString();
    }

    /// <summary>The expansion as a string, as used for map keys (fluentd's force_stringify).</summary>
    public string ExpandToString(PlaceholderScope scope, ILogger log) => RubyValueText.RubyToS(Expand(scope, log));

    private static object? Resolve(RecordPlaceholder placeholder, PlaceholderScope scope, ILogger log)
    {
        var value = placeholder.Resolve(scope, out bool known);
        // fluentd warns on every event; placeholders that can never resolve were reported once at configuration.
        if (!known && !placeholder.IsAlwaysUnknown) log.LogWarning("unknown placeholder `{Placeholder}` found", placeholder.Text);
        return value;
    }
}

/// <summary>A JSON object value: keys and values are templates; keys always expand to strings.</summary>
public sealed class MapTemplate(IReadOnlyList<(StringTemplate Key, RecordTemplate Value)> entries) : RecordTemplate
{
    public IReadOnlyList<(StringTemplate Key, RecordTemplate Value)> Entries { get; } = entries;

    public override IEnumerable<RecordPlaceholder> Placeholders =>
        Entries.SelectMany(e => e.Key.Placeholders.Concat(e.Value.Placeholders));

    public override object? Expand(PlaceholderScope scope, ILogger log)
    {
        var map = new Record(Entries.Count);
        foreach (var (key, value) in Entries) map[key.ExpandToString(scope, log)] = value.Expand(scope, log);
        return map;
    }
}

/// <summary>A JSON array value.</summary>
public sealed class ListTemplate(IReadOnlyList<RecordTemplate> items) : RecordTemplate
{
    public override IEnumerable<RecordPlaceholder> Placeholders => items.SelectMany(i => i.Placeholders);

    public override object? Expand(PlaceholderScope scope, ILogger log)
    {
        var list = new List<object?>(items.Count);
        foreach (var item in items) list.Add(item.Expand(scope, log));
        return list;
    }
}

/// <summary>A JSON number, boolean or null: copied as it is.</summary>
public sealed class ConstantTemplate(object? value) : RecordTemplate
{
    public override IEnumerable<RecordPlaceholder> Placeholders => Array.Empty<RecordPlaceholder>();

    public override object? Expand(PlaceholderScope scope, ILogger log) => value;
}
