using System.Text;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>csv</c> parser (lib/fluent/plugin/parser_csv.rb): one CSV row per text, read as Ruby's
/// CSV.parse_line does: double-quoted fields may hold the delimiter, newlines and <c>""</c> for a quote; an
/// unquoted empty field is null, a quoted empty one is an empty string; values beyond <c>keys</c> are dropped and
/// keys without a value get null. A malformed row (a stray or unclosed quote) does not parse.
/// </summary>
[Plugin(PluginKind.Parser, "csv", "Parses comma-separated values with quoting.")]
public sealed class CsvParser : ParserPlugin
{
    [Parameter("keys", "Names of the fields, in order.", Required = true)]
    public string[] Keys { get; set; } = Array.Empty<string>();

    [Parameter("delimiter", "The string between values.")]
    public string Delimiter { get; set; } = ",";

    [Parameter("parser_engine", "fluentd's choice of CSV reader (normal or fast); LogAgent has one, which reads both the same way.",
        AllowedValues = new[] { "normal", "fast" }, Aliases = new[] { "parser_type" })]
    public string ParserEngine { get; set; } = "normal";

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        if (Keys.Length == 0) throw new ConfigException("csv: 'keys' must name at least one field", config);
        if (Delimiter.Length == 0) throw new ConfigException("csv: delimiter must not be empty", config);
    }

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        time = null;
        record = new Record(Keys.Length);
        var values = new List<string?>(Keys.Length);
        if (!TrySplit(text.TrimEnd('\r', '\n'), Delimiter, values)) return false;
        for (int i = 0; i < Keys.Length; i++)
            record[Keys[i]] = i < values.Count ? values[i] : null;
        return TryFinish(record, out time);
    }

    /// <summary>Splits one CSV row; false when it is malformed.</summary>
    internal static bool TrySplit(string line, string delimiter, List<string?> values)
    {
        if (line.Length == 0) return false; // CSV.parse_line("") is nil
        var field = new StringBuilder();
        int i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                field.Clear();
                i++;
                while (true)
                {
                    if (i >= line.Length) return false; // unclosed quote
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                values.Add(field.ToString());
                if (i == line.Length) return true;
                if (string.CompareOrdinal(line, i, delimiter, 0, delimiter.Length) != 0) return false; // text after the closing quote
                i += delimiter.Length;
            }
            else
            {
                int end = line.IndexOf(delimiter, i, StringComparison.Ordinal);
                var raw = end < 0 ? line[i..] : line[i..end];
                if (raw.Contains('"')) return false; // Ruby: "Illegal quoting"
                values.Add(raw.Length == 0 ? null : raw);
                if (end < 0) return true;
                i = end + delimiter.Length;
            }
        }
    }
}
