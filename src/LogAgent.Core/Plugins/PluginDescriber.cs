using System.Collections;
using System.Reflection;
using System.Text;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins;

/// <summary>Renders a plugin's declared parameters and sections for <c>logagent --describe-plugin NAME</c>.</summary>
public static class PluginDescriber
{
    public static string Describe(PluginDescriptor plugin)
    {
        var text = new StringBuilder();
        text.Append($"{plugin.Name} ({PluginRegistry.KindName(plugin.Kind)} plugin");
        if (plugin.Aliases.Length > 0) text.Append($", also: {string.Join(", ", plugin.Aliases)}");
        text.AppendLine($") — {plugin.Description}");
        text.AppendLine($"  from: {plugin.Origin}");
        DescribeType(plugin.Type, text, "  ");
        return text.ToString();
    }

    private static void DescribeType(Type type, StringBuilder text, string indent)
    {
        object? defaults = type.IsAbstract ? null : Activator.CreateInstance(type);
        foreach (var (property, attribute) in ParameterBinder.ParameterProperties(type))
        {
            var value = defaults is null ? null : property.GetValue(defaults);
            var defaultText = attribute.Required ? "required" : $"default: {Render(value)}";
            var secret = attribute.Secret ? ", secret" : "";
            text.AppendLine($"{indent}{attribute.Name} ({TypeName(property, attribute)}{secret}, {defaultText})");
            text.AppendLine($"{indent}    {attribute.Description}");
        }
        foreach (var (property, attribute) in ParameterBinder.SectionProperties(type))
        {
            var many = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>);
            text.AppendLine($"{indent}<{attribute.Name}>{(many ? " (repeatable)" : "")}{(attribute.Required ? " (required)" : "")}");
            text.AppendLine($"{indent}    {attribute.Description}");
            if (!attribute.FreeForm)
                DescribeType(many ? property.PropertyType.GetGenericArguments()[0] : property.PropertyType, text, indent + "    ");
        }
    }

    private static string TypeName(PropertyInfo property, ParameterAttribute attribute)
    {
        if (attribute.Kind == ParameterKind.Size) return "size";
        if (attribute.Kind == ParameterKind.Time) return "time";
        if (attribute.AllowedValues.Length > 0) return "enum: " + string.Join("|", attribute.AllowedValues);
        var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (t.IsEnum) return "enum: " + string.Join("|", Enum.GetNames(t).Select(ParameterBinder.ToSnakeCase));
        return t switch
        {
            _ when t == typeof(string) => "string",
            _ when t == typeof(bool) => "bool",
            _ when t == typeof(int) || t == typeof(long) => "integer",
            _ when t == typeof(double) => "float",
            _ when t == typeof(TimeSpan) => "time",
            _ when t == typeof(Dictionary<string, string>) => "hash",
            _ when typeof(IEnumerable).IsAssignableFrom(t) => "array",
            _ => t.Name,
        };
    }

    private static string Render(object? value) => value switch
    {
        null => "nil",
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        Enum e => ParameterBinder.ToSnakeCase(e.ToString()),
        IDictionary d => d.Count == 0 ? "{}" : "{" + string.Join(",", d.Keys.Cast<object>().Select(k => $"{k}:{d[k]}")) + "}",
        IEnumerable e => "[" + string.Join(",", e.Cast<object>()) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
