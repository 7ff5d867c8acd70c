namespace LogAgent.Core.Buffers;

/// <summary>
/// Where a file buffer's chunks go and how they are named, following fluentd's buf_file.rb (<c>configure</c>) and
/// buffer/file_chunk.rb: the <c>path</c> setting is either a directory (chunks are <c>DIR/buffer.*.log</c>) or a
/// file pattern with <c>*</c>; a chunk is <c>PREFIX.b&lt;hex id&gt;.SUFFIX</c> while staged and
/// <c>PREFIX.q&lt;hex id&gt;.SUFFIX</c> once queued, with its metadata beside it in <c>… .SUFFIX.meta</c>.
/// </summary>
public sealed class FileBufferPath
{
    private const string DefaultSuffix = ".log"; // buf_file.rb: config_param :path_suffix, default: '.log'

    private FileBufferPath(string pattern)
    {
        Pattern = pattern;
        Directory = System.IO.Path.GetDirectoryName(pattern) ?? ".";
        var name = System.IO.Path.GetFileName(pattern);
        int star = name.IndexOf(".*.", StringComparison.Ordinal);
        Prefix = name[..star];
        Suffix = name[(star + 3)..];
    }

    /// <summary>The resolved pattern, e.g. <c>/var/log/td-agent/buffer/td/buffer.*.log</c>.</summary>
    public string Pattern { get; }
    public string Directory { get; }
    /// <summary>File name part before <c>.*.</c>.</summary>
    public string Prefix { get; }
    /// <summary>File name part after <c>.*.</c>, without the dot.</summary>
    public string Suffix { get; }

    /// <summary>
    /// Resolves the <c>path</c> setting as fluentd does for a single worker: no path means
    /// <c>ROOT_DIR/worker0/PLUGIN_ID/buffer</c> (the plugin root dir, lib/fluent/plugin_id.rb); an existing directory,
    /// or a path that does not exist and has no <c>.*</c>, is a directory; otherwise it is a file pattern, completed
    /// with <c>.*.log</c> or <c>.log</c> when it lacks them.
    /// </summary>
    public static FileBufferPath Resolve(string? pathSetting, string? rootDir, string pluginId)
    {
        string path;
        if (string.IsNullOrEmpty(pathSetting))
        {
            if (string.IsNullOrEmpty(rootDir))
                throw new ArgumentException("buffer path is not configured: specify 'path' in <buffer>, or <system> root_dir and the output's @id");
            path = System.IO.Path.Combine(rootDir, "worker0", pluginId, "buffer");
        }
        else path = pathSetting;

        bool isDirectory = System.IO.Directory.Exists(path) || (!File.Exists(path) && !path.Contains(".*", StringComparison.Ordinal));
        if (isDirectory) return new FileBufferPath(System.IO.Path.Combine(path, "buffer.*" + DefaultSuffix));
        var name = System.IO.Path.GetFileName(path);
        if (name.Contains(".*.", StringComparison.Ordinal)) return new FileBufferPath(path);
        if (name.EndsWith(".*", StringComparison.Ordinal)) return new FileBufferPath(path + DefaultSuffix);
        return new FileBufferPath(path + ".*" + DefaultSuffix); // fluentd: "existing file will be ignored"
    }

    public string ChunkPath(ChunkState state, string idHex) =>
        System.IO.Path.Combine(Directory, $"{Prefix}.{(state == ChunkState.Staged ? 'b' : 'q')}{idHex}.{Suffix}");

    public static string MetaPath(string chunkPath) => chunkPath + ".meta";

    /// <summary>Held for the life of a store so two agents never share a buffer (fluentd only checks within one process).</summary>
    public string LockPath => System.IO.Path.Combine(Directory, Prefix + ".lock");

    /// <summary>
    /// Parses a chunk file name (not its .meta) as file_chunk.rb's <c>assume_chunk_state</c> does: <c>.b</c> or
    /// <c>.q</c> then hex digits. Names that do not match are not chunks and are left alone.
    /// </summary>
    public bool TryParseChunkName(string fileName, out ChunkState state, out string idHex)
    {
        state = default;
        idHex = "";
        string head = Prefix + ".", tail = "." + Suffix;
        if (fileName.Length <= head.Length + tail.Length + 1 || !fileName.StartsWith(head, StringComparison.Ordinal) || !fileName.EndsWith(tail, StringComparison.Ordinal))
            return false;
        var middle = fileName.AsSpan(head.Length, fileName.Length - head.Length - tail.Length);
        if (middle[0] is not ('b' or 'q')) return false;
        var hex = middle[1..];
        if (hex.Length % 2 != 0) return false;
        foreach (var c in hex)
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        state = middle[0] == 'b' ? ChunkState.Staged : ChunkState.Queued;
        idHex = hex.ToString();
        return true;
    }

    /// <summary>
    /// Where broken chunks are set aside: fluentd's output.rb <c>backup_chunk</c> layout,
    /// <c>ROOT_DIR/backup/worker0/SAFE_PLUGIN_ID/</c>, with ROOT_DIR defaulting to env.rb's DEFAULT_BACKUP_DIR
    /// (<c>/tmp/fluent</c>) and the plugin id's <c> "/\:;|*&lt;&gt;?</c> replaced by <c>_</c>.
    /// </summary>
    public static string BackupDirectory(string? rootDir, string pluginId)
    {
        var root = string.IsNullOrEmpty(rootDir) ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fluent") : rootDir;
        var safeId = string.Concat(pluginId.Select(c => " \"/\\:;|*<>?".Contains(c) ? '_' : c));
        return System.IO.Path.Combine(root, "backup", "worker0", safeId);
    }
}
