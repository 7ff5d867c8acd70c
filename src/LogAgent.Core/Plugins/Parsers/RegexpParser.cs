using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>regexp</c> parser (lib/fluent/plugin/parser_regexp.rb): the named groups of
/// <c>expression</c> become the record's fields, in the order they appear; a group that did not take part in
/// the match is left out. Written in Ruby syntax, as <c>/pattern/flags</c> (see <see cref="RubyRegex"/>).
/// The nginx, apache_error and multiline parsers are this parser with a preset expression.
/// </summary>
[Plugin(PluginKind.Parser, "regexp", "Parses text with a regular expression whose named groups become fields.")]
public class RegexpParser : ParserPlugin
{
    private Regex? _regex;
    private string[] _names = Array.Empty<string>();
    private int[] _numbers = Array.Empty<int>();

    [Parameter("expression", "The regular expression, as /pattern/ with optional i, m or x flags; named groups become fields.")]
    public string? Expression { get; set; }

    [Parameter("ignorecase", "Deprecated in fluentd and without effect; use /pattern/i.")]
    public bool IgnoreCase { get; set; }

    [Parameter("multiline", "Deprecated in fluentd and without effect; use /pattern/m.")]
    public bool Multiline { get; set; }

    /// <summary>The compiled expression, for tests and for inputs that want to show it.</summary>
    public Regex Regex => _regex ?? throw new InvalidOperationException("the parser is not configured");

    /// <summary>The expression's named groups, in the order they appear: the record's fields, in that order.</summary>
    protected IReadOnlyList<string> GroupNames => _names;

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        if (string.IsNullOrEmpty(Expression))
            throw new ConfigException($"'expression' parameter is required by parser '{GetType().Name}' in {config}", config);
        try
        {
            _regex = RubyRegex.Parse(Expression);
        }
        catch (FormatException e)
        {
            var at = config.Find("expression");
            throw at is null ? new ConfigException(e.Message, config) : new ConfigException(e.Message, at);
        }
        _names = RubyRegex.NamedGroups(_regex);
        // Groups by number: Groups[name] looks the name up in a hashtable on every call, once per field per line.
        _numbers = _names.Select(_regex.GroupNumberFromName).ToArray();
        if (_names.Length == 0)
            throw new ConfigException($"expression {Expression} has no named groups ((?<name>...)), so it cannot produce fields", config);
    }

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        time = null;
        var m = Regex.Match(text);
        if (!m.Success)
        {
            record = new Record();
            return false;
        }
        record = new Record(_names.Length);
        var groups = m.Groups;
        for (int i = 0; i < _names.Length; i++)
        {
            var g = groups[_numbers[i]];
            if (g.Success) record[_names[i]] = g.Value;
        }
        return TryFinish(record, out time);
    }
}
