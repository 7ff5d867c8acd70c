using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Logging;

/// <summary>A plugin's <c>@log_level</c>: the plugin's lines below that level are dropped, whatever the global level.</summary>
public sealed class LevelFilteredLogger(ILogger inner, LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= minimum) inner.Log(logLevel, eventId, state, exception, formatter);
    }

    /// <summary>fluentd's level names.</summary>
    public static LogLevel Parse(string fluentdLevel) => fluentdLevel.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" => LogLevel.Critical,
        _ => throw new FormatException($"'{fluentdLevel}' is not a log level (trace, debug, info, warn, error, fatal)"),
    };
}
