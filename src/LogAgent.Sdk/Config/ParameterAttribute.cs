namespace LogAgent.Sdk.Config;

/// <summary>How a parameter's text is read, where the property type alone does not say.</summary>
public enum ParameterKind
{
    /// <summary>Taken from the property type: string, bool, int, long, double, enum, string[], dictionary, TimeSpan (a time).</summary>
    Auto,
    /// <summary>A byte size: <c>512</c>, <c>8k</c>, <c>8m</c>, <c>1g</c>, <c>1t</c> (property type long or int).</summary>
    Size,
    /// <summary>A duration in seconds: <c>30</c>, <c>0.5</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c> (property type double or TimeSpan).</summary>
    Time,
}

/// <summary>
/// Declares a plugin parameter once: the name operators write in the config file, and a one-line description.
/// The property's initial value is the default. The same declaration drives binding, validation errors and
/// <c>logagent --describe-plugin</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class ParameterAttribute : Attribute
{
    public ParameterAttribute(string name, string description)
    {
        Name = name;
        Description = description;
    }

    public string Name { get; }
    public string Description { get; }
    public bool Required { get; init; }
    public ParameterKind Kind { get; init; }
    /// <summary>Other names accepted for the same parameter (fluentd aliases and deprecated names).</summary>
    public string[] Aliases { get; init; } = Array.Empty<string>();
    /// <summary>For string parameters: the allowed values, making it an enum as fluentd's <c>:enum</c>.</summary>
    public string[] AllowedValues { get; init; } = Array.Empty<string>();
    /// <summary>
    /// A credential (key, password, token): wherever the agent shows configuration (monitor_agent), its value is
    /// <c>xxxxxx</c>, as fluentd masks <c>secret: true</c> parameters.
    /// </summary>
    public bool Secret { get; init; }
}

/// <summary>
/// Declares a nested section (<c>&lt;record&gt;</c>, <c>&lt;regexp&gt;</c>, <c>&lt;server&gt;</c>) bound to a property whose type
/// is a class with its own <see cref="ParameterAttribute"/> properties, or a <see cref="List{T}"/> of them when
/// the section may repeat.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class SectionAttribute : Attribute
{
    public SectionAttribute(string name, string description)
    {
        Name = name;
        Description = description;
    }

    public string Name { get; }
    public string Description { get; }
    public bool Required { get; init; }
    /// <summary>The property receives the section's own parameters as a free-form dictionary (e.g. record_transformer's &lt;record&gt;).</summary>
    public bool FreeForm { get; init; }
}
