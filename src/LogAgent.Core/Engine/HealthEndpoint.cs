using System.Text;
using LogAgent.Core.Net;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Engine;

/// <summary>
/// Fluent Bit's health endpoints over a <see cref="HealthCheck"/>, for an input's HTTP server (prometheus,
/// monitor_agent): <c>/api/v1/health</c> answers <c>ok\n</c> (200) or <c>error\n</c> (500), <c>/api/v2/health</c> the
/// same as JSON with the counts and the limits (Fluent Bit's keys). While started, it samples the failure totals once a
/// second, which keeps the window's start within a second of exact.
/// </summary>
internal sealed class HealthEndpoint
{
    public const string TextPath = "/api/v1/health";
    public const string JsonPath = "/api/v2/health";

    private readonly HealthCheck _check;
    private CancellationTokenSource? _stopping;
    private Task? _sampling;

    public HealthEndpoint(AgentStatus status, int errorsLimit, int retryFailureLimit, TimeSpan period) =>
        _check = new HealthCheck(status.OutputFailures, errorsLimit, retryFailureLimit, period, TimeProvider.System);

    public void Start()
    {
        _stopping = new CancellationTokenSource();
        _sampling = Task.Run(() => SampleLoopAsync(_stopping.Token));
    }

    private async Task SampleLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping)) _check.Sample();
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The answer to a health path; null for any other path.</summary>
    public HttpResponse? Handle(HttpGetRequest request)
    {
        if (request.Path is not (TextPath or JsonPath)) return null;
        var report = _check.Evaluate();
        int code = report.Healthy ? 200 : 500;
        if (request.Path == TextPath) return new HttpResponse(code, "text/plain", Encoding.ASCII.GetBytes(report.Healthy ? "ok\n" : "error\n"));
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

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping?.Cancel();
        if (_sampling is not null) await _sampling.WaitAsync(cancellationToken);
    }
}
