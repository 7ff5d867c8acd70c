using LogAgent.Core.Engine;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Inputs;

/// <summary>
/// An input whose HTTP server also answers Fluent Bit's health paths (<see cref="HealthEndpoint"/>): prometheus and
/// monitor_agent. The parameters are Fluent Bit's <c>Health_Check</c>, <c>HC_Errors_Count</c>,
/// <c>HC_Retry_Failure_Count</c> and <c>HC_Period</c>, named in fluentd's style; LogAgent's addition to both plugins.
/// </summary>
public abstract class HealthServingInput : InputPlugin
{
    [Parameter("health_check", "Serve /api/v1/health and /api/v2/health (LogAgent addition: Fluent Bit's health_check).")]
    public bool HealthCheck { get; set; } = true;

    [Parameter("health_check_errors_count", "Unhealthy when outputs failed more writes than this within health_check_period (Fluent Bit's hc_errors_count).")]
    public int HealthCheckErrorsCount { get; set; } = 5;

    [Parameter("health_check_retry_failure_count", "Unhealthy when outputs gave up on more chunks than this after their retries within health_check_period (hc_retry_failure_count).")]
    public int HealthCheckRetryFailureCount { get; set; } = 5;

    [Parameter("health_check_period", "The window the health check counts failures in (hc_period).", Kind = ParameterKind.Time)]
    public double HealthCheckPeriod { get; set; } = 60;

    /// <summary>Validates the health parameters; the endpoint to serve, or null with <c>health_check false</c>.</summary>
    private protected HealthEndpoint? ConfigureHealth(ConfigSection config, AgentStatus status)
    {
        if (!(HealthCheckPeriod > 0))
            throw new ConfigException($"health_check_period must be positive, got {HealthCheckPeriod}", config.Find("health_check_period")!);
        foreach (var (name, limit) in new[] { ("health_check_errors_count", HealthCheckErrorsCount), ("health_check_retry_failure_count", HealthCheckRetryFailureCount) })
            if (limit < 0) throw new ConfigException($"{name} must not be negative, got {limit}", config.Find(name)!);
        return HealthCheck
            ? new HealthEndpoint(status, HealthCheckErrorsCount, HealthCheckRetryFailureCount, TimeSpan.FromSeconds(HealthCheckPeriod))
            : null;
    }
}
