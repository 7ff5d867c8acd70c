using System.Diagnostics;
using LogAgent.Core.Buffers;
using LogAgent.Core.Config;
using LogAgent.Core.Engine;
using LogAgent.Core.Net;
using LogAgent.Sdk.Config;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace LogAgent.Hosting;

/// <summary>
/// The running pipeline and its replacement on a graceful reload (SIGHUP, SIGUSR2, RPC config.reload /
/// config.gracefulReload). A reload follows fluentd's Engine#reload_config ("configure first to reduce down time",
/// operations research §2.3): the new config is read and every plugin configured before anything of the old pipeline
/// stops; on any error the old pipeline keeps running and the error is logged with its file and line. Then the old
/// inputs stop (listening sockets stay bound, parked in <see cref="ListenerHandover"/>), the old outputs flush, file
/// buffers are released for the new pipeline to resume from the same directories, what memory buffers could not
/// deliver is carried into the new pipeline (the output with the same @id takes it), and the new pipeline
/// starts on the parked sockets. Reloads, flushes and the final stop run one at a time; a reload requested while
/// one is running is queued, and several such requests coalesce into one (the config file is read when it runs).
/// </summary>
public sealed class AgentPipeline
{
    private readonly Func<ConfigSection> _readConfig;
    private readonly Func<ConfigSection, AgentEngine> _build;
    private readonly ISystemdNotifier? _systemd;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConfigSection _config;
    private AgentEngine _engine;
    private int _reloadQueued;
    private bool _stopped;

    /// <param name="readConfig">Reads the config file again (throws <see cref="ConfigException"/> or <see cref="IOException"/>).</param>
    /// <param name="build">Configures an engine from a config without starting it (throws <see cref="ConfigException"/>).</param>
    /// <param name="systemd">Told RELOADING=1 and READY=1 around a reload when the agent runs as a systemd service.</param>
    public AgentPipeline(ConfigSection config, AgentEngine engine, Func<ConfigSection> readConfig, Func<ConfigSection, AgentEngine> build,
        ISystemdNotifier? systemd, ILogger log)
    {
        _config = config;
        _engine = engine;
        _readConfig = readConfig;
        _build = build;
        _systemd = systemd;
        _log = log;
    }

    /// <summary>The engine running now; replaced by each successful reload.</summary>
    public AgentEngine Current => _engine;

    /// <summary>Raised after every reload attempt, successful or not, with the engine now running.</summary>
    public event Action<AgentEngine>? Reloaded;

    /// <summary>Reloads done (successful or kept the old pipeline), for tests and the state dump.</summary>
    public int ReloadCount { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken) => _engine.StartAsync(cancellationToken);

    public async Task StopAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_stopped) return;
            _stopped = true;
            await _engine.StopAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Queues a reload and returns at once; a reload already queued (not yet running) takes this request too.
    /// <paramref name="cause"/> says what asked for it (SIGHUP, RPC …), for the log.
    /// </summary>
    public Task RequestReload(string cause)
    {
        if (Interlocked.Exchange(ref _reloadQueued, 1) == 1)
        {
            _log.LogInformation("reload requested ({Cause}) while one is queued: both are served by that one", cause);
            return Task.CompletedTask;
        }
        return Task.Run(async () =>
        {
            await _gate.WaitAsync();
            try
            {
                Volatile.Write(ref _reloadQueued, 0);
                if (!_stopped) await ReloadAsync(cause);
            }
            catch (Exception e)
            {
                _log.LogError(e, "reload ({Cause}) failed", cause);
            }
            finally
            {
                _gate.Release();
            }
        });
    }

    /// <summary>fluentd's flush_buffer: every buffer writes what it holds now (SIGUSR1, RPC plugins.flushBuffers).</summary>
    public async Task FlushBuffersAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (!_stopped) _engine.FlushBuffers();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReloadAsync(string cause)
    {
        NotifySystemd($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}");
        _log.LogInformation("reloading the config ({Cause})", cause);
        try
        {
            ConfigSection config;
            AgentEngine next;
            try
            {
                config = _readConfig();
                next = _build(config);
            }
            catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
            {
                // fluentd's graceful_reload logs "Failed to reload config file" and keeps the old config.
                _log.LogError("config reload failed, the running pipeline is kept: {Error}", e.Message);
                return;
            }
            await SwapAsync(config, next);
        }
        finally
        {
            ReloadCount++;
            NotifySystemd("READY=1");
            Reloaded?.Invoke(_engine);
        }
    }

    private async Task SwapAsync(ConfigSection config, AgentEngine next)
    {
        var clock = Stopwatch.StartNew();
        using var handover = ListenerHandover.Shared.Hold();
        var carried = new List<CarriedChunk>();
        await _engine.StopAsync(carried);
        try
        {
            await next.StartAsync(CancellationToken.None, carried);
        }
        catch (Exception e)
        {
            // The new config was valid but did not start (a port taken, a certificate unreadable): go back to the
            // previous config, on the same parked sockets, with whatever the failed start holds.
            _log.LogError("the reloaded pipeline failed to start, going back to the previous config: {Error}", e.Message);
            var carriedBack = new List<CarriedChunk>();
            await next.StopAsync(carriedBack);
            var previous = _build(_config);
            await previous.StartAsync(CancellationToken.None, carriedBack);
            _engine = previous;
            return;
        }
        _engine = next;
        _config = config;
        _log.LogInformation("reload done in {Milliseconds} ms: {Carried} memory chunks carried over", clock.ElapsedMilliseconds, carried.Count);
    }

    private void NotifySystemd(string state)
    {
        if (_systemd is { IsEnabled: true } systemd) systemd.Notify(new ServiceState(state));
    }

    /// <summary>
    /// CLOCK_MONOTONIC in microseconds, as systemd's Type=notify-reload wants with RELOADING=1 (sd_notify(3)). On
    /// Linux, Stopwatch reads clock_gettime(CLOCK_MONOTONIC) (dotnet/runtime src/native/libs/System.Native/pal_time.c).
    /// </summary>
    public static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000.0));
}
