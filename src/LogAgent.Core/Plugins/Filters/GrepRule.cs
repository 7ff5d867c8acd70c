using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// One grep condition: a <c>&lt;regexp&gt;</c> or <c>&lt;exclude&gt;</c> section, or a legacy <c>regexpN</c> /
/// <c>excludeN</c> line. It holds when the pattern is found anywhere in the key's value converted with Ruby's
/// <c>to_s</c> (filter_grep.rb's Expression#match?). A missing key is nil, whose to_s is the empty string, so a
/// pattern that matches "" (such as <c>^$</c>) holds for records without the key.
/// </summary>
public sealed class GrepRule : IConfigurableSection
{
    [Parameter("key", "The record key to test: a top-level name, or a record accessor such as $.kubernetes.pod_name.", Required = true)]
    public string Key { get; set; } = "";

    [Parameter("pattern", "The regular expression, as /pattern/ with optional i and m flags, or bare.", Required = true)]
    public string Pattern { get; set; } = "";

    // Both are set by Configure (or FromLegacy) before the rule is used.
    public RecordAccessor Accessor { get; private set; } = null!;

    public Regex Regex { get; private set; } = null!;

    /// <summary>The section the rule was written in, for error messages; null for a legacy line.</summary>
    internal ConfigSection? Section { get; private set; }

    /// <summary>Builds a rule from a legacy <c>regexpN key pattern</c> line, whose pattern is never /-delimited.</summary>
    internal static GrepRule FromLegacy(string key, string pattern, ConfigParameter at)
    {
        var rule = new GrepRule { Key = key, Pattern = pattern };
        try
        {
            rule.Accessor = RecordAccessor.Parse(key);
            rule.Regex = RubyRegex.Compile(pattern);
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"{at.Key}: {e.Reason}", at, e);
        }
        catch (FormatException e)
        {
            throw new ConfigException($"{at.Key}: {e.Message}", at, e);
        }
        return rule;
    }

    public void Configure(ConfigSection section)
    {
        Section = section;
        try
        {
            Accessor = RecordAccessor.Parse(Key);
            Regex = RubyRegex.Parse(Pattern);
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"{section}: {e.Reason}", section, e);
        }
        catch (FormatException e)
        {
            throw new ConfigException($"{section}: {e.Message}", section, e);
        }
    }

    /// <summary>True when the pattern is found in the value; throws <see cref="RecordAccessException"/> as Hash#dig would.</summary>
    public bool Matches(Record record) => Regex.IsMatch(RubyValueText.RubyToS(Accessor.Get(record)));
}
