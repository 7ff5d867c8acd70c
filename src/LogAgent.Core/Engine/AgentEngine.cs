using LogAgent.Core.Buffers;
using LogAgent.Core.Config;
using LogAgent.Core.Logging;
using LogAgent.Core.Plugins;
using LogAgent.Core.Prometheus;
using LogAgent.Core.Routing;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Engine;

/// <summary>
/// The running agent: builds every plugin from a config, wires sources to labels and labels to outputs, and
/// drives the lifecycle. Start: outputs, then filters, then inputs. Stop: inputs first, outputs last, so
/// everything an input emitted before it stopped reaches its output.
/// </summary>
public sealed class AgentEngine
{
    private readonly EngineOptions _options;
    private readonly PluginFactory _factory;
    private readonly ILogger _log;
    private readonly Dictionary<string, Label> _labels = new(StringComparer.Ordinal);
    private readonly List<InputPlugin> _inputs = new();
    private readonly List<FilterPlugin> _filters = new();
    private readonly List<OutputPlugin> _outputs = new();
    private readonly List<(Plugin Plugin, ConfigSection Section, string Type)> _configured = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly List<ConfigWarning> _warnings = new();
    private readonly List<BufferedOutputRunner> _runners = new();
    private readonly List<OutputPlugin> _secondaries = new();
    private readonly BufferedOutputBuilder _buffers;
    private int _autoId;

    private AgentEngine(EngineOptions options)
    {
        _options = options;
        _factory = new PluginFactory(options.Registry);
        _log = options.LoggerFactory.CreateLogger("engine");
        Root = NewLabel(Label.RootName);
        Status = new AgentStatus(Root, options, Settings);
        _buffers = new BufferedOutputBuilder(this, options.LoggerFactory, options.Clock, options.FallbackStateDirectory);
    }

    public SystemConfig Settings { get; } = new();
    public string Hostname => _options.Hostname;
    public Label Root { get; }
    /// <summary>Every plugin with its configuration and counters, read on request (monitor_agent).</summary>
    public AgentStatus Status { get; }
    /// <summary>What the prometheus plugins serve: one registry per engine (fluentd: one per worker process).</summary>
    public PrometheusRegistry Prometheus { get; } = new();
    public IReadOnlyList<ConfigWarning> Warnings => _warnings;
    public IReadOnlyList<InputPlugin> Inputs => _inputs;
    public IReadOnlyList<OutputPlugin> Outputs => _outputs;
    /// <summary>The buffer drivers of every buffered output, copy stores included.</summary>
    public IReadOnlyList<BufferedOutputRunner> Runners => _runners;

    /// <summary>Each buffered output's dead-letter and replay directories.</summary>
    public IEnumerable<ChunkHandOff> DeadLetters() => _runners.Select(r => r.HandOff);
    private Label? ErrorLabel => _labels.GetValueOrDefault(Label.ErrorName);

    /// <summary>
    /// Configures every plugin (none is started). Throws <see cref="ConfigException"/> at the first error;
    /// non-fatal findings (unused parameters and sections) are in <see cref="Warnings"/>.
    /// </summary>
    public static AgentEngine Build(ConfigSection root, EngineOptions? options = null)
    {
        var engine = new AgentEngine(options ?? new EngineOptions());
        engine.Configure(root);
        return engine;
    }

