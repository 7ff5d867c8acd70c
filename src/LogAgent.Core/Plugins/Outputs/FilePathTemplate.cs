using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// The file output's <c>path</c> with its placeholders: strftime directives (<c>%Y%m%d</c>) filled from the
/// event time, and <c>${tag}</c>, <c>${tag[N]}</c> / <c>${tag_parts[N]}</c> (negative N counts from the end) from
/// the tag. The final template follows fluentd's generate_path_template (lib/fluent/plugin/out_file.rb) for its
/// default one-day time key:
/// <list type="bullet">
/// <item><c>/dir/file.*</c> → <c>/dir/file.%Y%m%d</c> (the <c>*</c> becomes the day; no suffix is added)</item>
/// <item><c>/dir/file.%Y-%m-%d</c> → <c>/dir/file.%Y-%m-%d.log</c> (%Y, %m and %d must then all be present)</item>
/// <item><c>/dir/file</c> → <c>/dir/file.%Y%m%d.log</c></item>
/// </list>
/// plus <c>.gz</c> with gzip compression. fluentd also puts an index (<c>_0</c>, <c>_1</c>) before the suffix when
/// not appending; this output always appends, so there is none.
/// </summary>
public sealed partial class FilePathTemplate
{
    private const string DayPlaceholders = "%Y%m%d";

    private readonly Part[] _parts;

    public FilePathTemplate(string path, string pathSuffix, bool gzip, RubyTimeZone zone)
    {
        Original = path;
        Zone = zone;
        var compressionSuffix = gzip ? ".gz" : "";
        if (path.Contains('*'))
        {
            Template = path.Replace("*", DayPlaceholders) + compressionSuffix;
        }
        else
        {
            string[] day = { "%Y", "%m", "%d" };
            bool any = day.Any(path.Contains), all = day.All(path.Contains);
            if (any && !all) throw new FormatException("insufficient timestamp placeholders in path: it needs all of %Y, %m and %d, or none");
            Template = (any ? path : path + "." + DayPlaceholders) + pathSuffix + compressionSuffix;
        }
        _parts = Split(Template);
        HasTag = _parts.Any(p => p.TagIndex is not null);
    }

    /// <summary>The configured path.</summary>
    public string Original { get; }

    /// <summary>The path with placeholders, after fluentd's suffix rules.</summary>
    public string Template { get; }

    public RubyTimeZone Zone { get; }

    public bool HasTag { get; }

    public string Resolve(string tag, EventTime time)
    {
        string[]? tagParts = null;
        var sb = new StringBuilder(Template.Length + tag.Length + 16);
        foreach (var part in _parts)
        {
            if (part.Time is not null) part.Time.Format(time, Zone, sb);
            else if (part.TagIndex is { } index)
            {
                if (index == int.MinValue)
                {
                    sb.Append(tag);
                    continue;
                }
                tagParts ??= tag.Split('.');
                int i = index < 0 ? tagParts.Length + index : index;
                if (i < 0 || i >= tagParts.Length)
                    throw new InvalidOperationException($"tag '{tag}' has no part {index} for the file path {Original}");
                sb.Append(tagParts[i]);
            }
            else sb.Append(part.Literal);
        }
        return sb.ToString();
    }

    /// <summary>One piece of the template: a strftime run, a tag placeholder (int.MinValue is the whole tag), or literal text.</summary>
    private sealed record Part(RubyTimeFormat? Time, int? TagIndex, string? Literal);

    private static Part[] Split(string template)
    {
        var parts = new List<Part>();
        int last = 0;
        foreach (Match m in TagPlaceholder().Matches(template))
        {
            if (m.Index > last) parts.Add(TimePart(template[last..m.Index]));
            int index = m.Groups["index"].Success ? int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture) : int.MinValue;
            parts.Add(new Part(null, index, null));
            last = m.Index + m.Length;
        }
        if (last < template.Length) parts.Add(TimePart(template[last..]));
        return parts.ToArray();
    }

    private static Part TimePart(string text) =>
        text.Contains('%') ? new Part(RubyTimeFormat.Compile(text), null, null) : new Part(null, null, text);

    [GeneratedRegex(@"\$\{(?:tag|tag_parts\[(?<index>-?\d+)\]|tag\[(?<index>-?\d+)\])\}")]
    private static partial Regex TagPlaceholder();
}
