namespace LogAgent;

/// <summary>The executable's arguments. Hand-parsed: a handful of flags do not justify a dependency.</summary>
public sealed class CommandLine
{
    public string? ConfigPath { get; private set; }
    public bool DryRun { get; private set; }
    public string? DescribePlugin { get; private set; }
    public bool ListPlugins { get; private set; }
    public bool ReplayDeadLetters { get; private set; }
    public List<string> PluginDirectories { get; } = new();
    public int Verbosity { get; private set; }
    /// <summary>fluentd's <c>-o</c> / <c>--log</c>: the agent's own log goes to this file instead of standard error.</summary>
    public string? LogFile { get; private set; }
    public bool Help { get; private set; }

    public const string Usage = """
        Usage: logagent [-c FILE] [options]
               logagent cat TAG [options] < input   send events to a forward server (logagent cat --help)
          -c, --config FILE        configuration file (fluentd syntax, or YAML for .yaml/.yml);
                                   default: conf/logagent.conf if it exists, else /etc/logagent/logagent.conf
              --dry-run            configure every plugin without starting any; exit 1 on any error
              --describe-plugin N  print plugin N's parameters with types, defaults and descriptions
              --list-plugins       print every plugin LogAgent knows
              --replay-dead-letters  move every output's dead-letter chunks to its replay directory;
                                   the running agent (or the next start) delivers them again
          -p, --plugin-dir DIR     load plugins from DIR (repeatable; default: plugins/ beside the executable,
                                   and ../plugins from it if that exists)
          -o, --log FILE           write the agent's own log to FILE (appending) instead of stderr;
                                   SIGUSR1 reopens it (for logrotate)
          -v / -q                  more / less logging (repeatable: -vv is trace)
          -h, --help               this text
        """;

    public static CommandLine Parse(string[] args)
    {
        var result = new CommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            switch (arg)
            {
                case "-c": case "--config": result.ConfigPath = Value(); break;
                case "--dry-run": result.DryRun = true; break;
                case "--describe-plugin": result.DescribePlugin = Value(); break;
                case "--list-plugins": result.ListPlugins = true; break;
                case "--replay-dead-letters": result.ReplayDeadLetters = true; break;
                case "-p": case "--plugin-dir": result.PluginDirectories.Add(Value()); break;
                case "-o": case "--log": result.LogFile = Value(); break;
                case "-h": case "--help": result.Help = true; break;
                default:
                    if (arg.Length > 1 && arg[0] == '-' && arg[1] != '-' && arg[1..].All(c => c is 'v' or 'q'))
                    {
                        result.Verbosity += arg.Count(c => c == 'v') - arg.Count(c => c == 'q');
                        break;
                    }
                    throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        return result;
    }

    public string ResolveConfigPath()
    {
        if (ConfigPath is not null) return ConfigPath;
        const string repositoryDefault = "conf/logagent.conf";
        return File.Exists(repositoryDefault) ? repositoryDefault : "/etc/logagent/logagent.conf";
    }

    public IEnumerable<string> ResolvePluginDirectories() =>
        PluginDirectories.Count > 0 ? PluginDirectories : Hosting.DefaultPluginDirectories.For(Hosting.DefaultPluginDirectories.ExecutableDirectory);
}