    private void Configure(ConfigSection root)
    {
        ConfigStructure.ThrowIfInvalid(root);
        var elements = WorkerZeroElements(root).ToList();
        if (elements.FirstOrDefault(e => e.Name == "system") is { } system) ConfigureSystem(system);

        // Labels are created before anything routes to them, so @label may name a label defined further down.
        foreach (var labelSection in elements.Where(e => e.Name == "label"))
        {
            labelSection.IsUsed = true;
            var name = labelSection.Argument;
            if (name.Length == 0) throw new ConfigException("<label> needs a name, e.g. <label @NAME>", labelSection);
            if (name == Label.RootName) throw new ConfigException("@ROOT is reserved for the top level and cannot be defined with <label>", labelSection);
            if (_labels.ContainsKey(name)) throw new ConfigException($"label {name} is defined more than once", labelSection);
            _labels[name] = NewLabel(name);
        }

        ConfigureRules(Root, elements);
        foreach (var labelSection in elements.Where(e => e.Name == "label"))
        {
            var label = _labels[labelSection.Argument];
            ConfigureRules(label, labelSection.Sections);
        }

        foreach (var source in elements.Where(e => e.Name == "source"))
        {
            var input = Build<InputPlugin>(PluginKind.Input, source, Root, routerFromLabel: true);
            _inputs.Add(input);
        }

        foreach (var element in elements)
        {
            if (element.IsUsed) continue;
            element.IsUsed = true;
            Warn($"section {element} is not used in ROOT (LogAgent knows <source>, <match>, <filter>, <label>, <system>, <worker>)", element.File, element.Line);
        }
        foreach (var (_, section, type) in _configured)
            foreach (var (message, file, line) in PluginFactory.Unused(section))
                Warn($"{message} (plugin '{type}')", file, line);
    }

    // LogAgent is one process (fluentd's worker 0): <worker 0> and ranges including 0 apply, others are skipped.
    private IEnumerable<ConfigSection> WorkerZeroElements(ConfigSection root)
    {
        foreach (var element in root.Sections)
        {
            if (element.Name != "worker") { yield return element; continue; }
            element.IsUsed = true;
            var (first, last) = ParseWorkerRange(element);
            if (first == 0)
                foreach (var inner in element.Sections) yield return inner;
            else
                Warn($"<worker {element.Argument}> is skipped: LogAgent runs a single worker (id 0)", element.File, element.Line);
            _ = last;
        }
    }

    private static (int First, int Last) ParseWorkerRange(ConfigSection worker)
    {
        var parts = worker.Argument.Split('-', 2);
        if (int.TryParse(parts[0], out int first) && first >= 0)
        {
            if (parts.Length == 1) return (first, first);
            if (int.TryParse(parts[1], out int last) && last >= first) return (first, last);
        }
        throw new ConfigException($"<worker {worker.Argument}>: a worker id is a number or a range like 0-1", worker);
    }

    private void ConfigureSystem(ConfigSection section)
    {
        section.IsUsed = true;
        ParameterBinder.Bind(Settings, section, "system");
        foreach (var s in section.Sections)
            if (s.Name is "log" or "counter_server" or "counter_client" or "source_only_buffer" or "metrics")
            {
                s.IsUsed = true;
                foreach (var p in s.Parameters) s.UsedParameters.Add(p.Key);
            }
        foreach (var (message, file, line) in PluginFactory.Unused(section))
            Warn($"{message} (<system>)", file, line);
        if (Settings.Workers > 1)
            Warn($"workers {Settings.Workers}: LogAgent runs one multi-threaded worker; the config runs as worker 0", section.File, section.Line);
    }

    private void ConfigureRules(Label label, IEnumerable<ConfigSection> elements)
    {
        foreach (var element in elements)
        {
            if (element.Name == "filter")
            {
                var filter = Build<FilterPlugin>(PluginKind.Filter, element, label);
                _filters.Add(filter);
                label.Add(new RoutingRule(TagPattern.Parse(element.Argument, element), filter, null, element.Where)
                {
                    FilterEmits = (filter.Context as EnginePluginContext)?.Emits,
                });
            }
            else if (element.Name == "match")
            {
                var output = Build<OutputPlugin>(PluginKind.Output, element, label);
                _outputs.Add(output);
                label.Add(new RoutingRule(TagPattern.Parse(element.Argument, element), null, output, element.Where));
            }
        }
    }

