using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>multiline</c> parser (lib/fluent/plugin/parser_multiline.rb): <c>format1</c> … <c>format20</c>,
/// each a <c>/regexp/</c>, are joined into one expression matched with <c>.</c> crossing newlines, over an event
/// that spans several lines. <c>format_firstline</c> tells the tail input where an event starts
/// (<see cref="IsFirstLine"/>); without it every line starts one.
/// </summary>
[Plugin(PluginKind.Parser, "multiline", "Parses events that span several lines, with format1..formatN and format_firstline.")]
public sealed class MultilineParser : RegexpParser
{
    public const int MaxFormats = 20;

    private Regex? _firstLine;

    [Parameter("format_firstline", "A /regexp/ that matches the first line of an event.")]
    public string? FormatFirstLine { get; set; }

    public bool HasFirstLine => _firstLine is not null;

    /// <summary>True when <paramref name="line"/> starts a new event (always, without format_firstline).</summary>
    public bool IsFirstLine(string line) => _firstLine is null || _firstLine.IsMatch(line);

    public override void Configure(ConfigSection config)
    {
        Expression = "/" + string.Concat(ReadFormats(config)) + "/m";
        base.Configure(config);
        if (FormatFirstLine is not null)
        {
            var body = RegexBody(FormatFirstLine, "format_firstline", config);
            try
            {
                _firstLine = RubyRegex.Compile(body);
            }
            catch (FormatException e)
            {
                var at = config.Find("format_firstline");
                throw at is null ? new ConfigException($"Invalid regexp in format_firstline: {e.Message}", config)
                    : new ConfigException($"Invalid regexp in format_firstline: {e.Message}", at);
            }
        }
    }

    private static List<string> ReadFormats(ConfigSection config)
    {
        foreach (var p in config.Parameters)
        {
            var m = Regex.Match(p.Key, @"^format(\d+)$");
            if (m.Success && (!int.TryParse(m.Groups[1].Value, out var n) || n is < 1 or > MaxFormats))
                throw new ConfigException($"Invalid formatN found. N should be 1 - {MaxFormats}: {p.Key}", p);
        }
        var formats = new List<string>();
        bool previousMissing = false;
        for (int i = 1; i <= MaxFormats; i++)
        {
            var format = config[$"format{i}"];
            if (format is null)
            {
                previousMissing = true;
                continue;
            }
            if (i > 1 && previousMissing)
                throw new ConfigException($"Jump of format index found. format{i - 1} is missing.", config);
            formats.Add(RegexBody(format, $"format{i}", config));
        }
        if (formats.Count == 0) throw new ConfigException("multiline: 'format1' is required", config);
        return formats;
    }

    private static string RegexBody(string value, string key, ConfigSection config)
    {
        if (value.Length >= 2 && value[0] == '/' && value[^1] == '/') return value[1..^1];
        throw new ConfigException($"format should be Regexp, need //, in {key}: '{value}'", config);
    }
}
