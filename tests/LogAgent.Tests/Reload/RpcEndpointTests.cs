using System.Net;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Reload;

/// <summary>
/// <c>&lt;system&gt; rpc_endpoint</c>: fluentd's RPC paths on the real executable, each answering <c>{"ok":true}</c> and
/// doing what its signal does; unknown paths 404; the server follows rpc_endpoint across reloads.
/// </summary>
public class RpcEndpointTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static string Config(int rpcPort, int forwardPort, string output) => $"""
        <system>
          rpc_endpoint 127.0.0.1:{rpcPort}
        </system>
        <source>
          @type forward
          bind 127.0.0.1
          port {forwardPort}
        </source>
        {ReloadTests.FileMatch("out", output, flushInterval: "1h")}
        """;

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(int port, string path)
    {
        using var response = await Http.GetAsync($"http://127.0.0.1:{port}{path}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task ServerUp(int port, AgentProcess agent) =>
        await Eventually.True(async () =>
        {
            try { return (await GetAsync(port, "/")).Status == HttpStatusCode.NotFound; }
            catch (HttpRequestException) { return false; }
        }, Deadline, () => $"the rpc server on {port}; stderr:\n{agent.Stderr}");

    [Fact]
    public async Task Each_rpc_path_answers_ok_and_acts_like_its_signal_and_an_unknown_path_is_404()
    {
        using var dir = new TempDirectory();
        int rpcPort = FreePort.Get(), forwardPort = FreePort.Get();
        string output = dir.Sub("out");
        var config = dir.File("agent.conf");
        File.WriteAllText(config, Config(rpcPort, forwardPort, output));
        using var agent = new AgentProcess("-c", config);
        await ReloadTests.Started(agent);
        await ServerUp(rpcPort, agent);

        Assert.Equal((HttpStatusCode.NotFound, """{"message":"Not found"}"""), await GetAsync(rpcPort, "/api/no.such.path"));

        // plugins.flushBuffers = SIGUSR1: a buffer with flush_interval 1h is written now.
        await new NumberedForwardSender(forwardPort, "rpc").SendAsync(3, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal((HttpStatusCode.OK, """{"ok":true}"""), await GetAsync(rpcPort, "/api/plugins.flushBuffers"));
        await Eventually.True(() => DeliveredEvents.InFiles(output).Count == 3, Deadline, () => $"flushed events; stderr:\n{agent.Stderr}");

        // config.reload = SIGHUP, config.gracefulReload = SIGUSR2: both reload.
        Assert.Equal((HttpStatusCode.OK, """{"ok":true}"""), await GetAsync(rpcPort, "/api/config.reload"));
        await ReloadTests.ReloadsFinished(agent, 1);
        Assert.Equal((HttpStatusCode.OK, """{"ok":true}"""), await GetAsync(rpcPort, "/api/config.gracefulReload"));
        await ReloadTests.ReloadsFinished(agent, 2);
        Assert.Equal(2, ReloadTests.Occurrences(agent.Stderr, "reload: reload done"));

        // config.dump: the state dump goes to the agent's log.
        Assert.Equal((HttpStatusCode.OK, """{"ok":true}"""), await GetAsync(rpcPort, "/api/config.dump"));
        await Eventually.True(() => agent.Stderr.Contains("Sigdump at"), Deadline, () => $"the dump in the log; stderr:\n{agent.Stderr}");

        // A reload that moves rpc_endpoint moves the server.
        int movedPort = FreePort.Get();
        File.WriteAllText(config, Config(movedPort, forwardPort, output));
        Assert.Equal((HttpStatusCode.OK, """{"ok":true}"""), await GetAsync(rpcPort, "/api/config.gracefulReload"));
        await ServerUp(movedPort, agent);
        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(rpcPort, "/api/plugins.flushBuffers"));

        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
    }

    [Theory]
    [InlineData("/api/processes.interruptWorkers")]
    [InlineData("/api/processes.killWorkers")]
    [InlineData("/api/processes.flushBuffersAndKillWorkers")]
    public async Task A_stop_path_answers_ok_and_stops_the_agent_gracefully_with_exit_code_0(string path)
    {
        using var dir = new TempDirectory();
        int rpcPort = FreePort.Get(), forwardPort = FreePort.Get();
        string output = dir.Sub("out");
        var config = dir.File("agent.conf");
        File.WriteAllText(config, Config(rpcPort, forwardPort, output));
        using var agent = new AgentProcess("-c", config);
        await ReloadTests.Started(agent);
        await ServerUp(rpcPort, agent);
        await new NumberedForwardSender(forwardPort, "rpc").SendAsync(4, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal((HttpStatusCode.OK, """{"ok":true}"""), await GetAsync(rpcPort, path));
        Assert.Equal(0, agent.WaitForExit(Deadline));
        // Graceful: the memory buffer was written before the exit.
        Assert.Equal(4, DeliveredEvents.InFiles(output).Count);
        Assert.Contains("engine: agent stopped", agent.Stderr);
    }
}