    private Label NewLabel(string name)
    {
        var label = new Label(name, _log);
        label.OnEmitError = (stream, error) => HandleEmitError(label, stream, error);
        return label;
    }

    private T Build<T>(PluginKind kind, ConfigSection section, Label label, bool routerFromLabel = false) where T : Plugin
    {
        string type = section.PluginType ?? "";
        var plugin = _factory.Build<T>(kind, section, p =>
        {
            IEventRouter router = label;
            if (routerFromLabel && p is InputPlugin { Label: { } target })
                router = FindLabel(target) ?? throw new ConfigException($"unknown label: {target} (no <label {target}> is defined)", section);
            return MonitoredContext(p, kind, type, section, router);
        }, beforeConfigure: p => AttachBuffer(p, section, label));
        _configured.Add((plugin, section, type));
        return plugin;
    }

    internal T BuildChild<T>(PluginKind kind, ConfigSection section, IEventRouter router, string? defaultType) where T : Plugin =>
        // A copy's <store>s are shown by monitoring; Status.Add leaves out parsers and formatters.
        _factory.Build<T>(kind, section, p => MonitoredContext(p, kind, section.PluginType ?? defaultType ?? "?", section, router),
            defaultType, beforeConfigure: p => AttachBuffer(p, section, router));

    /// <summary>A plugin's context, the plugin being listed for monitoring (<see cref="Status"/>) as it is created.</summary>
    private EnginePluginContext MonitoredContext(Plugin plugin, PluginKind kind, string type, ConfigSection section, IEventRouter router)
    {
        Status.Add(plugin, kind, type, section);
        return new EnginePluginContext(this, LoggerFor(plugin, type), router, countsEmits: kind == PluginKind.Input);
    }

    /// <summary>A &lt;secondary&gt;: configured like any output, but never buffered itself (fluentd ignores its &lt;buffer&gt;).</summary>
    internal OutputPlugin BuildSecondary(ConfigSection section, IEventRouter router)
    {
        var secondary = _factory.Build<OutputPlugin>(PluginKind.Output, section,
            p => new EnginePluginContext(this, LoggerFor(p, section.PluginType ?? "?"), router));
        if (secondary is BufferedOutputPlugin buffered) buffered.AttachBuffer(new SecondaryIsNotBuffered(secondary.Id!));
        _secondaries.Add(secondary);
        return secondary;
    }

    private Action? AttachBuffer(Plugin plugin, ConfigSection section, IEventRouter router)
    {
        if (plugin is not BufferedOutputPlugin buffered) return null;
        var (runner, afterConfigure) = _buffers.Attach(buffered, section, router);
        _runners.Add(runner);
        Status.AttachRunner(plugin, runner);
        return afterConfigure;
    }

    private ILogger LoggerFor(Plugin plugin, string type)
    {
        if (plugin.Id is { } id && !_ids.Add(id))
            throw new ConfigException($"Duplicated plugin id `{id}`. Check whole configuration and fix it.");
        plugin.Id ??= $"{type}.{++_autoId}";
        var logger = _options.LoggerFactory.CreateLogger(plugin.Id);
        return plugin.LogLevel is { } level ? new LevelFilteredLogger(logger, LevelFilteredLogger.Parse(level)) : logger;
    }

    private void Warn(string message, string file, int line)
    {
        var warning = new ConfigWarning(message, file, line);
        _warnings.Add(warning);
        _log.LogWarning("{Warning}", warning.ToString());
    }

    public Label? FindLabel(string name) =>
        name == Label.RootName ? Root : _labels.GetValueOrDefault(name);

    private bool HandleEmitError(Label label, EventStream stream, Exception error)
    {
        if (ErrorLabel is { } errorLabel && label != errorLabel)
        {
            _log.LogWarning("send an error event stream to @ERROR: error_class={Class} error=\"{Error}\" tag=\"{Tag}\"",
                error.GetType().Name, error.Message, stream.Tag);
            errorLabel.Emit(stream);
            return true;
        }
        _log.LogWarning("emit transaction failed: error_class={Class} error=\"{Error}\" tag=\"{Tag}\"",
            error.GetType().Name, error.Message, stream.Tag);
        return false;
    }

