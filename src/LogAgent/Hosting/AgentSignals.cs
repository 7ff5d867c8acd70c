using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace LogAgent.Hosting;

/// <summary>
/// fluentd's signals besides TERM and INT (which the generic host turns into a graceful stop): HUP and USR2 reload the
/// config gracefully, USR1 flushes every buffer and reopens the agent's log file, CONT writes a state dump
/// (fluentd deployment/signals.md; supervisor.rb). Each handler cancels the signal's default action (HUP and USR1/USR2
/// would end the process) and hands the work to the thread pool, off the signal-handling thread.
/// USR1 and USR2 are not in <see cref="PosixSignal"/>; PosixSignalRegistration.Create takes a raw signal number cast to
/// it ("Raw values can be provided for signal by casting them to PosixSignal", its API documentation) — Linux's
/// numbers, 10 and 12 (signal(7)), checked by the signal tests.
/// </summary>
public sealed class AgentSignals : IDisposable
{
    public const PosixSignal SIGUSR1 = (PosixSignal)10;
    public const PosixSignal SIGUSR2 = (PosixSignal)12;

    private readonly List<PosixSignalRegistration> _registrations = new();

    public AgentSignals(Action reload, Action gracefulReload, Action flushAndReopenLog, Action dumpState, ILogger log)
    {
        Register(PosixSignal.SIGHUP, "SIGHUP", reload, log);
        if (OperatingSystem.IsWindows()) return; // the agent runs on Linux; Windows has none of the others
        Register(SIGUSR2, "SIGUSR2", gracefulReload, log);
        Register(SIGUSR1, "SIGUSR1", flushAndReopenLog, log);
        Register(PosixSignal.SIGCONT, "SIGCONT", dumpState, log);
    }

    private void Register(PosixSignal signal, string name, Action action, ILogger log)
    {
        _registrations.Add(PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            log.LogInformation("received {Signal}", name);
            _ = Task.Run(action);
        }));
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _registrations.Clear();
    }
}
