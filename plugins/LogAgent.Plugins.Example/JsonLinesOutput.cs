using System.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;
using Microsoft.Extensions.Logging;

namespace LogAgent.Plugins.Example;

/// <summary>
/// Example output: appends each event to a file as one JSON object per line,
/// <c>{"tag":"app","time":1700000000.5,"record":{...}}</c>. Copy this project to start a plugin of your own:
/// declare parameters as properties, validate in Configure, open resources in StartAsync, deliver a chunk in
/// WriteAsync (the engine buffers, retries and hands failed chunks to the secondary), release in ShutdownAsync.
/// </summary>
[Plugin(PluginKind.Output, "example_jsonl", "Example third-party output: writes events as JSON lines to a file.")]
public sealed class JsonLinesOutput : BufferedOutputPlugin
{
    private readonly object _lock = new();
    private FileStream? _file;
    private long _written;

    [Parameter("path", "File the JSON lines are appended to.", Required = true)]
    public string Path { get; set; } = "";

    [Parameter("include_tag", "Write the tag into each line.")]
    public bool IncludeTag { get; set; } = true;

    public override void Configure(ConfigSection config)
    {
        if (Directory.Exists(Path))
            throw new ConfigException($"path '{Path}' is a directory; give a file name", config.Find("path")!);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (directory is not null) Directory.CreateDirectory(directory);
        _file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        Log.LogInformation("writing JSON lines to {Path}", Path);
        return Task.CompletedTask;
    }

    /// <summary>This plugin's buffer defaults: operators may still override them in &lt;buffer&gt;.</summary>
    public override BufferDefaults BufferDefaults => new() { FlushInterval = 1 };

    /// <summary>Writes one chunk; an exception makes the engine retry it later with backoff.</summary>
    public override Task WriteAsync(BufferChunk chunk, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>((int)chunk.ByteSize * 2 + 64);
        foreach (var entry in chunk)
        {
            // RecordJson writes values as fluentd does (floats as Ruby prints them, non-ASCII text unescaped), so the
            // lines read the same as fluentd's JSON output of the same events.
            buffer.Write("{"u8);
            if (IncludeTag)
            {
                buffer.Write("\"tag\":"u8);
                RecordJson.WriteString(buffer, entry.Tag);
                buffer.Write(","u8);
            }
            buffer.Write("\"time\":"u8);
            RecordJson.Write(buffer, entry.Time.ToUnixSeconds());
            buffer.Write(",\"record\":"u8);
            RecordJson.Write(buffer, entry.DecodeRecord());
            buffer.Write("}\n"u8);
        }
        lock (_lock)
        {
            var file = _file ?? throw new InvalidOperationException("example_jsonl is not started");
            file.Write(buffer.WrittenSpan);
            file.Flush();
            _written += chunk.RecordCount;
        }
        return Task.CompletedTask;
    }

    public override Task ShutdownAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _file?.Dispose();
            _file = null;
        }
        Log.LogInformation("wrote {Count} events to {Path}", _written, Path);
        return Task.CompletedTask;
    }
}
