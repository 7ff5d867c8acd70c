using System.Collections;
using System.Reflection;
using LogAgent.Core.Config;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins;

/// <summary>
/// Binds a config element onto an object's <see cref="ParameterAttribute"/> and <see cref="SectionAttribute"/>
/// properties, converting each value by its declared type, and reports bad values and missing required
/// parameters as <see cref="ConfigException"/> naming the file and line.
/// </summary>
public static class ParameterBinder
{
    public static void Bind(object target, ConfigSection section, string pluginName)
    {
        foreach (var (property, attribute) in ParameterProperties(target.GetType()))
        {
            var parameter = section.Find(attribute.Name);
            foreach (var alias in attribute.Aliases)
                parameter ??= section.Find(alias);
            if (parameter is null)
            {
                if (attribute.Required)
                    throw new ConfigException($"'{attribute.Name}' parameter is required by plugin '{pluginName}' in {section}", section);
                continue;
            }
            section.UsedParameters.Add(parameter.Key);
            object? value;
            try
            {
                value = Convert(parameter.Value, property.PropertyType, attribute);
            }
            catch (FormatException e)
            {
                throw new ConfigException($"invalid value for parameter '{attribute.Name}' of plugin '{pluginName}': {e.Message}", parameter);
            }
            property.SetValue(target, value);
        }

        foreach (var (property, attribute) in SectionProperties(target.GetType()))
        {
            var matches = section.Sections.Where(s => s.Name == attribute.Name).ToList();
            if (matches.Count == 0)
            {
                if (attribute.Required)
                    throw new ConfigException($"<{attribute.Name}> section is required by plugin '{pluginName}' in {section}", section);
                continue;
            }
            foreach (var m in matches) m.IsUsed = true;
            var type = property.PropertyType;
            if (attribute.FreeForm)
            {
                var dict = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var m in matches)
                    foreach (var p in m.Parameters) { dict[p.Key] = p.Value; m.UsedParameters.Add(p.Key); }
                property.SetValue(target, dict);
            }
            else if (IsList(type, out var itemType))
            {
                var list = (IList)Activator.CreateInstance(type)!;
                foreach (var m in matches) list.Add(BindNew(itemType, m, pluginName));
                property.SetValue(target, list);
            }
            else
            {
                if (matches.Count > 1)
                    throw new ConfigException($"<{attribute.Name}> may appear only once in {section} (plugin '{pluginName}')", matches[1]);
                property.SetValue(target, BindNew(type, matches[0], pluginName));
            }
        }
    }

    private static object BindNew(Type type, ConfigSection section, string pluginName)
    {
        var item = Activator.CreateInstance(type) ?? throw new InvalidOperationException($"cannot create {type}");
        Bind(item, section, pluginName);
        if (item is IConfigurableSection configurable) configurable.Configure(section);
        return item;
    }

    public static IEnumerable<(PropertyInfo Property, ParameterAttribute Attribute)> ParameterProperties(Type type) =>
        AllProperties(type)
            .Select(p => (p, p.GetCustomAttribute<ParameterAttribute>(inherit: true)))
            .Where(x => x.Item2 is not null)
            .Select(x => (x.p, x.Item2!));

    public static IEnumerable<(PropertyInfo Property, SectionAttribute Attribute)> SectionProperties(Type type) =>
        AllProperties(type)
            .Select(p => (p, p.GetCustomAttribute<SectionAttribute>(inherit: true)))
            .Where(x => x.Item2 is not null)
            .Select(x => (x.p, x.Item2!));

    // Base-class declarations first, so describe-plugin lists the common parameters before the specific ones;
    // an override is listed once, where it is declared last.
    private static IEnumerable<PropertyInfo> AllProperties(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType) chain.Insert(0, t);
        var seen = new HashSet<string>();
        var result = new List<PropertyInfo>();
        foreach (var t in chain.AsEnumerable().Reverse())
            foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                if (p.CanWrite && seen.Add(p.Name)) result.Add(p);
        return result.OrderBy(p => chain.IndexOf(BaseMost(p)));
    }

    private static Type BaseMost(PropertyInfo p)
    {
        var method = p.GetMethod ?? p.SetMethod!;
        return method.GetBaseDefinition().DeclaringType!;
    }

    private static bool IsList(Type type, out Type itemType)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            itemType = type.GetGenericArguments()[0];
            return true;
        }
        itemType = typeof(object);
        return false;
    }

    /// <summary>Converts parameter text to the property type; throws <see cref="FormatException"/> with the reason.</summary>
    public static object? Convert(string text, Type type, ParameterAttribute attribute)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (attribute.Kind == ParameterKind.Size)
        {
            long size = ConfigValues.ParseSize(text);
            return underlying == typeof(int) ? checked((int)size) : size;
        }
        if (attribute.Kind == ParameterKind.Time || underlying == typeof(TimeSpan))
        {
            double seconds = ConfigValues.ParseTime(text);
            return underlying == typeof(TimeSpan) ? TimeSpan.FromSeconds(seconds) : seconds;
        }
        if (underlying == typeof(string))
        {
            if (attribute.AllowedValues.Length > 0 && !attribute.AllowedValues.Contains(text))
                throw new FormatException($"'{text}' is not one of: {string.Join(", ", attribute.AllowedValues)}");
            return text;
        }
        if (underlying == typeof(bool)) return ConfigValues.ParseBool(text);
        if (underlying == typeof(int)) return checked((int)ConfigValues.ParseInteger(text));
        if (underlying == typeof(long)) return ConfigValues.ParseInteger(text);
        if (underlying == typeof(double)) return ConfigValues.ParseFloat(text);
        if (underlying.IsEnum)
        {
            var normalized = text.Trim().Replace("_", "");
            foreach (var name in Enum.GetNames(underlying))
                if (string.Equals(name, normalized, StringComparison.OrdinalIgnoreCase))
                    return Enum.Parse(underlying, name);
            throw new FormatException($"'{text}' is not one of: {string.Join(", ", Enum.GetNames(underlying).Select(ToSnakeCase))}");
        }
        if (underlying == typeof(string[])) return ConfigValues.ParseArray(text);
        if (underlying == typeof(List<string>)) return ConfigValues.ParseArray(text).ToList();
        if (underlying == typeof(Dictionary<string, string>)) return ConfigValues.ParseHash(text);
        throw new InvalidOperationException($"parameter '{attribute.Name}' has unsupported type {type}");
    }

    public static string ToSnakeCase(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
