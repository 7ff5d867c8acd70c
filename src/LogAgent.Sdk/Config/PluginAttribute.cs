namespace LogAgent.Sdk.Config;

public enum PluginKind { Input, Filter, Output, Parser, Formatter }

/// <summary>Registers a plugin class under the <c>@type</c> name operators write.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PluginAttribute : Attribute
{
    public PluginAttribute(PluginKind kind, string name, string description)
    {
        Kind = kind;
        Name = name;
        Description = description;
    }

    public PluginKind Kind { get; }
    public string Name { get; }
    public string Description { get; }
    public string[] Aliases { get; init; } = Array.Empty<string>();
}
