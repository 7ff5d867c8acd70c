using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// fluentd's grep filter (lib/fluent/plugin/filter_grep.rb): keeps or drops records by regular expressions on
/// their values. Conditions fall into four sets, each tested in this order and each able to drop the record:
/// regexp-AND (top-level <c>&lt;regexp&gt;</c>, <c>regexpN</c>, <c>&lt;and&gt;&lt;regexp&gt;</c>): all must match;
/// regexp-OR (<c>&lt;or&gt;&lt;regexp&gt;</c>): at least one must match;
/// exclude-AND (<c>&lt;and&gt;&lt;exclude&gt;</c>): the record is dropped when all match;
/// exclude-OR (top-level <c>&lt;exclude&gt;</c>, <c>excludeN</c>, <c>&lt;or&gt;&lt;exclude&gt;</c>): dropped when any matches.
/// </summary>
[Plugin(PluginKind.Filter, "grep", "Keeps or drops records by regular expressions on their fields.")]
public sealed class GrepFilter : FilterPlugin
{
    // filter_grep.rb's REGEXP_MAX_NUM: regexp1..regexp20 and exclude1..exclude20.
    private const int LegacyRuleCount = 20;

    private GrepRule[] _regexpAnd = Array.Empty<GrepRule>();
    private GrepRule[] _regexpOr = Array.Empty<GrepRule>();
    private GrepRule[] _excludeAnd = Array.Empty<GrepRule>();
    private GrepRule[] _excludeOr = Array.Empty<GrepRule>();

    [Section("regexp", "Keep only records whose key matches the pattern; several are ANDed.")]
    public List<GrepRule> Regexps { get; set; } = new();

    [Section("exclude", "Drop records whose key matches the pattern; several are ORed.")]
    public List<GrepRule> Excludes { get; set; } = new();

    [Section("and", "Conditions combined with AND: <regexp>s that must all match, or <exclude>s that drop a record when all match.")]
    public List<GrepRuleGroup> AndGroups { get; set; } = new();

    [Section("or", "Conditions combined with OR: <regexp>s of which one must match, or <exclude>s of which any drops a record.")]
    public List<GrepRuleGroup> OrGroups { get; set; } = new();

    /// <summary>The regexp-AND conditions, in configuration order (for tests and describe output).</summary>
    public IReadOnlyList<GrepRule> RegexpAndRules => _regexpAnd;
    public IReadOnlyList<GrepRule> RegexpOrRules => _regexpOr;
    public IReadOnlyList<GrepRule> ExcludeAndRules => _excludeAnd;
    public IReadOnlyList<GrepRule> ExcludeOrRules => _excludeOr;

    public override void Configure(ConfigSection config)
    {
        // Each set is keyed by the key text as written, and a key may appear once per set: fluentd raises
        // "Duplicate key" rather than silently keeping one of two conditions on the same field.
        var regexpAnd = new RuleSet();
        var regexpOr = new RuleSet();
        var excludeAnd = new RuleSet();
        var excludeOr = new RuleSet();

        // The legacy regexpN/excludeN lines are read here rather than declared: forty deprecated parameters
        // would drown the real ones in describe-plugin output.
        for (int i = 1; i <= LegacyRuleCount; i++) AddLegacy(config, $"regexp{i}", regexpAnd);
        for (int i = 1; i <= LegacyRuleCount; i++) AddLegacy(config, $"exclude{i}", excludeOr);

        // fluentd logs these at info level because the two top-level defaults differ and surprise people.
        if (Regexps.Count > 1) Log.LogInformation("Top level multiple <regexp> is interpreted as 'and' condition");
        if (Excludes.Count > 1) Log.LogInformation("Top level multiple <exclude> is interpreted as 'or' condition");
        foreach (var rule in Regexps) regexpAnd.Add(rule, "Duplicate key", config);
        foreach (var rule in Excludes) excludeOr.Add(rule, "Duplicate key", config);

        foreach (var (group, at) in AndGroups.Zip(config.SectionsNamed("and")))
        {
            if (group.Regexps.Count > 0 && group.Excludes.Count > 0)
                throw new ConfigException("Do not specify both <regexp> and <exclude> in <and>", at);
            foreach (var rule in group.Regexps) regexpAnd.Add(rule, "Duplicate key in <and>", at);
            foreach (var rule in group.Excludes) excludeAnd.Add(rule, "Duplicate key in <and>", at);
        }
        foreach (var (group, at) in OrGroups.Zip(config.SectionsNamed("or")))
        {
            if (group.Regexps.Count > 0 && group.Excludes.Count > 0)
                throw new ConfigException("Do not specify both <regexp> and <exclude> in <or>", at);
            foreach (var rule in group.Regexps) regexpOr.Add(rule, "Duplicate key in <or>", at);
            foreach (var rule in group.Excludes) excludeOr.Add(rule, "Duplicate key in <or>", at);
        }

        _regexpAnd = regexpAnd.ToArray();
        _regexpOr = regexpOr.ToArray();
        _excludeAnd = excludeAnd.ToArray();
        _excludeOr = excludeOr.ToArray();
    }

    public override Record? FilterRecord(string tag, EventTime time, Record record)
    {
        try
        {
            if (_regexpAnd.Length > 0 && !AllMatch(_regexpAnd, record)) return null;
            if (_regexpOr.Length > 0 && !AnyMatches(_regexpOr, record)) return null;
            if (_excludeAnd.Length > 0 && AllMatch(_excludeAnd, record)) return null;
            if (_excludeOr.Length > 0 && AnyMatches(_excludeOr, record)) return null;
        }
        catch (RecordAccessException e)
        {
            // filter_grep.rb rescues any error while matching, logs "failed to grep events" and keeps the record.
            Log.LogWarning(e, "failed to grep events (tag {Tag})", tag);
        }
        return record;
    }

    private static bool AllMatch(GrepRule[] rules, Record record)
    {
        foreach (var rule in rules)
            if (!rule.Matches(record)) return false;
        return true;
    }

    private static bool AnyMatches(GrepRule[] rules, Record record)
    {
        foreach (var rule in rules)
            if (rule.Matches(record)) return true;
        return false;
    }

    private static void AddLegacy(ConfigSection config, string name, RuleSet into)
    {
        var text = config[name];
        if (text is null) return;
        var at = config.Find(name)!;
        // `key, regexp = value.split(/ /, 2)`: split at the first space only, so the pattern keeps the rest verbatim
        // (regexp1 message  foo has the pattern " foo").
        var parts = text.Split(' ', 2);
        if (parts.Length < 2) throw new ConfigException($"{name} does not contain 2 parameters", at);
        if (into.Contains(parts[0])) throw new ConfigException($"{name} contains a duplicated key, {parts[0]}", at);
        into.Add(GrepRule.FromLegacy(parts[0], parts[1], at), "Duplicate key", config);
    }

    /// <summary>Conditions of one set, in insertion order, at most one per key text.</summary>
    private sealed class RuleSet
    {
        private readonly List<GrepRule> _rules = new();
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

        public bool Contains(string key) => _keys.Contains(key);

        public void Add(GrepRule rule, string duplicateMessage, ConfigSection at)
        {
            if (!_keys.Add(rule.Key)) throw new ConfigException($"{duplicateMessage}: {rule.Key}", rule.Section ?? at);
            _rules.Add(rule);
        }

        public GrepRule[] ToArray() => _rules.ToArray();
    }
}
