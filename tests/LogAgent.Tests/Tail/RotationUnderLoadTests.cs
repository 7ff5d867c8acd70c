using System.Diagnostics;
using System.Text;
using LogAgent.Tests.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Tail;

/// <summary>
/// The tail input's promise under load, with real files and real processes (issue 5, "Rotation under load"): a writer
/// process (<c>Scripts/rotating_writer.py</c>) appends 1,000,000 numbered lines and rotates its log every 50,000 lines
/// — rename + create, or copytruncate — while the real logagent executable tails it (pos file, read_from_head,
/// rotate_wait 2s, <c>&lt;parse&gt; @type none</c>) into a forward output with a file buffer and acks, to a receiver here
/// that counts every line by its number. A graceful run must deliver every line exactly once; a run in which the
/// agent is SIGKILLed and restarted again and again must deliver every line at least once, and its duplicates are
/// reported.
/// </summary>
public class RotationUnderLoadTests(ITestOutputHelper output)
{
    /// <summary>Bytes per line, newline included (the writer's LINE_LENGTH).</summary>
    public const int LineLength = 80;
    private const int Lines = 1_000_000;
    private const int RotateEvery = 50_000;
    private const int ReopenLag = 500;
    private const int Kills = 12;
    // The writer's pace in the SIGKILL runs: at full speed it writes the million lines in about half a second, before
    // the agent has even been killed twice. 60,000 lines/s spreads the 19 rotations over about 17 s, so they happen
    // while the agent reads, while it is being killed and while it is down; each burst is still written at full speed.
    private const int KilledRunRate = 60_000;

    private static string Python => "/usr/bin/python3";
    private static string WriterScript => Path.Combine(RepoPaths.Root, "tests", "LogAgent.Tests", "Tail", "Scripts", "rotating_writer.py");

    [Fact]
    public Task Rename_and_create_at_full_speed_delivers_every_line_exactly_once() => Graceful("rename");

    [Fact]
    public Task Copytruncate_at_full_speed_delivers_every_line_exactly_once() => Graceful("copytruncate");

    [Fact]
    public Task Rename_and_create_with_repeated_SIGKILLs_delivers_every_line_at_least_once() => Killed("rename");

    [Fact]
    public Task Copytruncate_with_repeated_SIGKILLs_delivers_every_line_at_least_once() => Killed("copytruncate");

    private async Task Graceful(string mode)
    {
        var clock = Stopwatch.StartNew();
        await using var run = await RotationRun.StartAsync(mode);
        var writer = run.StartWriter(rate: 0);
        var writerSummary = await run.AwaitWriter(writer);
        await run.WaitForEveryLine(TimeSpan.FromSeconds(90));
        run.StopAgent();

        var missing = run.Receiver.Missing();
        var duplicates = run.Receiver.Duplicates();
        output.WriteLine($"{Label(mode)}, graceful: {Lines} lines, {missing.Count} missing, {duplicates} duplicates, " +
            $"{run.Receiver.Malformed.Count} malformed; writer: {writerSummary}; all delivered after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(missing.Count == 0 && duplicates == 0 && run.Receiver.Malformed.Count == 0, run.Diagnostics());
    }

    private async Task Killed(string mode)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(mode == "rename" ? 5_001 : 5_002);
        await using var run = await RotationRun.StartAsync(mode);
        var writer = run.StartWriter(rate: KilledRunRate);
        var killsWhileWriting = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            // Alive for a random while (reading, rotating, flushing, acking), then killed wherever it is.
            await Task.Delay(random.Next(300, 1200));
            run.KillAgent();
            if (!writer.IsCompleted) killsWhileWriting++;
            // Restarted at once half of the time, otherwise after a pause in which the writer goes on (and rotates).
            if (random.Next(2) == 0) await Task.Delay(random.Next(50, 700));
            await run.StartAgent();
        }
        var writerSummary = await run.AwaitWriter(writer);
        await run.WaitForEveryLine(TimeSpan.FromSeconds(90));
        run.StopAgent();

