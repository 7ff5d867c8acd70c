namespace LogAgent.Sdk.Config;

/// <summary>A configuration error: names the file and line where it was found and says why.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message, string? file = null, int line = 0, Exception? inner = null)
        : base(Format(message, file, line), inner)
    {
        Reason = message;
        File = file;
        Line = line;
    }

    public ConfigException(string message, ConfigSection at, Exception? inner = null) : this(message, at.File, at.Line, inner) { }
    public ConfigException(string message, ConfigParameter at, Exception? inner = null) : this(message, at.File, at.Line, inner) { }

    public string Reason { get; }
    public string? File { get; }
    public int Line { get; }

    private static string Format(string message, string? file, int line) =>
        file is null ? message : line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}";
}
