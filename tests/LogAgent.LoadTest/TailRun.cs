using System.Diagnostics;
using System.Globalization;

namespace LogAgent.LoadTest;

/// <summary>
/// Runs one tail scenario: starts the agent on a fresh pos file and measures from the moment the tail input has opened
/// the log (its pos entry appears, at offset 0, before the first byte is read — so .NET startup, config loading and
/// plugin start-up are left out) to the moment every line is through: for the null output when the committed offset
/// (written after each batch's emit returns) reaches the log's size, for the forward output when the counting sink
/// has received every line.
/// </summary>
public static class TailRun
{
    public static async Task<TailResult> RunAsync(TailScenario scenario, string log, int lines, LoadTestOptions options)
    {
        await using var sink = scenario.HasSink ? new CountingForwardReceiver() : null;
        var name = $"logagent-loadtest-{Environment.ProcessId}-{scenario.Name}";
        var configPath = Path.Combine(Path.GetTempPath(), name + ".conf");
        var posPath = Path.Combine(Path.GetTempPath(), name + ".pos");
        TailScenario.DeletePosFile(posPath);
        File.WriteAllText(configPath, scenario.Config(log, posPath, sink?.Port ?? 0, options.BufferMiB));
        var size = new FileInfo(log).Length;
        try
        {
            using var agent = new AgentUnderTest(options.AgentExecutable, configPath, options.AgentEnvironment);
            var timeout = Stopwatch.StartNew();
            void CheckAlive(string waitingFor)
            {
                if (agent.HasExited) throw new InvalidOperationException($"the agent exited with {agent.ExitCode} while {waitingFor}:\n{agent.Stderr}");
                if (timeout.Elapsed > TimeSpan.FromSeconds(options.TailTimeoutSeconds))
                    throw new TimeoutException($"still {waitingFor} after {options.TailTimeoutSeconds}s; agent stderr:\n{agent.Stderr}");
            }

            // A tight poll while the agent starts: the start of the measurement is this poll's resolution.
            while (CommittedOffset(posPath, log) is null)
            {
                CheckAlive("waiting for the tail input to open the log");
                Thread.Sleep(1);
            }
            var clock = Stopwatch.StartNew();
            double cpu0 = agent.CpuSeconds();

            // 2 ms between polls: a few hundred reads of a one-line file a second cost the shared CPUs next to nothing.
            while (sink is not null ? sink.Events < lines : CommittedOffset(posPath, log) < size)
            {
                CheckAlive(sink is not null ? $"waiting for the sink ({sink.Events} of {lines} lines)" : "waiting for the pos file to reach the log's end");
                Thread.Sleep(2);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            double cpu1 = agent.CpuSeconds();
            double peak = agent.PeakRssMiB();
            if (sink is not null)
            {
                await Task.Delay(200); // anything beyond the lines written would be a duplicate
                if (sink.Events != lines) throw new InvalidOperationException($"the sink received {sink.Events} events for {lines} lines");
            }
            return new TailResult(lines / seconds, size / seconds / (1024 * 1024), seconds, cpu1 - cpu0, cpu1, peak);
        }
        finally
        {
            File.Delete(configPath);
            TailScenario.DeletePosFile(posPath);
        }
    }

    /// <summary>The committed offset of <paramref name="log"/>'s entry in the pos file (path, 16-hex offset, 16-hex inode), or null.</summary>
    internal static long? CommittedOffset(string posPath, string log)
    {
        string text;
        try
        {
            using var stream = new FileStream(posPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            text = new StreamReader(stream).ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split('\t');
            if (fields.Length == 3 && fields[0] == log && fields[1].Length == 16 &&
                long.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var offset) && offset >= 0)
                return offset;
        }
        return null;
    }
}

/// <summary>
/// One tail scenario's numbers: throughput over the measured seconds, the agent's CPU seconds while measuring and over
/// its whole life (start-up included), and its peak RSS.
/// </summary>
public sealed record TailResult(double LinesPerSecond, double MiBPerSecond, double Seconds, double CpuSeconds, double TotalCpuSeconds, double PeakRssMiB);
