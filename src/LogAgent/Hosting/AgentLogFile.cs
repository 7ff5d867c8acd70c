using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Hosting;

/// <summary>
/// The agent's own log in a file (<c>--log FILE</c> / <c>-o FILE</c>, as fluentd's): appended to, one line per
/// message in <see cref="AgentLogFormatter"/>'s format, written through at once (a crash loses no line).
/// <see cref="Reopen"/> (SIGUSR1) opens the path again, so logrotate can move the file away and signal, as
/// fluent-package's logrotate config does with td-agent's log.
/// </summary>
public sealed class AgentLogFile : ILoggerProvider
{
    private readonly AgentLogFormatter _formatter = new();
    private readonly object _lock = new();
    private StreamWriter _writer;

    public AgentLogFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _writer = Open();
    }

    public string Path { get; }

    private StreamWriter Open()
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
        var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return new StreamWriter(stream) { AutoFlush = true };
    }

    /// <summary>Closes the file and opens the path again (a new file when the old one was moved away).</summary>
    public void Reopen()
    {
        var reopened = Open();
        StreamWriter old;
        lock (_lock)
        {
            old = _writer;
            _writer = reopened;
        }
        old.Dispose();
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    private void Write<TState>(in LogEntry<TState> entry)
    {
        using var line = new StringWriter();
        _formatter.Write(entry, null, line);
        lock (_lock)
        {
            try
            {
                _writer.Write(line.ToString());
            }
            catch (IOException)
            {
                // A full disk must not take the agent down with it; the line is lost, the events are not.
            }
        }
    }

    // Both logger factories (the one before the host and the host's) share this provider and each disposes its
    // providers; the file stays open until the process ends, so late lines (the last "agent stopped") are written.
    public void Dispose()
    {
    }

    private sealed class FileLogger(AgentLogFile file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            file.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
        }
    }
}
