using System.Globalization;
using LogAgent.Tests.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Tail;

/// <summary>
/// A glob matching 2,000 files, most of them idle, through the real agent process: every file is read, idle CPU stays
/// small, a new file is picked up at once (inotify, not the 60-second refresh), and removed files are let go.
/// </summary>
public class TailScaleTests(ITestOutputHelper output)
{
    private const int FileCount = 2000;

    [Fact]
    public async Task Two_thousand_mostly_idle_files_cost_little_cpu_and_new_files_are_picked_up_at_once()
    {
        using var dir = new TempDirectory();
        var logs = Directory.CreateDirectory(dir.File("logs")).FullName;
        for (var i = 0; i < FileCount; i++) File.WriteAllText(Path.Combine(logs, $"app-{i:D4}.log"), $"hello from {i}\n");
        var config = dir.File("agent.conf");
        File.WriteAllText(config, $"""
            <source>
              @type tail
              path {logs}/*.log
              pos_file {dir.File("tail.pos")}
              tag scale.*
              read_from_head true
              rotate_wait 1
              <parse>
                @type none
              </parse>
            </source>
            <match scale.**>
              @type stdout
            </match>
            """);
        using var agent = new AgentProcess("-c", config);
        await Eventually.True(() => Count(agent.Stdout, "hello from") >= FileCount, TimeSpan.FromSeconds(60),
            () => $"{Count(agent.Stdout, "hello from")} of {FileCount} files read; stderr: {Tail(agent.Stderr)}");

        // Idle: nothing is written for a while. Let startup's one-time work (JIT, GC) settle before measuring.
        await Task.Delay(2000);
        var before = CpuSeconds(agent.Id);
        var window = TimeSpan.FromSeconds(5);
        await Task.Delay(window);
        var idle = (CpuSeconds(agent.Id) - before) / window.TotalSeconds;
        var rss = RssMiB(agent.Id);
        output.WriteLine($"{FileCount} idle files: {idle * 100:F2} % of one core over {window.TotalSeconds} s, RSS {rss:F0} MiB");
        Assert.True(idle < 0.02, $"idle CPU {idle * 100:F2} % of one core is not below 2 %");

        // A file created now is found by inotify long before the 60-second refresh_interval.
        var started = DateTime.UtcNow;
        File.WriteAllText(Path.Combine(logs, "app-new.log"), "brand new file\n");
        await Eventually.True(() => agent.Stdout.Contains("brand new file"), TimeSpan.FromSeconds(5), () => Tail(agent.Stderr));
        output.WriteLine($"new file picked up after {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms");

        // One busy file among the idle ones.
        File.AppendAllText(Path.Combine(logs, "app-0042.log"), string.Concat(Enumerable.Range(0, 1000).Select(i => $"busy {i}\n")));
        await Eventually.True(() => Count(agent.Stdout, "busy ") >= 1000, TimeSpan.FromSeconds(10), () => $"{Count(agent.Stdout, "busy ")} busy lines");

        // Removed files are let go: their pos entries are marked unwatched (fluentd's ffffffffffffffff).
        for (var i = 0; i < 500; i++) File.Delete(Path.Combine(logs, $"app-{i:D4}.log"));
        await Eventually.True(() => UnwatchedEntries(dir.File("tail.pos")) >= 500, TimeSpan.FromSeconds(30),
            () => $"{UnwatchedEntries(dir.File("tail.pos"))} unwatched entries; stderr: {Tail(agent.Stderr)}");
        Assert.Equal(FileCount + 1, Count(agent.Stdout, "hello from") + Count(agent.Stdout, "brand new file"));
    }

    private static int Count(string text, string what)
    {
        int n = 0, at = 0;
        while ((at = text.IndexOf(what, at, StringComparison.Ordinal)) >= 0) { n++; at += what.Length; }
        return n;
    }

    private static int UnwatchedEntries(string posFile) =>
        File.ReadAllLines(posFile).Count(l => l.Contains("\tffffffffffffffff\t"));

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];

    /// <summary>utime + stime of a process, from /proc/PID/stat, in seconds.</summary>
    internal static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command: state is field 3 of the man page, utime 14 and stime 15.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    internal static double RssMiB(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
