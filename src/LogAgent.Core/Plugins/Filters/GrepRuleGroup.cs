using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// An <c>&lt;and&gt;</c> or <c>&lt;or&gt;</c> section of grep: the conditions inside are combined with that
/// operator. fluentd rejects a group holding both <c>&lt;regexp&gt;</c> and <c>&lt;exclude&gt;</c>; the filter
/// checks that, since the message names the group.
/// </summary>
public sealed class GrepRuleGroup
{
    [Section("regexp", "Conditions a record must meet (combined by the enclosing <and>/<or>).")]
    public List<GrepRule> Regexps { get; set; } = new();

    [Section("exclude", "Conditions that drop a record (combined by the enclosing <and>/<or>).")]
    public List<GrepRule> Excludes { get; set; } = new();
}