        var missing = run.Receiver.Missing();
        var duplicates = run.Receiver.Duplicates();
        output.WriteLine($"{Label(mode)}, {Kills} SIGKILLs ({killsWhileWriting} while the writer ran): {Lines} lines, {missing.Count} missing, " +
            $"{duplicates} duplicates ({run.Receiver.Duplicated().Count} lines more than once), {run.Receiver.Malformed.Count} malformed; " +
            $"writer: {writerSummary}; all delivered after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(killsWhileWriting >= Kills / 3, $"only {killsWhileWriting} of the {Kills} kills happened while the writer ran; writer: {writerSummary}");
        Assert.True(missing.Count == 0 && run.Receiver.Malformed.Count == 0, run.Diagnostics());
    }

    private static string Label(string mode) => mode == "rename" ? "rename+create" : "copytruncate";

    /// <summary>One run: the temporary directory, the receiver, the agent of the moment and the stderr of every earlier one.</summary>
    private sealed class RotationRun : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private readonly List<string> _earlierStderr = new();
        private readonly string _config;
        private AgentProcess? _agent;
        private string _writerOutput = "";

        private RotationRun(string mode)
        {
            Mode = mode;
            Receiver = new LineCountingForwardReceiver(Lines);
            Directory.CreateDirectory(LogDirectory);
            _config = _dir.File("agent.conf");
            // The pos file lives apart from the logs, as /var/log/td-agent/*.pos does from /var/log/nginx.
            File.WriteAllText(_config, $"""
                <system>
                  root_dir {_dir.Path}/state
                </system>
                <source>
                  @type tail
                  @id tail
                  path {LogPath}
                  pos_file {PosPath}
                  read_from_head true
                  rotate_wait 2s
                  tag access
                  <parse>
                    @type none
                  </parse>
                </source>
                <match access>
                  @type forward
                  @id to_receiver
                  require_ack_response true
                  ack_response_timeout 30
                  connect_timeout 1
                  <server>
                    host 127.0.0.1
                    port {Receiver.Port}
                  </server>
                  <buffer>
                    @type file
                    path {_dir.Path}/buffer
                    chunk_limit_size 2m
                {FastBuffer.Flush}
                    retry_wait 0.1
                    retry_max_interval 0.5
                    retry_forever true
                  </buffer>
                </match>
                """);
        }

        public string Mode { get; }
        public LineCountingForwardReceiver Receiver { get; }
        private string LogDirectory => _dir.File("logs");
        private string LogPath => Path.Combine(LogDirectory, "access.log");
        private string PosPath => _dir.File("pos/access.log.pos");

        public static async Task<RotationRun> StartAsync(string mode)
        {
            var run = new RotationRun(mode);
            await run.StartAgent();
            return run;
        }

        /// <summary>Starts an agent and waits until its inputs run.</summary>
        public async Task StartAgent()
        {
            _agent = new AgentProcess("-c", _config);
            var agent = _agent;
            await Eventually.True(() => agent.Stderr.Contains("agent started") || agent.HasExited, TimeSpan.FromSeconds(30),
                () => $"the agent did not start; stderr:\n{Tail(agent.Stderr)}");
            Assert.False(agent.HasExited, $"the agent exited at startup; stderr:\n{Tail(agent.Stderr)}");
        }

        public void KillAgent()
        {
            var agent = _agent!;
            Assert.False(agent.HasExited, $"the agent died by itself; stderr:\n{Tail(agent.Stderr)}");
            agent.Signal(AgentProcess.SIGKILL);
            agent.WaitForExit(TimeSpan.FromSeconds(10));
            _earlierStderr.Add(agent.Stderr);
            agent.Dispose();
            _agent = null;
        }

        /// <summary>SIGTERM: the agent stops gracefully (exit code 0).</summary>
        public void StopAgent()
        {
            var agent = _agent!;
            agent.Signal(AgentProcess.SIGTERM);
            var code = agent.WaitForExit(TimeSpan.FromSeconds(30));
            Assert.True(code == 0, $"the agent exited with {code} on SIGTERM; stderr:\n{Tail(agent.Stderr)}");
        }

        public Task<(int ExitCode, string Stdout, string Stderr)> StartWriter(int rate) =>
            ClientProcess.RunAsync(Python, new[]
            {
                WriterScript, "--path", LogPath, "--mode", Mode, "--lines", Lines.ToString(), "--rotate-every", RotateEvery.ToString(),
                "--reopen-lag", ReopenLag.ToString(), "--rate", rate.ToString(),
            }, TimeSpan.FromSeconds(60));

