namespace LogAgent.Sdk.Config;

/// <summary>A <c>key value</c> line of a configuration, with where it was written.</summary>
public sealed record ConfigParameter(string Key, string Value, string File, int Line)
{
    public string Where => $"{File}:{Line}";
}
