using LogAgent.Core.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LogAgent.Hosting;

/// <summary>Runs the engine inside the generic host: started with the host, stopped on SIGTERM/SIGINT.</summary>
public sealed class AgentService(AgentEngine engine, ILogger<AgentService> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await engine.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        log.LogInformation("shutting down: stopping inputs, then flushing outputs");
        await engine.StopAsync();
    }
}
