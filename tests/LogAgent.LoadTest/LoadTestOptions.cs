namespace LogAgent.LoadTest;

/// <summary>The load test's command line.</summary>
public sealed class LoadTestOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/LogAgent.LoadTest -- SCENARIO [options]
          SCENARIO             forward-null | forward-forward | forward-forward-ack | forward (the three)
                               | tail-null | tail-forward | tail-nginx | tail (the three) | all (these six)
                               | kinesis (tail → kinesis_streams + kinesis_firehose; needs node and kinesalite: .ci/run)
                       | kinesis-streams | kinesis-firehose (one output alone) | kinesis-all (the three)
                       | kinesis-consume (the kinesis_streams source reading a filled 4-shard stream → forward)
          --seconds N          measured seconds (default 10)
          --warmup N           seconds before measuring (default 3)
          --connections N      sending connections (default 4)
          --window N           requests in flight per connection (default 4)
          --events N           events per PackedForward request (default 1000)
          --buffer-mib N       total_limit_size of the forward output's memory buffer (default 32)
          --lines N            lines of the tailed nginx access log (default 1000000; generated once into the temp directory)
          --repeat N           runs of each tail scenario, each reported (default 1)
          --tail-timeout N     seconds a tail scenario may take (default 300)
          --agent-env K=V      environment variable for the agent (repeatable), e.g. DOTNET_gcServer=1
          --agent-exe PATH     run this agent executable (e.g. a published single file) instead of the built logagent.dll
        """;

    public string Scenario { get; private set; } = "all";
    public double Seconds { get; private set; } = 10;
    public double WarmupSeconds { get; private set; } = 3;
    public int Connections { get; private set; } = 4;
    public int Window { get; private set; } = 4;
    public int EventsPerRequest { get; private set; } = 1000;
    public int BufferMiB { get; private set; } = 32;
    public int Lines { get; private set; } = 1_000_000;
    public int Repeat { get; private set; } = 1;
    public double TailTimeoutSeconds { get; private set; } = 300;
    public List<KeyValuePair<string, string>> AgentEnvironment { get; } = new();
    /// <summary>The agent executable to start; null: <c>dotnet</c> on the build output's logagent.dll.</summary>
    public string? AgentExecutable { get; private set; }

    /// <summary>Whether the scenario named <paramref name="name"/> is one of those asked for.</summary>
    // `all` leaves the Kinesis scenarios out (they need node and kinesalite); `kinesis-all` runs the three of them.
    public bool Runs(string name) => (Scenario == "all" && !name.StartsWith(KinesisRun.Name, StringComparison.Ordinal)) || Scenario == name ||
                                        (Scenario is "forward" or "tail" && name.StartsWith(Scenario + "-", StringComparison.Ordinal)) ||
                                        (Scenario == KinesisRun.Name + "-all" && KinesisRun.Names.Contains(name));

    public static LoadTestOptions? Parse(string[] args)
    {
        var options = new LoadTestOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seconds": options.Seconds = double.Parse(Value()); break;
                case "--warmup": options.WarmupSeconds = double.Parse(Value()); break;
                case "--connections": options.Connections = int.Parse(Value()); break;
                case "--window": options.Window = int.Parse(Value()); break;
                case "--events": options.EventsPerRequest = int.Parse(Value()); break;
                case "--buffer-mib": options.BufferMiB = int.Parse(Value()); break;
                case "--lines": options.Lines = int.Parse(Value()); break;
                case "--repeat": options.Repeat = int.Parse(Value()); break;
                case "--tail-timeout": options.TailTimeoutSeconds = double.Parse(Value()); break;
                case "--agent-env":
                    var pair = Value().Split('=', 2);
                    if (pair.Length != 2) return null;
                    options.AgentEnvironment.Add(new(pair[0], pair[1]));
                    break;
                case "--agent-exe": options.AgentExecutable = Path.GetFullPath(Value()); break;
                case "-h" or "--help": return null;
                default:
                    if (args[i].StartsWith('-') || !(args[i] is "all" or "forward" or "tail" || KinesisRun.Names.Contains(args[i]) || args[i] == KinesisRun.Name + "-all" || args[i] == KinesisConsumeRun.Name || LoadTest.Scenario.All.Any(s => s.Name == args[i]) ||
                                                   TailScenario.All.Any(s => s.Name == args[i]))) return null;
                    options.Scenario = args[i];
                    break;
            }
        }
        return options;
    }
}
