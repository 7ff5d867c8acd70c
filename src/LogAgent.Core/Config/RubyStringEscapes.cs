namespace LogAgent.Core.Config;

/// <summary>
/// Backslash escapes of a Ruby double-quoted string literal. They apply inside embedded Ruby string literals and to
/// YAML <c>!fluent/s</c> values, which fluentd evaluates as <c>instance_eval("\"#{val}\"")</c>
/// (lib/fluent/config/yaml_parser/fluent_value.rb). The fluentd-syntax double-quoted value has its own, stricter
/// table (see <see cref="FluentConfigParser"/>).
/// </summary>
internal static class RubyStringEscapes
{
    /// <summary>The character <c>\c</c> stands for; an unknown escape is the character itself, as in Ruby.</summary>
    public static string Unescape(char c) => c switch
    {
        'n' => "\n",
        't' => "\t",
        'r' => "\r",
        'f' => "\f",
        'b' => "\b",
        'v' => "\v",
        'a' => "\a",
        'e' => "\u001b",
        's' => " ",
        '0' => "\0",
        _ => c.ToString(),
    };
}