    internal void EmitErrorEvent(string tag, EventTime time, Record record, Exception error)
    {
        if (ErrorLabel is { } errorLabel)
        {
            errorLabel.Emit(EventStream.Single(tag, time, record));
            return;
        }
        _log.LogWarning("dump an error event: error_class={Class} error=\"{Error}\" tag=\"{Tag}\" time={Time} record={Record}",
            error.GetType().Name, error.Message, tag, time, System.Text.Json.JsonSerializer.Serialize(record));
    }

    /// <param name="carried">After a reload: what the old pipeline's memory buffers could not deliver, taken over
    /// once the outputs run and before any input starts (<see cref="AdoptCarriedAsync"/>).</param>
    public async Task StartAsync(CancellationToken cancellationToken, IReadOnlyCollection<CarriedChunk>? carried = null)
    {
        foreach (var output in _outputs) await output.StartAsync(cancellationToken);
        foreach (var secondary in _secondaries) await secondary.StartAsync(cancellationToken);
        foreach (var runner in _runners) runner.Start();
        if (carried is { Count: > 0 }) await AdoptCarriedAsync(carried);
        foreach (var filter in _filters) await filter.StartAsync(cancellationToken);
        if (Settings.WithoutSource)
        {
            _log.LogInformation("without_source: inputs are not started");
            return;
        }
        foreach (var input in _inputs) await input.StartAsync(cancellationToken);
        _log.LogInformation("agent started: {Inputs} inputs, {Filters} filters, {Outputs} outputs, {Labels} labels",
            _inputs.Count, _filters.Count, _outputs.Count, _labels.Count);
    }

    /// <summary>
    /// fluentd's flush_buffer (SIGUSR1): every buffered output queues its staged chunks and writes them now.
    /// </summary>
    public void FlushBuffers()
    {
        foreach (var runner in _runners) runner.FlushNow();
        _log.LogInformation("flushing every buffer now ({Outputs} buffered outputs)", _runners.Count);
    }

    /// <summary>
    /// Takes over what a reloaded pipeline's memory buffers could not deliver:
    /// a chunk goes to the buffer of the output with the same <c>@id</c> and plugin class; without one, its events go
    /// to the output the top level now routes their tag to (filters are not run again: the events passed them
    /// already); when no output matches the tag, or that output refuses them, to the old output's dead-letter
    /// directory, from where <c>--replay-dead-letters</c> delivers them. Nothing is dropped.
    /// </summary>
    private async Task AdoptCarriedAsync(IReadOnlyCollection<CarriedChunk> carried)
    {
        foreach (var chunk in carried)
        {
            var runner = _runners.FirstOrDefault(r => r.OutputId == chunk.OutputId && r.OutputClass == chunk.OutputClass);
            if (runner is not null)
            {
                runner.Buffer.AdoptQueued(chunk.Metadata, chunk.EntriesHaveTag, chunk.ReadEntries().Span, chunk.RecordCount, chunk.RetryCount);
                runner.Wake();
                _log.LogInformation("reload: chunk_id=\"{Id}\" ({Records} records) carried over into the buffer of {Output}", chunk.UniqueId, chunk.RecordCount, runner.OutputId);
                continue;
            }
            if (!TryEmitToRoutedOutputs(chunk))
                await chunk.From.DeadLetterAsync(chunk, $"the reloaded config has no output {chunk.OutputId} and no <match> takes its events");
        }
    }

