using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Hosting;

/// <summary>
/// The agent's own log: one line per message in <see cref="AgentLogFormatter"/>'s format, written through at once
/// (a crash loses no line), to standard error (standard output belongs to the stdout output; under systemd both go
/// to the journal) or to a file (<c>--log FILE</c> / <c>-o FILE</c>, as fluentd's), appended to.
/// <see cref="Reopen"/> (SIGUSR1) opens the file's path again, so logrotate can move the file away and signal, as
/// fluent-package's logrotate config does with td-agent's log.
/// </summary>
/// <remarks>
/// Not Microsoft.Extensions.Logging.Console: the agent uses none of its options, and registering it brings in its
/// configuration binding, System.Text.Json for its JSON formatter and a queue thread: about 2 MiB of resident memory
/// for writing a line to a stream, which this class does for the file anyway.
/// </remarks>
public sealed class AgentLog : ILoggerProvider
{
    private readonly AgentLogFormatter _formatter = new();
    private readonly object _lock = new();
    private StreamWriter _writer;

    /// <summary>A log appended to the file at <paramref name="path"/>.</summary>
    public AgentLog(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _writer = Open(Path);
    }

    private AgentLog(StreamWriter writer)
    {
        _writer = writer;
    }

    /// <summary>A log on standard error.</summary>
    public static AgentLog StandardError() => new(new StreamWriter(Console.OpenStandardError()) { AutoFlush = true });

    /// <summary>The log file; null for standard error.</summary>
    public string? Path { get; }

    private static StreamWriter Open(string path)
    {
        if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return new StreamWriter(stream) { AutoFlush = true };
    }

    /// <summary>Closes the file and opens the path again (a new file when the old one was moved away); nothing for standard error.</summary>
    public void Reopen()
    {
        if (Path is null) return;
        var reopened = Open(Path);
        StreamWriter old;
        lock (_lock)
        {
            old = _writer;
            _writer = reopened;
        }
        old.Dispose();
    }

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    private void Write<TState>(in LogEntry<TState> entry)
    {
        using var line = new StringWriter();
        _formatter.Write(entry, line);
        lock (_lock)
        {
            try
            {
                _writer.Write(line.ToString());
            }
            catch (IOException)
            {
                // A full disk (or a closed standard error) must not take the agent down with it; the line is lost,
                // the events are not.
            }
        }
    }

    // Both logger factories (the one before the host and the host's) share this provider and each disposes its
    // providers; the file stays open until the process ends, so late lines (the last "agent stopped") are written.
    public void Dispose()
    {
    }

    private sealed class LineLogger(AgentLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            log.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
        }
    }
}
