using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// fluentd's <c>secondary_file</c> (lib/fluent/plugin/out_secondary_file.rb): for use in <c>&lt;secondary&gt;</c>, it
/// dumps each chunk its primary could not deliver, as the chunk's msgpack bytes, to
/// <c>directory/basename</c> (placeholders from the chunk: <c>${chunk_id}</c>, <c>${tag}</c>, keys, time), with a
/// <c>.N</c> suffix unless <c>append</c>. The dumps can be read back with any msgpack reader.
/// </summary>
[Plugin(PluginKind.Output, "secondary_file", "Dumps chunks the primary output could not write, as msgpack files (use in <secondary>).")]
public sealed class SecondaryFileOutput : BufferedOutputPlugin
{
    private readonly object _lock = new();

    [Parameter("directory", "Directory of the dump files.", Required = true)]
    public string Directory { get; set; } = "";

    [Parameter("basename", "File name; placeholders allowed (${chunk_id}, ${tag}, chunk keys, %Y%m%d).")]
    public string Basename { get; set; } = "dump.bin";

    [Parameter("append", "Append every chunk to one file instead of one file per chunk.")]
    public bool Append { get; set; }

    [Parameter("compress", "text or gzip (.gz added to the name).", AllowedValues = new[] { "text", "gzip" })]
    public string Compress { get; set; } = "text";

    public override void Configure(ConfigSection config)
    {
        if (Basename.Contains('/')) throw new ConfigException("basename should not include `/`", config.Find("basename")!);
    }

    public override Task WriteAsync(BufferChunk chunk, CancellationToken cancellationToken)
    {
        var directory = chunk.Expand(Directory.Replace("${chunk_id}", chunk.UniqueId));
        var name = chunk.Expand(Basename.Replace("${chunk_id}", chunk.UniqueId));
        var basePath = Path.Combine(directory, name) + (Compress == "gzip" ? ".gz" : "");
        System.IO.Directory.CreateDirectory(directory);
        lock (_lock)
        {
            var path = Append ? basePath : NextFreePath(basePath);
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            if (Compress == "gzip")
            {
                using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
                gzip.Write(chunk.ReadEntries().Span);
            }
            else file.Write(chunk.ReadEntries().Span);
            file.Flush(flushToDisk: true);
        }
        return Task.CompletedTask;
    }

    private static string NextFreePath(string basePath)
    {
        for (int i = 0; ; i++)
        {
            var candidate = $"{basePath}.{i}";
            if (!File.Exists(candidate)) return candidate;
        }
    }
}