    private bool TryEmitToRoutedOutputs(CarriedChunk chunk)
    {
        var streams = chunk.ToEventStreams();
        if (streams.Any(s => Root.RouteFor(s.Tag).Output is null)) return false;
        try
        {
            foreach (var stream in streams) Root.RouteFor(stream.Tag).Output!.Emit(stream);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Some streams may have been taken before the failure: delivering them twice beats losing the rest.
            _log.LogWarning("reload: carried chunk_id=\"{Id}\" could not be emitted: {Error}", chunk.UniqueId, e.Message);
            return false;
        }
        _log.LogInformation("reload: chunk_id=\"{Id}\" ({Records} records) of {Output}, which the reloaded config no longer has, emitted to the outputs matching its tags",
            chunk.UniqueId, chunk.RecordCount, chunk.OutputId);
        return true;
    }

    /// <summary>Stops inputs, then filters, then outputs; each stage is bounded by <see cref="EngineOptions.StageTimeout"/>.</summary>
    /// <param name="carryOver">Given by a reload: what memory buffers could not deliver goes here (for
    /// <see cref="AdoptCarriedAsync"/> of the next pipeline) instead of the dead-letter directory.</param>
    public async Task StopAsync(ICollection<CarriedChunk>? carryOver = null)
    {
        await RunStage("stop inputs", _inputs, (p, ct) => p.StopAsync(ct));
        await RunStage("shut down inputs", _inputs, (p, ct) => p.ShutdownAsync(ct));
        await RunStage("stop filters", _filters, (p, ct) => p.StopAsync(ct));
        await RunStage("shut down filters", _filters, (p, ct) => p.ShutdownAsync(ct));
        using (var flushTimeout = new CancellationTokenSource(_options.StageTimeout))
        {
            foreach (var runner in _runners)
            {
                try
                {
                    await runner.StopAsync(flushTimeout.Token, carryOver);
                }
                catch (Exception e)
                {
                    _log.LogError("flushing {Output} at shutdown failed: {Error}", runner.OutputId, e.Message);
                }
            }
        }
        await RunStage("stop secondaries", _secondaries, (p, ct) => p.StopAsync(ct));
        await RunStage("shut down secondaries", _secondaries, (p, ct) => p.ShutdownAsync(ct));
        await RunStage("stop outputs", _outputs, (p, ct) => p.StopAsync(ct));
        await RunStage("shut down outputs", _outputs, (p, ct) => p.ShutdownAsync(ct));
        // The last word on each buffered output: what it received, wrote and retried, and its plugin's own counters.
        foreach (var runner in _runners)
            _log.LogInformation("metrics of {Output}: {Metrics}", runner.OutputId,
                string.Join(' ', runner.Metrics.Snapshot().Select(kv => kv.Key + "=" + kv.Value)));
        _log.LogInformation("agent stopped");
    }

    private async Task RunStage<T>(string stage, IEnumerable<T> plugins, Func<T, CancellationToken, Task> action) where T : Plugin
    {
        using var timeout = new CancellationTokenSource(_options.StageTimeout);
        foreach (var plugin in plugins)
        {
            try
            {
                await action(plugin, timeout.Token).WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                _log.LogError("{Stage}: plugin {Id} did not finish within {Seconds}s; moving on", stage, plugin.Id, _options.StageTimeout.TotalSeconds);
            }
            catch (Exception e)
            {
                _log.LogError(e, "{Stage}: plugin {Id} failed", stage, plugin.Id);
            }
        }
    }
}

/// <summary>A secondary's own Emit must not be used: the primary hands it whole chunks.</summary>
internal sealed class SecondaryIsNotBuffered(string id) : LogAgent.Sdk.Buffers.IChunkSink
{
    public void Append(EventStream stream) => throw new InvalidOperationException($"{id} is a <secondary>: it receives chunks from its primary, not events");
    public void Commit(string chunkId) { }
    public void Rollback(string chunkId, Exception? reason) { }
}

/// <summary>A non-fatal config finding, with where it was written.</summary>
public sealed record ConfigWarning(string Message, string File, int Line)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
