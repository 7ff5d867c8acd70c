using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LogAgent.Hosting;

/// <summary>
/// Runs the pipeline inside the generic host: started with the host, stopped on SIGTERM/SIGINT (and the RPC's
/// interruptWorkers / killWorkers), reloaded on SIGHUP/SIGUSR2, flushed on SIGUSR1, dumped on SIGCONT; and the
/// rpc_endpoint server, which follows the running config.
/// </summary>
public sealed class AgentService : IHostedService, IAsyncDisposable
{
    private readonly AgentPipeline _pipeline;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly AgentLog _agentLog;
    private readonly ILogger _log;
    private readonly RpcServer _rpc;
    private AgentSignals? _signals;

    public AgentService(AgentPipeline pipeline, IHostApplicationLifetime lifetime, AgentLog agentLog, ILogger log)
    {
        _pipeline = pipeline;
        _lifetime = lifetime;
        _agentLog = agentLog;
        _log = log;
        _rpc = new RpcServer(new RpcServer.Actions(
            Interrupt: lifetime.StopApplication,
            Terminate: lifetime.StopApplication,
            FlushBuffers: () => _ = FlushAndReopenLogAsync(),
            FlushBuffersAndTerminate: () => _ = Task.Run(async () => { await _pipeline.FlushBuffersAsync(); lifetime.StopApplication(); }),
            Reload: () => _ = _pipeline.RequestReload("rpc /api/config.reload"),
            GracefulReload: () => _ = _pipeline.RequestReload("rpc /api/config.gracefulReload"),
            DumpToLog: () => _log.LogInformation("{Dump}", StateDump.Text(_pipeline.Current, _pipeline.ReloadCount))), log);
    }

    /// <summary>Where the rpc_endpoint server listens; null when none is configured.</summary>
    public System.Net.IPEndPoint? RpcEndPoint => _rpc.LocalEndPoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _pipeline.StartAsync(cancellationToken);
        await _rpc.Apply(_pipeline.Current.Settings.RpcEndpoint);
        _pipeline.Reloaded += engine => ApplyRpcEndpoint(engine.Settings.RpcEndpoint);
        _signals = new AgentSignals(
            reload: () => _pipeline.RequestReload("SIGHUP"),
            gracefulReload: () => _pipeline.RequestReload("SIGUSR2"),
            flushAndReopenLog: () => _ = FlushAndReopenLogAsync(),
            dumpState: () => StateDump.Write(_pipeline.Current, _pipeline.ReloadCount, _log),
            _log);
    }

    private void ApplyRpcEndpoint(string? endpoint)
    {
        try
        {
            _rpc.Apply(endpoint).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            _log.LogError("rpc server: {Error}", e.Message);
        }
    }

    // fluentd's USR1: the supervisor reopens its log, the worker flushes every buffer.
    private async Task FlushAndReopenLogAsync()
    {
        if (_agentLog.Path is { } path)
        {
            try
            {
                _agentLog.Reopen();
                _log.LogInformation("log file {Path} reopened", path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogError("cannot reopen the log file {Path}: {Error}", path, e.Message);
            }
        }
        await _pipeline.FlushBuffersAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _signals?.Dispose();
        _log.LogInformation("shutting down: stopping inputs, then flushing outputs");
        await _pipeline.StopAsync();
        await _rpc.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _signals?.Dispose();
        await _rpc.DisposeAsync();
    }
}
