using System.Text;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>
/// The consumer's <c>tag</c>: literal text with <c>${partition_key}</c>, <c>${shard_id}</c> and <c>${FIELD}</c>
/// placeholders, FIELD being a top-level key of the parsed record (as the tag of fluentd's Kinesis inputs took
/// <c>${field}</c>). A record without the field cannot be tagged as the operator asked: <see cref="TryRender"/> says
/// which field was missing, and the input sends the event to @ERROR instead of inventing a tag.
/// </summary>
public sealed class TagTemplate
{
    private enum PartKind { Literal, PartitionKey, ShardId, Field }

    private readonly (PartKind Kind, string Text)[] _parts;

    private TagTemplate(string text, (PartKind, string)[] parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    /// <summary>True when the tag is the same for every record (no placeholder).</summary>
    public bool IsConstant => _parts.All(p => p.Kind == PartKind.Literal);

    /// <summary>Reads a template; an unterminated or empty <c>${</c> is a <see cref="FormatException"/>.</summary>
    public static TagTemplate Parse(string text)
    {
        var parts = new List<(PartKind, string)>();
        int at = 0;
        while (at < text.Length)
        {
            int open = text.IndexOf("${", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((PartKind.Literal, text[at..]));
                break;
            }
            if (open > at) parts.Add((PartKind.Literal, text[at..open]));
            int close = text.IndexOf('}', open + 2);
            if (close < 0) throw new FormatException($"tag '{text}': '${{' at {open} has no closing '}}'");
            var name = text[(open + 2)..close].Trim();
            if (name.Length == 0) throw new FormatException($"tag '{text}': empty placeholder at {open}");
            parts.Add(name switch
            {
                "partition_key" => (PartKind.PartitionKey, name),
                "shard_id" => (PartKind.ShardId, name),
                _ => (PartKind.Field, name),
            });
            at = close + 1;
        }
        return new TagTemplate(text, parts.ToArray());
    }

    /// <summary>The tag of one record; false (and the field's name) when a <c>${FIELD}</c> is not in the record.</summary>
    public bool TryRender(string partitionKey, string shardId, Record record, out string tag, out string? missingField)
    {
        missingField = null;
        if (_parts.Length == 1 && _parts[0].Kind == PartKind.Literal)
        {
            tag = _parts[0].Text;
            return true;
        }
        var text = new StringBuilder();
        foreach (var (kind, value) in _parts)
        {
            switch (kind)
            {
                case PartKind.Literal: text.Append(value); break;
                case PartKind.PartitionKey: text.Append(partitionKey); break;
                case PartKind.ShardId: text.Append(shardId); break;
                default:
                    if (record.TryGetValue(value, out var field) && field is not null) text.Append(RubyValueText.ToS(field));
                    else missingField ??= value;
                    break;
            }
        }
        tag = text.ToString();
        return missingField is null;
    }
}
