using LogAgent.Core.Buffers;
using LogAgent.Core.Plugins;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Engine;

/// <summary>
/// Gives a buffered output its buffer: binds <c>&lt;buffer&gt;</c> over the plugin's own defaults, chooses the
/// store, builds the <c>&lt;secondary&gt;</c>, and validates the plugin's placeholders against the chunk keys.
/// </summary>
internal sealed class BufferedOutputBuilder
{
    private readonly AgentEngine _engine;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _clock;
    private readonly string _fallbackStateDirectory;

    public BufferedOutputBuilder(AgentEngine engine, ILoggerFactory loggers, TimeProvider clock, string fallbackStateDirectory)
    {
        _fallbackStateDirectory = fallbackStateDirectory;
        _engine = engine;
        _loggers = loggers;
        _clock = clock;
    }

    /// <summary>Sets the buffer up before the plugin's Configure; returns the check to run after it.</summary>
    public (BufferedOutputRunner Runner, Action AfterConfigure) Attach(BufferedOutputPlugin plugin, ConfigSection section, IEventRouter router)
    {
        var defaults = plugin.BufferDefaults;
        var bufferSection = section.SectionsNamed("buffer").FirstOrDefault()
            ?? LegacyBufferParameters.ToBufferSection(section)
            ?? new ConfigSection("buffer", "", section.File, section.Line);
        bufferSection.IsUsed = true;

        var config = BufferConfig.WithDefaults(defaults);
        ParameterBinder.Bind(config, bufferSection, "buffer");

        var keyText = bufferSection.Argument.Length > 0 ? bufferSection.Argument : defaults.ChunkKeys ?? "";
        var keys = ChunkKeys.Parse(keyText, config, bufferSection);
        var policy = RetryPolicyFrom(config);

        var id = plugin.Id!;
        var log = _loggers.CreateLogger(id);
        var root = _engine.Settings.RootDir;
        var secondarySection = section.SectionsNamed("secondary").FirstOrDefault();
        OutputPlugin? secondary = null;
        if (secondarySection is not null)
        {
            secondarySection.IsUsed = true;
            secondary = _engine.BuildSecondary(secondarySection, router);
        }
        try
        {
            policy.Validate(secondary is not null, bufferSection);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message, bufferSection);
        }

        if (config.Type == "file")
        {
            // buf_file.rb: path, else root_dir/worker0/@id/buffer (only with an @id the operator chose, so the
            // directory stays the same across restarts), else the plugin's fallback (out_file: its own path).
            if (config.Path is null && (root is null || !section.Has("@id"))) config.Path = defaults.FallbackPath;
            ResolveFilePath(config, bufferSection, root, id); // configuration errors now, not at start
        }
        Func<IChunkStore> openStore = config.Type == "file"
            ? () => OpenFileStore(config, bufferSection, root, id, log)
            : () => new MemoryChunkStore(config.Compress == "gzip");
        // Dead letters need a directory even without root_dir: beside a file buffer, else under the temp directory
        // (which a reboot may clear: the warning says to set root_dir).
        string stateRoot = root
            ?? (config.Type == "file" ? Path.GetDirectoryName(Path.GetFullPath(ResolveFilePath(config, bufferSection, root, id)))! : null)
            ?? _fallbackStateDirectory;
        if (root is null && config.Type != "file")
            log.LogDebug("no <system> root_dir: undeliverable chunks of {Output} would be kept under {Directory}; set root_dir to keep them across reboots",
                id, stateRoot);
        var handOff = new ChunkHandOff(
            secondary,
            () => _engine.FindLabel(Routing.Label.ErrorName),
            Path.Combine(stateRoot, "dead-letter", id),
            Path.Combine(stateRoot, "replay", id),
            dir => new FileChunkStore(dir, null, id, compressGzip: false, fsync: true, log),
            log);
        var buffer = new OutputBuffer(config, keys, openStore, log, _clock, _engine.EmitErrorEvent);
        var runner = new BufferedOutputRunner(plugin, buffer, config, policy, handOff, log, _clock);
        plugin.AttachBuffer(runner);
        buffer.Metrics.Plugin = plugin.Context.Metrics;

        void Validate()
        {
            foreach (var name in plugin.PlaceholderParameters)
            {
                var parameter = section.Find(name);
                var value = ParameterBinder.ParameterProperties(plugin.GetType())
                    .FirstOrDefault(p => p.Attribute.Name == name).Property?.GetValue(plugin) as string;
                if (value is not null) ChunkPlaceholders.Validate(name, value, keys, parameter, section);
            }
        }
        return (runner, Validate);
    }

    private static string ResolveFilePath(BufferConfig config, ConfigSection at, string? root, string id)
    {
        if (config.Path is { } path) return path;
        if (root is null)
            throw new ConfigException("file buffer needs a 'path' in <buffer>, or <system> root_dir with an @id on the output", at);
        return Path.Combine(root, "worker0", id, "buffer");
    }

    private static IChunkStore OpenFileStore(BufferConfig config, ConfigSection at, string? root, string id, ILogger log)
    {
        var path = ResolveFilePath(config, at, root, id);
        try
        {
            return new FileChunkStore(path, root, id, config.Compress == "gzip", config.Fsync, log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // At start: the agent cannot run this output (another agent holds the directory, no permission).
            throw new IOException($"file buffer {path} ({at.Where}): {e.Message}", e);
        }
    }

    private static RetryPolicy RetryPolicyFrom(BufferConfig c) => new()
    {
        RetryForever = c.RetryForever,
        RetryTimeout = TimeSpan.FromSeconds(c.RetryTimeout),
        RetryMaxTimes = c.RetryMaxTimes,
        RetrySecondaryThreshold = c.RetrySecondaryThreshold,
        RetryType = c.RetryType == "periodic" ? RetryType.Periodic : RetryType.ExponentialBackoff,
        RetryWait = TimeSpan.FromSeconds(c.RetryWait),
        RetryExponentialBackoffBase = c.RetryExponentialBackoffBase,
        RetryMaxInterval = c.RetryMaxInterval is { } m ? TimeSpan.FromSeconds(m) : null,
        RetryRandomize = c.RetryRandomize,
    };
}
