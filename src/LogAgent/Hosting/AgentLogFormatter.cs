using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Hosting;

/// <summary>
/// One greppable line per message, close to fluentd's own log format:
/// <c>2026-11-26 12:00:00.123 +0000 [warn] stdout.1: message</c> (time, level, plugin id or component, message).
/// </summary>
public sealed class AgentLogFormatter
{
    public void Write<TState>(in LogEntry<TState> entry, TextWriter writer)
    {
        var message = entry.Formatter?.Invoke(entry.State, entry.Exception) ?? entry.State?.ToString() ?? "";
        var now = DateTimeOffset.Now;
        writer.Write(now.ToString("yyyy-MM-dd HH:mm:ss.fff "));
        writer.Write(now.ToString("zzz").Replace(":", ""));
        writer.Write(" [");
        writer.Write(Level(entry.LogLevel));
        writer.Write("] ");
        writer.Write(Component(entry.Category));
        writer.Write(": ");
        writer.Write(message.Replace('\n', ' '));
        if (entry.Exception is { } e) { writer.Write(" error_class="); writer.Write(e.GetType().Name); writer.Write(" error=\""); writer.Write(e.Message.Replace('\n', ' ')); writer.Write('"'); }
        writer.WriteLine();
    }

    private static string Component(string category) =>
        category.StartsWith("Microsoft.Hosting.Lifetime", StringComparison.Ordinal) ? "host"
        : category.StartsWith("Microsoft.", StringComparison.Ordinal) ? category[(category.LastIndexOf('.') + 1)..]
        : category;

    public static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "none",
    };
}