        public async Task<string> AwaitWriter(Task<(int ExitCode, string Stdout, string Stderr)> writer)
        {
            var (code, stdout, stderr) = await writer;
            _writerOutput = stdout.Trim();
            Assert.True(code == 0, $"the writer failed ({code}): {stderr}");
            return _writerOutput;
        }

        public async Task WaitForEveryLine(TimeSpan timeout)
        {
            var agent = _agent!;
            await Eventually.True(() => Receiver.Distinct == Lines || agent.HasExited, timeout, Diagnostics);
            Assert.False(agent.HasExited, "the agent died by itself\n" + Diagnostics());
        }

        /// <summary>What a failure needs: which lines are missing and where they were written, the pos file, the files, the agents' logs.</summary>
        public string Diagnostics()
        {
            var text = new StringBuilder();
            var missing = Receiver.Missing();
            var (malformed, malformedCount) = Receiver.Malformed;
            text.AppendLine($"{Mode}: {Receiver.Distinct} of {Lines} lines received ({Receiver.Events} events in {Receiver.RequestCount} requests), " +
                $"{missing.Count} missing, {Receiver.Duplicates()} duplicates, {malformedCount} malformed; writer: {_writerOutput}");
            if (missing.Count > 0)
            {
                text.AppendLine("missing (first 20 runs, with the file each was written to):");
                foreach (var (first, last) in Runs(missing).Take(20))
                    text.AppendLine($"  {first}..{last} ({last - first + 1} lines) in {WrittenTo(first)}{(WrittenTo(last) != WrittenTo(first) ? " .. " + WrittenTo(last) : "")}");
            }
            var duplicated = Receiver.Duplicated();
            if (duplicated.Count > 0)
            {
                text.AppendLine("duplicated (first 10 runs):");
                foreach (var (first, last) in Runs(duplicated).Take(10))
                    text.AppendLine($"  {first}..{last} in {WrittenTo(first)}, {Receiver.CountOf(first)} times");
            }
            if (malformed.Count > 0) text.AppendLine("malformed (first 5): " + string.Join(" | ", malformed.Take(5)));
            text.AppendLine($"pos file {PosPath}:");
            text.AppendLine(File.Exists(PosPath) ? File.ReadAllText(PosPath).TrimEnd() : "  (none)");
            text.AppendLine("log files (name, inode, size):");
            foreach (var file in System.IO.Directory.GetFiles(LogDirectory).Order(StringComparer.Ordinal))
            {
                var status = LogAgent.Core.Plugins.Inputs.Tail.FileStatus.Of(file);
                text.AppendLine($"  {Path.GetFileName(file)} {status?.Inode:x} {status?.Size}");
            }
            var all = _earlierStderr.Append(_agent?.Stderr ?? "").ToList();
            text.AppendLine($"the tail input's log over {all.Count} agent run(s) (last 150 lines):");
            var tailLines = all.SelectMany((s, i) => s.Split('\n').Where(l => l.Contains(" tail: ") || l.Contains("[error]") || l.Contains("[warn]"))
                .Select(l => $"  #{i + 1} {l.TrimEnd()}")).ToList();
            foreach (var line in tailLines.TakeLast(150)) text.AppendLine(line);
            text.AppendLine("the last agent's stderr (tail):");
            text.AppendLine(Tail(_agent?.Stderr ?? all[^1]));
            return text.ToString();
        }

        /// <summary>The file line n was written to, from the writer's rotation scheme.</summary>
        private string WrittenTo(int n)
        {
            var generation = (n - 1) / RotateEvery + 1; // 1..20
            var last = (Lines - 1) / RotateEvery + 1;
            if (Mode == "rename" && generation > 1 && (n - 1) % RotateEvery < ReopenLag) return $"access.log.{generation - 1} (after its rename)";
            return generation == last ? "access.log" : $"access.log.{generation}";
        }

        private static IEnumerable<(int First, int Last)> Runs(List<int> numbers)
        {
            for (var i = 0; i < numbers.Count;)
            {
                var j = i;
                while (j + 1 < numbers.Count && numbers[j + 1] == numbers[j] + 1) j++;
                yield return (numbers[i], numbers[j]);
                i = j + 1;
            }
        }

        private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

        public async ValueTask DisposeAsync()
        {
            _agent?.Dispose();
            await Receiver.DisposeAsync();
            _dir.Dispose();
        }
    }
}
