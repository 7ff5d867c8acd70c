namespace LogAgent.Sdk.Config;

/// <summary>
/// One element of a configuration: a directive (<c>&lt;source&gt;</c>, <c>&lt;match a.**&gt;</c>) or a nested
/// section (<c>&lt;buffer tag&gt;</c>, <c>&lt;parse&gt;</c>). The fluentd-syntax parser and the YAML loader both
/// produce this one model, and every value remembers the file and line it came from so errors can name them.
/// </summary>
public sealed class ConfigSection
{
    private readonly List<ConfigParameter> _parameters = new();
    private readonly List<ConfigSection> _sections = new();

    public ConfigSection(string name, string argument, string file, int line)
    {
        Name = name;
        Argument = argument;
        File = file;
        Line = line;
    }

    /// <summary>The element name: <c>source</c>, <c>match</c>, <c>buffer</c>, ….</summary>
    public string Name { get; }

    /// <summary>The text after the name inside the angle brackets: a match pattern, a label name, buffer chunk keys.</summary>
    public string Argument { get; }

    public string File { get; }
    public int Line { get; }

    public IReadOnlyList<ConfigParameter> Parameters => _parameters;
    public IReadOnlyList<ConfigSection> Sections => _sections;

    /// <summary>Names of parameters read by a plugin or the engine, so the rest can be reported as unused.</summary>
    public HashSet<string> UsedParameters { get; } = new(StringComparer.Ordinal);

    /// <summary>True once a plugin or the engine has consumed this section.</summary>
    public bool IsUsed { get; set; }

    public void Add(ConfigParameter parameter)
    {
        // fluentd keeps the last value of a repeated key.
        _parameters.RemoveAll(p => p.Key == parameter.Key);
        _parameters.Add(parameter);
    }

    public void Add(ConfigSection section) => _sections.Add(section);

    public ConfigParameter? Find(string key)
    {
        foreach (var p in _parameters) if (p.Key == key) return p;
        return null;
    }

    /// <summary>Reads a parameter and marks it used.</summary>
    public string? this[string key]
    {
        get
        {
            var p = Find(key);
            if (p is null) return null;
            UsedParameters.Add(key);
            return p.Value;
        }
    }

    public bool Has(string key) => Find(key) is not null;

    public IEnumerable<ConfigSection> SectionsNamed(string name) => _sections.Where(s => s.Name == name);

    /// <summary>The <c>@type</c> of this element, or the legacy v0.12 <c>type</c>.</summary>
    public string? PluginType => this["@type"] ?? this["type"];

    public string Where => $"{File}:{Line}";

    public override string ToString() => Argument.Length == 0 ? $"<{Name}>" : $"<{Name} {Argument}>";

    /// <summary>A deep copy: used where one config element is instantiated more than once.</summary>
    public ConfigSection Clone()
    {
        var copy = new ConfigSection(Name, Argument, File, Line);
        foreach (var p in _parameters) copy.Add(p);
        foreach (var s in _sections) copy.Add(s.Clone());
        return copy;
    }
}
