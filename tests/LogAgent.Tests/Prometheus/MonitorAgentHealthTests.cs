using System.Net;
using System.Text.Json;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Inputs.Monitor;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Prometheus;

/// <summary>monitor_agent serves the same health paths as the prometheus input, beside fluentd's API.</summary>
public class MonitorAgentHealthTests
{
    [Fact]
    public async Task Monitor_agent_answers_the_health_paths_and_turns_500_past_the_error_limit()
    {
        await using var agent = await MonitoredAgent.StartAsync("""
            <source>
              @type test_manual
              @id in
            </source>
            <match app.**>
              @type test_buffered
              @id out_down
              down true
              <buffer tag>
                flush_mode immediate
                retry_wait 0.05
                retry_max_interval 0.1
              </buffer>
            </match>
            """, parameters: "health_check_errors_count 1");

        using (var ok = await agent.Http.GetAsync(agent.Url("/api/v1/health")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("ok\n", await ok.Content.ReadAsStringAsync());
        }

        agent.Engine.Input("in").Emit("app.web", new Record { ["a"] = 1L });
        await Eventually.True(async () => (await agent.Http.GetAsync(agent.Url("/api/v1/health"))).StatusCode == HttpStatusCode.InternalServerError,
            MonitoredAgent.Deadline, () => $"retry_count={agent.Engine.Runners.Single().Metrics.RetryCount}");
        using var json = await agent.Http.GetAsync(agent.Url("/api/v2/health"));
        var body = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal(1, body.GetProperty("error_limit").GetInt64());
        Assert.Equal(60, body.GetProperty("period_limit").GetInt64());
        // fluentd's API is still there.
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync(agent.Url("/api/plugins.json"))).StatusCode);
    }

    [Fact]
    public async Task Health_check_false_on_monitor_agent_leaves_the_paths_to_fluentds_404()
    {
        await using var agent = await MonitoredAgent.StartAsync("", parameters: "health_check false");

        using var response = await agent.Http.GetAsync(agent.Url("/api/v1/health"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("{\"message\":\"Not found\"}", await response.Content.ReadAsStringAsync());
    }
}
