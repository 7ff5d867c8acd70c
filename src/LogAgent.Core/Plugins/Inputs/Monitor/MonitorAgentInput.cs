using System.Net;
using LogAgent.Core.Engine;
using LogAgent.Core.Net;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs.Monitor;

/// <summary>
/// fluentd's in_monitor_agent: serves every plugin's id, type, configuration (secrets masked) and counters over HTTP
/// (<see cref="MonitorApi"/>) while the agent runs, and with <c>tag</c> also emits them as events, one per plugin,
/// every <c>emit_interval</c>. The numbers come from <see cref="AgentStatus"/>, computed only when asked for. LogAgent
/// adds Fluent Bit's health paths (<see cref="HealthEndpoint"/>), as the prometheus input serves them.
/// </summary>
[Plugin(PluginKind.Input, "monitor_agent", "Serves the agent's plugins and their metrics over HTTP (/api/plugins.json), as fluentd's in_monitor_agent.")]
public sealed class MonitorAgentInput : HealthServingInput
{
    private IPAddress _bindAddress = IPAddress.Any;
    private AgentStatus? _status;
    private HttpGetServer? _server;
    private HealthEndpoint? _health;
    private CancellationTokenSource? _stopping;
    private Task? _emitLoop;

    [Parameter("bind", "The address to listen on.")]
    public string Bind { get; set; } = "0.0.0.0";

    [Parameter("port", "The TCP port of the HTTP API (0: one the system chooses).")]
    public int Port { get; set; } = 24220;

    [Parameter("tag", "If set, every plugin's metrics are also emitted as events with this tag, every emit_interval.")]
    public string? Tag { get; set; }

    [Parameter("emit_interval", "How often the metrics are emitted when tag is set.", Kind = ParameterKind.Time)]
    public double EmitInterval { get; set; } = 60;

    [Parameter("include_config", "Show each plugin's config (secret parameters masked) in the responses.")]
    public bool IncludeConfig { get; set; } = true;

    [Parameter("include_retry", "Show each output's retry state in the responses.")]
    public bool IncludeRetry { get; set; } = true;

    /// <summary>The port actually bound (differs from <see cref="Port"/> when that is 0); 0 before start.</summary>
    public int BoundPort => _server?.LocalEndPoint?.Port ?? 0;

    public override void Configure(ConfigSection config)
    {
        if (!(EmitInterval > 0))
            throw new ConfigException($"emit_interval must be positive, got {EmitInterval}", config.Find("emit_interval")!);
        if (Tag is { Length: 0 })
            throw new ConfigException("tag must not be empty", config.Find("tag")!);
        _bindAddress = ListenAddress.Resolve(Bind, Port, config);
        // The agent's status is an engine service for built-in plugins, not part of the SDK's IPluginContext.
        _status = (Context as EnginePluginContext)?.AgentStatus
            ?? throw new ConfigException("monitor_agent runs only inside the LogAgent engine", config);
        _health = ConfigureHealth(config, _status);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var status = _status ?? throw new InvalidOperationException("monitor_agent is not configured");
        var api = new MonitorApi(status, IncludeConfig, IncludeRetry);
        var health = _health;
        health?.Start();
        var server = new HttpGetServer($"monitor_agent {Id}", request => health?.Handle(request) ?? api.Handle(request), Log);
        server.Start(_bindAddress, Port); // a port in use throws, naming bind:port: the agent does not start
        _server = server;
        Log.LogInformation("listening monitoring http server on http://{Bind}:{Port}/api/plugins", Bind, BoundPort);
        if (Tag is { } tag)
        {
            _stopping = new CancellationTokenSource();
            _emitLoop = Task.Run(() => EmitLoopAsync(status, tag, _stopping.Token));
        }
        return Task.CompletedTask;
    }

    // in_monitor_agent.rb start: with tag, a timer emits plugins_info_all(with_config: false, with_retry: false) as one
    // stream, one event per plugin, all with the same time; the first emission is one interval after start.
    private async Task EmitLoopAsync(AgentStatus status, string tag, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(EmitInterval));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    var now = EventTime.Now;
                    var events = new EventStreamBuilder(tag);
                    foreach (var plugin in status.Plugins())
                        events.Add(now, MonitorApi.PluginRecord(plugin, withConfig: false, withRetry: false));
                    Context.Router.Emit(events.Build());
                }
                catch (Exception e)
                {
                    Log.LogError("emitting the plugins' metrics failed: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping?.Cancel();
        if (_emitLoop is not null) await _emitLoop.WaitAsync(cancellationToken);
        if (_server is not null) await _server.StopAsync().WaitAsync(cancellationToken);
        _server = null;
        if (_health is not null) await _health.StopAsync(cancellationToken);
    }
}
