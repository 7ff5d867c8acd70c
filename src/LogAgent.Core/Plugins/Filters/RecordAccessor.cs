using System.Collections;
using System.Globalization;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// A key path into a record, written as fluentd's record_accessor helper reads it
/// (lib/fluent/plugin_helper/record_accessor.rb): <c>$.a.b[0]</c> (dot notation), <c>$['a']["b"][0]</c> (bracket
/// notation), or anything else as one top-level key, dots included (<c>kubernetes.pod</c> is a single key).
/// Used by grep keys, record_transformer's remove_keys and buffer chunk keys.
/// </summary>
public sealed class RecordAccessor
{
    // Each element is a string (map key) or an int (array index).
    private readonly object[] _keys;

    private RecordAccessor(string text, object[] keys)
    {
        Text = text;
        _keys = keys;
    }

    /// <summary>The parameter as written.</summary>
    public string Text { get; }

    /// <summary>The path: strings are map keys, ints are array indexes (negative counts from the end).</summary>
    public IReadOnlyList<object> Keys => _keys;

    /// <summary>Parses a key parameter; throws <see cref="ConfigException"/> (without location) on bad syntax.</summary>
    public static RecordAccessor Parse(string parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        object[] keys;
        if (parameter.StartsWith("$.", StringComparison.Ordinal)) keys = ParseDotNotation(parameter);
        else if (parameter.StartsWith("$[", StringComparison.Ordinal)) keys = ParseBracketNotation(parameter);
        else keys = new object[] { parameter };
        return new RecordAccessor(parameter, keys);
    }

    /// <summary>
    /// The value at the path, or null when any step is missing (Hash#dig). Throws
    /// <see cref="RecordAccessException"/> where Ruby raises TypeError: stepping into a string or number, or using
    /// a string key on an array.
    /// </summary>
    public object? Get(Record record)
    {
        if (_keys.Length == 1) return Top(record, _keys[0]);
        object? current = record;
        foreach (var key in _keys)
        {
            current = Step(current!, key);
            if (current is null) return null;
        }
        return current;
    }

    /// <summary>
    /// Removes the value at the path; false when there was nothing to remove. Like fluentd's delete_nest, a path
    /// that cannot be walked removes nothing rather than failing.
    /// </summary>
    public bool Remove(Record record)
    {
        if (_keys.Length == 1) return _keys[0] is string key && record.Remove(key);
        object? target = record;
        try
        {
            for (int i = 0; i < _keys.Length - 1 && target is not null; i++) target = Step(target, _keys[i]);
        }
        catch (RecordAccessException)
        {
            return false;
        }
        var last = _keys[^1];
        switch (target)
        {
            case IDictionary<string, object?> map:
                return last is string name && map.Remove(name);
            case IList list when last is int index:
                if (index < 0) index += list.Count;
                if (index < 0 || index >= list.Count) return false;
                list.RemoveAt(index);
                return true;
            default:
                return false;
        }
    }

    public override string ToString() => Text;

    // Hash#[] on the record itself: an integer key finds nothing in a string-keyed hash.
    private static object? Top(Record record, object key) =>
        key is string name && record.TryGetValue(name, out var value) ? value : null;

    private static object? Step(object current, object key)
    {
        switch (current)
        {
            case IDictionary<string, object?> map:
                return key is string name && map.TryGetValue(name, out var value) ? value : null;
            case IList list:
                if (key is not int index) throw new RecordAccessException($"no implicit conversion of String into Integer (key '{key}' used on an array)");
                if (index < 0) index += list.Count;
                return index >= 0 && index < list.Count ? list[index] : null;
            default:
                throw new RecordAccessException($"{RubyText.RubyClassName(current)} does not have #dig method");
        }
    }

    private static object[] ParseDotNotation(string parameter)
    {
        var result = new List<object>();
        foreach (var key in RubyText.Split(parameter[2..], '.'))
        {
            if (key.Contains('[')) result.AddRange(ParseDotArrayOperator(key, parameter));
            else result.Add(key);
        }
        if (result.Count == 0) throw new ConfigException("empty keys in dot notation");
        foreach (var key in result)
            if (key is string s && s.Any(IsRubyWhitespace))
                throw new ConfigException($"whitespace character is not allowed in dot notation. Use bracket notation: {s}");
        return result.ToArray();
    }

    // `name[0][1]` inside dot notation. As in fluentd, characters between `]` and the next `[` are skipped.
    private static List<object> ParseDotArrayOperator(string key, string parameter)
    {
        int start = key.IndexOf('[');
        var result = new List<object>();
        if (start > 0) result.Add(key[..start]);
        key = key[(start + 1)..];
        bool inBracket = true;
        while (key.Length > 0)
        {
            if (inBracket)
            {
                int i = key.IndexOf(']');
                if (i < 0) throw new ConfigException($"'[' found but ']' not found. Invalid syntax: {parameter}");
                if (i == 0) throw new ConfigException($"missing array index in '[]'. Invalid syntax: {parameter}");
                result.Add(ParseRubyInteger(key[..i], parameter));
                key = key[(i + 1)..];
                inBracket = false;
            }
            else
            {
                int i = key.IndexOf('[');
                if (i < 0) throw new ConfigException($"found more characters after ']'. Invalid syntax: {parameter}");
                key = key[(i + 1)..];
                inBracket = true;
            }
        }
        return result;
    }

    private static object[] ParseBracketNotation(string parameter)
    {
        var result = new List<object>();
        var rest = parameter[1..];
        bool inBracket = false;
        while (rest.Length > 0)
        {
            if (inBracket)
            {
                if (rest[0] is '\'' or '"')
                {
                    // fluentd looks for the first `']`, and only when there is none for the first `"]`.
                    int i = rest.IndexOf("']", StringComparison.Ordinal);
                    if (i < 0) i = rest.IndexOf("\"]", StringComparison.Ordinal);
                    if (i < 0) throw new ConfigException($"Incomplete bracket. Invalid syntax: {parameter}");
                    if (rest[0] != rest[i]) throw new ConfigException($"Mismatched quotes. Invalid syntax: {parameter}");
                    result.Add(i == 0 ? rest[1..] : rest[1..i]);
                    rest = rest[(i + 2)..];
                    inBracket = false;
                }
                else
                {
                    int i = rest.IndexOf(']');
                    if (i < 0) throw new ConfigException($"'[' found but ']' not found. Invalid syntax: {parameter}");
                    if (i == 0) throw new ConfigException($"missing array index in '[]'. Invalid syntax: {parameter}");
                    result.Add(ParseRubyInteger(rest[..i], parameter));
                    rest = rest[(i + 1)..];
                    inBracket = false;
                }
            }
            else
            {
                int i = rest.IndexOf('[');
                if (i < 0) throw new ConfigException($"found more characters after ']'. Invalid syntax: {parameter}");
                rest = rest[(i + 1)..];
                inBracket = true;
            }
        }
        if (result.Count == 0) throw new ConfigException("empty keys in bracket notation");
        return result.ToArray();
    }

    /// <summary>
    /// Kernel#Integer for an index: surrounding whitespace, a sign, underscores between digits. Decimal only:
    /// Ruby would also read 0x1f and 010 (octal), which nobody writes as an array index.
    /// </summary>
    private static int ParseRubyInteger(string text, string parameter)
    {
        var s = text.Trim().Replace("_", "");
        if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && !text.Trim().StartsWith('_'))
            return n;
        throw new ConfigException($"invalid value for Integer(): \"{text}\". Invalid syntax: {parameter}");
    }

    private static bool IsRubyWhitespace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
