using LogAgent.Core.Engine;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Prometheus;

/// <summary>Fluent Bit's health semantics: unhealthy while the last period holds more failures than the limits.</summary>
public class HealthCheckTests
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private long _errors, _failures;

    private HealthCheck Check(int errorsLimit = 5, int failureLimit = 5) =>
        new(() => (_errors, _failures), errorsLimit, failureLimit, TimeSpan.FromSeconds(60), _clock);

    private void Tick(int seconds, HealthCheck health)
    {
        for (int i = 0; i < seconds; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            health.Sample();
        }
    }

    [Fact]
    public void Errors_up_to_the_limit_are_healthy_one_more_is_not()
    {
        var health = Check();
        _errors = 5;
        Assert.True(health.Evaluate().Healthy);

        _errors = 6;
        var report = health.Evaluate();
        Assert.False(report.Healthy);
        Assert.Equal(6, report.Errors);
    }

    [Fact]
    public void Retry_failures_over_their_limit_are_unhealthy_on_their_own()
    {
        var health = Check(errorsLimit: 100, failureLimit: 2);
        _failures = 3;

        var report = health.Evaluate();
        Assert.False(report.Healthy);
        Assert.Equal(3, report.RetryFailures);
    }

    [Fact]
    public void Failures_older_than_the_period_no_longer_count()
    {
        var health = Check();
        Tick(10, health);
        _errors = 20;
        Tick(30, health);
        Assert.False(health.Evaluate().Healthy);

        Tick(29, health); // the errors are 59 s old: still inside the period
        Assert.False(health.Evaluate().Healthy);

        Tick(2, health);
        var report = health.Evaluate();
        Assert.True(report.Healthy);
        Assert.Equal(0, report.Errors);
    }

    [Fact]
    public void Only_the_errors_within_the_period_count_when_they_keep_coming()
    {
        var health = Check();
        for (int i = 0; i < 120; i++)
        {
            _errors++; // one error every 10 s: 6 per minute, over the limit of 5
            Tick(10, health);
        }

        var report = health.Evaluate();
        Assert.Equal(6, report.Errors);
        Assert.False(report.Healthy);
    }
}
