using LogAgent;
using LogAgent.Core.Config;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins;
using LogAgent.Hosting;
using LogAgent.Sdk.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// `logagent cat TAG` is a command of its own (fluentd's fluent-cat), with its own arguments.
if (args.Length > 0 && args[0] == "cat")
    return await LogAgent.Cat.CatCommand.RunAsync(args[1..], Console.OpenStandardInput(), Console.Out, Console.Error, CancellationToken.None);

CommandLine options;
try
{
    options = CommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"logagent: {e.Message}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

var level = new LogLevelSwitch(options.Verbosity switch { >= 2 => LogLevel.Trace, 1 => LogLevel.Debug, 0 => LogLevel.Information, -1 => LogLevel.Warning, _ => LogLevel.Error });
AgentLog agentLog;
try
{
    agentLog = options.LogFile is { } logPath ? new AgentLog(logPath) : AgentLog.StandardError();
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"logagent: cannot open the log file {options.LogFile}: {e.Message}");
    return 1;
}
using var loggerFactory = LoggerFactory.Create(logging => ConfigureLogging(logging, level, agentLog));
var log = loggerFactory.CreateLogger("logagent");

var registry = PluginRegistry.CreateWithBuiltIns();
try
{
    foreach (var directory in options.ResolvePluginDirectories())
        foreach (var (file, count) in PluginLoader.LoadDirectory(directory, registry))
            log.LogDebug("loaded {Count} plugins from {File}", count, file);
}
catch (PluginLoadException e)
{
    log.LogCritical("{Error}", e.Message);
    return 1;
}

if (options.ListPlugins)
{
    foreach (var plugin in registry.All.OrderBy(p => p.Kind).ThenBy(p => p.Name))
        Console.WriteLine($"{PluginRegistry.KindName(plugin.Kind),-9} {plugin.Name,-22} {plugin.Description}");
    return 0;
}
if (options.DescribePlugin is { } name)
{
    var found = registry.FindByName(name).ToList();
    if (found.Count == 0)
    {
        Console.Error.WriteLine($"logagent: no plugin named '{name}' (see --list-plugins)");
        return 1;
    }
    foreach (var plugin in found) Console.WriteLine(PluginDescriber.Describe(plugin));
    return 0;
}

var configPath = options.ResolveConfigPath();
var engineOptions = new EngineOptions
{
    LoggerFactory = loggerFactory, Registry = registry,
    ConfigPath = Path.GetFullPath(configPath), PluginDirectories = options.ResolvePluginDirectories().Select(Path.GetFullPath).ToList(),
};
ConfigSection ReadConfig() => ConfigLoader.LoadFile(configPath);
AgentEngine BuildEngine(ConfigSection config)
{
    var built = AgentEngine.Build(config, engineOptions);
    if (built.Settings.RpcEndpoint is { } rpc) RpcServer.Parse(rpc); // a bad endpoint is a config error, not a start-up failure
    // <system> log_level applies unless -v/-q was given on the command line.
    if (options.Verbosity == 0 && built.Settings.LogLevel is { } systemLevel)
        level.Minimum = LogAgent.Core.Logging.LevelFilteredLogger.Parse(systemLevel);
    return built;
}
ConfigSection rootConfig;
AgentEngine engine;
try
{
    rootConfig = ReadConfig();
    engine = BuildEngine(rootConfig);
}
catch (ConfigException e)
{
    log.LogCritical("config error: {Error}", e.Message);
    return 1;
}
catch (IOException e)
{
    log.LogCritical("cannot read config {Path}: {Error}", configPath, e.Message);
    return 1;
}

if (options.ReplayDeadLetters)
{
    int total = 0;
    foreach (var deadLetters in engine.DeadLetters())
    {
        int moved = deadLetters.MoveDeadLettersToReplay();
        if (moved > 0) log.LogInformation("{Count} dead-letter chunks moved from {From} to {To}", moved, deadLetters.DeadLetterDirectory, deadLetters.ReplayDirectory);
        total += moved;
    }
    log.LogInformation("replay: {Count} chunks queued for delivery", total);
    return 0;
}

if (options.DryRun)
{
    log.LogInformation("dry run: {Path} is valid ({Warnings} warnings)", configPath, engine.Warnings.Count);
    return 0;
}

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = Array.Empty<string>(), ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
ConfigureLogging(builder.Logging, level, agentLog);
builder.Services.AddSystemd();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
builder.Services.AddSingleton(sp => new AgentPipeline(rootConfig, engine, ReadConfig, BuildEngine,
    sp.GetService<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier>(), loggerFactory.CreateLogger("reload")));
builder.Services.AddSingleton(sp => new AgentService(sp.GetRequiredService<AgentPipeline>(), sp.GetRequiredService<IHostApplicationLifetime>(),
    agentLog, loggerFactory.CreateLogger("host")));
builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentService>());
using var host = builder.Build();
log.LogInformation("starting with {Path}", Path.GetFullPath(configPath));
try
{
    await host.RunAsync();
}
catch (Exception e)
{
    log.LogCritical(e, "agent failed");
    return 1;
}
return 0;

static void ConfigureLogging(ILoggingBuilder logging, LogLevelSwitch level, AgentLog agentLog)
{
    logging.SetMinimumLevel(LogLevel.Trace);
    logging.AddFilter((category, l) => l >= level.Minimum && (category is null || !category.StartsWith("Microsoft", StringComparison.Ordinal) || l >= LogLevel.Warning));
    logging.AddProvider(agentLog);
}
