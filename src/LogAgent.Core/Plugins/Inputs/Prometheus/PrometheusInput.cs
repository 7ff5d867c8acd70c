using System.IO.Compression;
using System.Net;
using System.Text;
using LogAgent.Core.Engine;
using LogAgent.Core.Net;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs.Prometheus;

/// <summary>
/// fluent-plugin-prometheus's in_prometheus: serves the engine's <see cref="PrometheusRegistry"/> (what the prometheus
/// filter and output count, what the prometheus_*monitor inputs compute) in the text exposition format at
/// <c>metrics_path</c> and <c>aggregated_metrics_path</c> (the same content: LogAgent is one worker), plus LogAgent's
/// own metrics (<see cref="AgentMetrics"/>). LogAgent adds Fluent Bit's health endpoints: <c>/api/v1/health</c>
/// answers <c>ok\n</c> (200) or <c>error\n</c> (500), <c>/api/v2/health</c> the same as JSON with the counts and limits
/// (<see cref="HealthCheck"/>). TLS (<c>&lt;ssl&gt;</c>, <c>&lt;transport tls&gt;</c>) is not supported.
/// </summary>
[Plugin(PluginKind.Input, "prometheus", "Serves Prometheus metrics over HTTP (/metrics, fluent-plugin-prometheus) and a health endpoint (/api/v1/health, Fluent Bit's).")]
public sealed class PrometheusInput : InputPlugin
{
    public const string HealthPath = "/api/v1/health";
    public const string HealthJsonPath = "/api/v2/health";

    private IPAddress _bindAddress = IPAddress.Any;
    private PrometheusRegistry? _registry;
    private AgentStatus? _status;
    private HealthCheck? _health;
    private HttpGetServer? _server;
    private CancellationTokenSource? _stopping;
    private Task? _sampling;

    // The plugin's default (config_param :bind, default: '0.0.0.0'); its README once said 127.0.0.1.
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

    [Parameter("health_check", "Serve /api/v1/health and /api/v2/health (LogAgent addition, Fluent Bit's health_check).")]
    public bool HealthCheck { get; set; } = true;

    [Parameter("health_check_errors_count", "Unhealthy when outputs failed more writes than this within health_check_period (Fluent Bit's hc_errors_count).")]
    public int HealthCheckErrorsCount { get; set; } = 5;

    [Parameter("health_check_retry_failure_count", "Unhealthy when outputs gave up on more chunks than this after their retries within health_check_period (hc_retry_failure_count).")]
    public int HealthCheckRetryFailureCount { get; set; } = 5;

    [Parameter("health_check_period", "The window the health check counts failures in (hc_period).", Kind = ParameterKind.Time)]
    public double HealthCheckPeriod { get; set; } = 60;

    /// <summary>The port actually bound (differs from <see cref="Port"/> when that is 0); 0 before start.</summary>
    public int BoundPort => _server?.LocalEndPoint?.Port ?? 0;

    public override void Configure(ConfigSection config)
    {
        foreach (var (name, path) in new[] { ("metrics_path", MetricsPath), ("aggregated_metrics_path", AggregatedMetricsPath) })
            if (!path.StartsWith('/')) throw new ConfigException($"{name} must start with /, got '{path}'", config.Find(name)!);
        if (!(HealthCheckPeriod > 0))
            throw new ConfigException($"health_check_period must be positive, got {HealthCheckPeriod}", config.Find("health_check_period")!);
        foreach (var (name, limit) in new[] { ("health_check_errors_count", HealthCheckErrorsCount), ("health_check_retry_failure_count", HealthCheckRetryFailureCount) })
            if (limit < 0) throw new ConfigException($"{name} must not be negative, got {limit}", config.Find(name)!);
        _bindAddress = ListenAddress.Resolve(Bind, Port, config);
        _registry = PrometheusPluginSetup.Registry(this, config);
        _status = (Context as EnginePluginContext)?.AgentStatus
            ?? throw new ConfigException("prometheus runs only inside the LogAgent engine", config);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var status = _status ?? throw new InvalidOperationException("prometheus is not configured");
        if (HealthCheck)
        {
            var health = new HealthCheck(status.OutputFailures, HealthCheckErrorsCount, HealthCheckRetryFailureCount,
                TimeSpan.FromSeconds(HealthCheckPeriod), TimeProvider.System);
            _health = health;
            _stopping = new CancellationTokenSource();
            _sampling = Task.Run(() => SampleLoopAsync(health, _stopping.Token));
        }
        var server = new HttpGetServer($"prometheus {Id}", Handle, Log);
        server.Start(_bindAddress, Port); // a port in use throws, naming bind:port: the agent does not start
        _server = server;
        Log.LogInformation("listening prometheus http server on http://{Bind}:{Port}{Path}", Bind, BoundPort, MetricsPath);
        return Task.CompletedTask;
    }

    // Fluent Bit counts failures per period; a sample a second keeps the window's start within a second of exact.
    private static async Task SampleLoopAsync(HealthCheck health, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping)) health.Sample();
        }
        catch (OperationCanceledException) { }
    }

    private HttpResponse Handle(HttpGetRequest request)
    {
        if (request.Path == MetricsPath || request.Path == AggregatedMetricsPath) return Metrics();
        if (_health is { } health && request.Path is HealthPath or HealthJsonPath)
        {
            var report = health.Evaluate();
            int code = report.Healthy ? 200 : 500;
            if (request.Path == HealthPath) return new HttpResponse(code, "text/plain", Encoding.ASCII.GetBytes(report.Healthy ? "ok\n" : "error\n"));
            // Fluent Bit's /api/v2/health keys.
            return HttpResponse.Json(code, RecordJson.Serialize(new Dictionary<string, object?>
            {
                ["status"] = report.Healthy ? "ok" : "error",
                ["errors"] = report.Errors,
                ["retries_failed"] = report.RetryFailures,
                ["error_limit"] = (long)report.ErrorsLimit,
                ["retry_failure_limit"] = (long)report.RetryFailureLimit,
                ["period_limit"] = (long)report.Period.TotalSeconds,
            }));
        }
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
        _stopping?.Cancel();
        if (_sampling is not null) await _sampling.WaitAsync(cancellationToken);
        if (_server is not null) await _server.StopAsync().WaitAsync(cancellationToken);
        _server = null;
    }
}
