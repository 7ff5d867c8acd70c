using System.Text.Json;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins.Inputs.Monitor;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Inputs.Monitor;

/// <summary>
/// A started engine whose config has a monitor_agent on 127.0.0.1 with a port the system chose, and an HTTP client
/// for it. Disposing stops the engine.
/// </summary>
internal sealed class MonitoredAgent : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private MonitoredAgent(AgentEngine engine) => Engine = engine;

    public AgentEngine Engine { get; }
    public HttpClient Http { get; } = new() { Timeout = Deadline };
    public int Port => Engine.Inputs.OfType<MonitorAgentInput>().Single().BoundPort;
    public Uri Url(string pathAndQuery) => new($"http://127.0.0.1:{Port}{pathAndQuery}");

    /// <summary>The monitor_agent source, with <paramref name="parameters"/> added, then the rest of the config.</summary>
    public static async Task<MonitoredAgent> StartAsync(string rest, string parameters = "")
    {
        var engine = EngineFixture.Build($"""
            <source>
              @type monitor_agent
              @id monitor
              bind 127.0.0.1
              port 0
            {parameters}
            </source>
            {rest}
            """);
        await engine.StartAsync(default);
        return new MonitoredAgent(engine);
    }

    public async Task<JsonElement> GetJsonAsync(string pathAndQuery)
    {
        using var response = await Http.GetAsync(Url(pathAndQuery));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The plugins of /api/plugins.json (with <paramref name="query"/>), by plugin_id.</summary>
    public async Task<Dictionary<string, JsonElement>> PluginsAsync(string query = "")
    {
        var body = await GetJsonAsync("/api/plugins.json" + query);
        return body.GetProperty("plugins").EnumerateArray().ToDictionary(p => p.GetProperty("plugin_id").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Engine.StopAsync();
    }
}
