using System.IO.Compression;
using System.Net;
using System.Text;
using LogAgent.Core.Engine;
using LogAgent.Core.Net;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs.Prometheus;

/// <summary>
/// fluent-plugin-prometheus's in_prometheus: serves the engine's <see cref="PrometheusRegistry"/> (what the prometheus
/// filter and output count, what the prometheus_*monitor inputs compute) in the text exposition format at
/// <c>metrics_path</c> and <c>aggregated_metrics_path</c> (the same content: LogAgent is one worker), plus LogAgent's
/// own metrics (<see cref="AgentMetrics"/>), and Fluent Bit's health paths (<see cref="HealthEndpoint"/>). TLS (<c>&lt;ssl&gt;</c>, <c>&lt;transport tls&gt;</c>) is not supported.
/// </summary>
[Plugin(PluginKind.Input, "prometheus", "Serves Prometheus metrics over HTTP (/metrics, fluent-plugin-prometheus) and a health endpoint (/api/v1/health, Fluent Bit's).")]
public sealed class PrometheusInput : HealthServingInput
{
    private IPAddress _bindAddress = IPAddress.Any;
    private PrometheusRegistry? _registry;
    private AgentStatus? _status;
    private HealthEndpoint? _health;
    private HttpGetServer? _server;

    // in_prometheus.rb: config_param :bind, :string, default: '0.0.0.0'.
    [Parameter("bind", "The address to listen on.")]
    public string Bind { get; set; } = "0.0.0.0";

    [Parameter("port", "The TCP port (0: one the system chooses).")]
    public int Port { get; set; } = 24231;

    [Parameter("metrics_path", "The path the metrics are served at.")]
    public string MetricsPath { get; set; } = "/metrics";

    [Parameter("aggregated_metrics_path", "The path of every worker's metrics together (LogAgent has one worker: the same content).")]
    public string AggregatedMetricsPath { get; set; } = "/aggregated_metrics";

    [Parameter("content_encoding", "identity, or gzip to compress the metrics.", AllowedValues = new[] { "identity", "gzip" })]
    public string ContentEncoding { get; set; } = "identity";

    [Parameter("agent_metrics", "Also serve LogAgent's own metrics: input and filter emit counters, plugins' own counters (LogAgent addition).")]
    public bool AgentMetrics { get; set; } = true;

    /// <summary>The port actually bound (differs from <see cref="Port"/> when that is 0); 0 before start.</summary>
    public int BoundPort => _server?.LocalEndPoint?.Port ?? 0;

    public override void Configure(ConfigSection config)
    {
        foreach (var (name, path) in new[] { ("metrics_path", MetricsPath), ("aggregated_metrics_path", AggregatedMetricsPath) })
            if (!path.StartsWith('/')) throw new ConfigException($"{name} must start with /, got '{path}'", config.Find(name)!);
        _bindAddress = ListenAddress.Resolve(Bind, Port, config);
        _registry = PrometheusPluginSetup.Registry(this, config);
        _status = (Context as EnginePluginContext)?.AgentStatus
            ?? throw new ConfigException("prometheus runs only inside the LogAgent engine", config);
        _health = ConfigureHealth(config, _status);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _health?.Start();
        var server = new HttpGetServer($"prometheus {Id}", Handle, Log);
        server.Start(_bindAddress, Port); // a port in use throws, naming bind:port: the agent does not start
        _server = server;
        Log.LogInformation("listening prometheus http server on http://{Bind}:{Port}{Path}", Bind, BoundPort, MetricsPath);
        return Task.CompletedTask;
    }

    private HttpResponse Handle(HttpGetRequest request)
    {
        if (request.Path == MetricsPath || request.Path == AggregatedMetricsPath) return Metrics();
        if (_health?.Handle(request) is { } health) return health;
        return new HttpResponse(404, "text/plain", Encoding.ASCII.GetBytes("Not Found\n"));
    }

    private HttpResponse Metrics()
    {
        var families = _registry!.Collect().AsEnumerable();
        if (AgentMetrics) families = families.Concat(Prometheus.AgentMetrics.Collect(_status!));
        var body = Encoding.UTF8.GetBytes(PrometheusText.Write(families));
        if (ContentEncoding != "gzip") return new HttpResponse(200, PrometheusText.ContentType, body);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(body);
        return new HttpResponse(200, PrometheusText.ContentType, compressed.ToArray()) { ContentEncoding = "gzip" };
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_health is not null) await _health.StopAsync(cancellationToken);
        if (_server is not null) await _server.StopAsync().WaitAsync(cancellationToken);
        _server = null;
    }
}
