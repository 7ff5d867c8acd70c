using System.Diagnostics;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins.Inputs.Monitor;
using LogAgent.Sdk.Text;
using Microsoft.Extensions.Logging;

namespace LogAgent.Hosting;

/// <summary>
/// The agent's state as text, fluentd's sigdump (SIGCONT): the process (pid, uptime, memory, GC, thread pool,
/// threads), then every plugin with its counters and buffer state, one JSON object per line exactly as
/// monitor_agent's <c>/api/plugins.json</c> shows it (with retry state, without config). Written to
/// <c>/tmp/sigdump-PID.log</c> as the sigdump gem does, or to <c>SIGDUMP_PATH</c>; <c>-</c> means standard error.
/// </summary>
public static class StateDump
{
    public static string DefaultPath => Environment.GetEnvironmentVariable("SIGDUMP_PATH") is { Length: > 0 } path
        ? path
        : $"/tmp/sigdump-{Environment.ProcessId}.log";

    public static string Text(AgentEngine engine, int reloads)
    {
        using var process = Process.GetCurrentProcess();
        ThreadPool.GetAvailableThreads(out int freeWorkers, out int freeIo);
        ThreadPool.GetMaxThreads(out int maxWorkers, out int maxIo);
        var text = new StringWriter();
        text.WriteLine($"Sigdump at {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss.fff zzz} process {Environment.ProcessId} (logagent {AgentStatus.Version})");
        text.WriteLine($"  uptime: {(DateTime.Now - process.StartTime).TotalSeconds:F1} s, reloads: {reloads}, config: {engine.Status.ConfigPath}");
        text.WriteLine($"  memory: rss {process.WorkingSet64} bytes, managed heap {GC.GetTotalMemory(false)} bytes, " +
                       $"gc counts gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)}");
        // Methods compiled at run time rather than taken precompiled (ReadyToRun): each costs JIT time and
        // resident code memory, so a growing count points at a path that misses the precompiled code.
        text.WriteLine($"  jit: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompiledILBytes()} IL bytes, " +
                       $"{System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms");
        text.WriteLine($"  threads: {process.Threads.Count} OS threads; thread pool {ThreadPool.ThreadCount} threads " +
                       $"({maxWorkers - freeWorkers} workers and {maxIo - freeIo} I/O busy), {ThreadPool.PendingWorkItemCount} work items pending, " +
                       $"{ThreadPool.CompletedWorkItemCount} completed");
        var plugins = engine.Status.Plugins();
        text.WriteLine($"  plugins: {plugins.Count}");
        foreach (var plugin in plugins)
            text.WriteLine("    " + RecordJson.Serialize(MonitorApi.PluginRecord(plugin, withConfig: false, withRetry: true)));
        return text.ToString();
    }

    /// <summary>Writes the dump to <see cref="DefaultPath"/> (or standard error) and logs where.</summary>
    public static void Write(AgentEngine engine, int reloads, ILogger log)
    {
        var text = Text(engine, reloads);
        var path = DefaultPath;
        try
        {
            if (path == "-")
            {
                Console.Error.Write(text);
                log.LogInformation("state dump written to standard error");
                return;
            }
            File.WriteAllText(path, text);
            log.LogInformation("state dump written to {Path}", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogError("cannot write the state dump to {Path}: {Error}", path, e.Message);
        }
    }
}
