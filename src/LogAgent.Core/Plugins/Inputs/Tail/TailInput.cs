using System.Buffers;
using System.Text;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// fluentd's <c>in_tail</c> (lib/fluent/plugin/in_tail.rb): follows files by path through rotations and emits one event
/// per line (or per multiline event). The pos file is fluentd's, and an offset is written to it only after the lines
/// before it were emitted — <c>Router.Emit</c> returning means they are in every destination's buffer — so a crash
/// costs duplicates, never lines. A full buffer with <c>overflow_action block</c> blocks the emit and so the reading.
/// </summary>
/// <remarks>
/// One reader thread serves every file, as fluentd's event loop does; it wakes on inotify events
/// (FileSystemWatcher on each directory, <c>enable_stat_watcher</c>), on a 1-second timer (<c>enable_watch_timer</c>)
/// and on <c>refresh_interval</c>. Beyond fluentd: a rotated file is found again by its inode after a restart and read
/// to its end, and so are files rotated while the agent was down; a copytruncated file's unread rest is read from the
/// copy; a reused inode is told apart by the file's first bytes (<see cref="FingerprintFile"/>).
/// </remarks>
[Plugin(PluginKind.Input, "tail", "Follows log files through rotations and emits each line (or multiline event) as an event.")]
public sealed partial class TailInput : InputPlugin
{
    private const int ReadBufferSize = 1024 * 1024;
    // A file hands the reader back after this much, so one busy file cannot starve the others.
    private const int BytesPerTurn = 8 * 1024 * 1024;
    private static readonly string[] CompressedSuffixes = { ".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4", ".Z" };

    private readonly Dictionary<string, PathFollower> _followers = new(StringComparer.Ordinal);
    private readonly HashSet<PathFollower> _dirty = new();
    private readonly object _dirtyLock = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Dictionary<string, FileSystemWatcher> _watchers = new(StringComparer.Ordinal);
    private string[] _patterns = Array.Empty<string>();
    private string _tagPrefix = "", _tagSuffix = "";
    private bool _tagHasWildcard;
    private RubyTimeZone _pathZone = RubyTimeZone.Local;
    private ParserPlugin? _parser;
    private TailLineEmitter? _emitter;
    private PositionFile? _positions;
    private FingerprintFile? _fingerprints;
    private Encoding? _fromEncoding, _toEncoding;
    private Thread? _reader;
    private volatile bool _stopping;
    private volatile bool _refreshRequested;
    private bool _started;
    private long _nextRefreshTicks, _nextTickTicks, _nextCompactionTicks;

    [Parameter("path", "Files to read: a comma-separated list (path_delimiter) of paths, globs (* ** ? [] {}) and strftime placeholders.", Required = true)]
    public string Path { get; set; } = "";

    [Parameter("path_delimiter", "The separator of the path list.")]
    public string PathDelimiter { get; set; } = ",";

    [Parameter("exclude_path", "Paths or globs never read, as a JSON array or a comma-separated list.")]
    public string[] ExcludePath { get; set; } = Array.Empty<string>();

    [Parameter("path_timezone", "The zone strftime placeholders in path are expanded in (default: local time).")]
    public string? PathTimezone { get; set; }

    [Parameter("tag", "The tag of the events; a * is replaced by the file's path with / turned into . (as fluentd).", Required = true)]
    public string Tag { get; set; } = "";

    [Parameter("pos_file", "The position file (fluentd's format) recording how far each file was read; without it, positions live in memory only.")]
    public string? PosFile { get; set; }

    [Parameter("pos_file_compaction_interval", "How often unwatched entries are dropped from pos_file (default: never while running).", Kind = ParameterKind.Time)]
    public double? PosFileCompactionInterval { get; set; }

    [Parameter("read_from_head", "Read files found at startup from their start instead of their end.")]
    public bool ReadFromHead { get; set; }

    [Parameter("refresh_interval", "How often the path globs are expanded again, in seconds (inotify finds new files at once too).", Kind = ParameterKind.Time)]
    public double RefreshInterval { get; set; } = 60;

    [Parameter("rotate_wait", "How long a rotated file is still read after its path got a new file, in seconds.", Kind = ParameterKind.Time)]
    public double RotateWait { get; set; } = 5;

    [Parameter("follow_inodes", "Key the pos file by inode, so a rotated file matched by the glob under its new name is not read twice.")]
    public bool FollowInodes { get; set; }

    [Parameter("enable_watch_timer", "Check every file once a second (catches what inotify cannot see).")]
    public bool EnableWatchTimer { get; set; } = true;

    [Parameter("enable_stat_watcher", "Watch directories with inotify for writes, new files and renames.")]
    public bool EnableStatWatcher { get; set; } = true;

    [Parameter("open_on_every_update", "Open and close the file around every read instead of keeping it open.")]
    public bool OpenOnEveryUpdate { get; set; }

    [Parameter("read_lines_limit", "Lines per emitted batch.")]
    public int ReadLinesLimit { get; set; } = 1000;

    [Parameter("read_bytes_limit_per_second", "Bytes read from one file per second at most (-1: no limit; at least 8192).", Kind = ParameterKind.Size)]
    public long ReadBytesLimitPerSecond { get; set; } = -1;

    [Parameter("max_line_size", "Lines longer than this many bytes are skipped with a warning.", Kind = ParameterKind.Size)]
    public long? MaxLineSize { get; set; }

    [Parameter("encoding", "The encoding of the emitted text (with from_encoding: the encoding to convert to).")]
    public string? Encoding { get; set; }

    [Parameter("from_encoding", "The encoding of the file, converted to encoding (default UTF-8); invalid bytes are replaced.")]
    public string? FromEncoding { get; set; }

    [Parameter("path_key", "Add the file's path to each record under this key.")]
    public string? PathKey { get; set; }

    [Parameter("limit_recently_modified", "Only files modified within this many seconds are read.", Kind = ParameterKind.Time)]
    public double? LimitRecentlyModified { get; set; }

    [Parameter("skip_refresh_on_startup", "Do not expand the paths at startup; the first refresh happens after refresh_interval.")]
    public bool SkipRefreshOnStartup { get; set; }

    [Parameter("ignore_repeated_permission_error", "Report an unreadable file once instead of at every refresh.")]
    public bool IgnoreRepeatedPermissionError { get; set; }

    [Parameter("emit_unmatched_lines", "Emit lines the parser does not match as {\"unmatched_line\": line} instead of warning.")]
    public bool EmitUnmatchedLines { get; set; }

    [Parameter("multiline_flush_interval", "Emit an open multiline event after this many idle seconds (default: only when the next starts).", Kind = ParameterKind.Time)]
    public double? MultilineFlushInterval { get; set; }

    [Parameter("format", "Legacy form of <parse>: the parser type, or a /regexp/.")]
    public string? Format { get; set; }

    /// <summary>Files being followed, by watched path (for tests and diagnostics).</summary>
    public IReadOnlyCollection<PathFollower> Followers
    {
        get { lock (_followers) return _followers.Values.ToList(); }
    }

    /// <summary>True when lines are turned into events without strings (<c>&lt;parse&gt; @type none</c>).</summary>
    public bool UsesRawLinePath => _emitter?.IsRawPath ?? false;

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        _patterns = Path.Split(PathDelimiter, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (_patterns.Length == 0) throw At(config, "path", "tail: 'path' names no file");
        var star = Tag.IndexOf('*');
        if (star >= 0)
        {
            // in_tail.rb: @tag_prefix, @tag_suffix = @tag.split('*', 2)
            _tagHasWildcard = true;
            _tagPrefix = Tag[..star];
            _tagSuffix = Tag[(star + 1)..];
        }
        if (!EnableWatchTimer && !EnableStatWatcher)
            throw new ConfigException("either of enable_watch_timer or enable_stat_watcher must be true", config);
        if (ReadBytesLimitPerSecond is > 0 and < 8192)
        {
            Log.LogWarning("read_bytes_limit_per_second should be no less than 8192; using 8192");
            ReadBytesLimitPerSecond = 8192;
        }
        if (ReadLinesLimit < 1) throw At(config, "read_lines_limit", "read_lines_limit must be at least 1");
        if (MaxLineSize is <= 0) throw At(config, "max_line_size", "max_line_size must be positive");
        if (PathTimezone is not null)
        {
            try { _pathZone = RubyTimeZone.Parse(PathTimezone); }
            catch (FormatException e) { throw At(config, "path_timezone", e.Message); }
        }
        if (FollowInodes && PosFile is null)
            throw new ConfigException("Can't follow inodes without pos_file configuration parameter", config);
        ConfigureEncodings(config);
        _parser = Context.CreateParser(ParseSection(config), "none");
        _emitter = new TailLineEmitter(_parser, PathKey, _fromEncoding, _toEncoding, EmitUnmatchedLines, Log);
    }

    private static ConfigException At(ConfigSection config, string key, string message) =>
        config.Find(key) is { } p ? new ConfigException(message, p) : new ConfigException(message, config);

    private void ConfigureEncodings(ConfigSection config)
    {
        System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Encoding? Lookup(string? name, string key)
        {
            if (name is null) return null;
            if (name.Equals("ASCII-8BIT", StringComparison.OrdinalIgnoreCase) || name.Equals("BINARY", StringComparison.OrdinalIgnoreCase))
                return null; // bytes as they are
            try { return System.Text.Encoding.GetEncoding(name, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback); }
            catch (ArgumentException) { throw At(config, key, $"unknown encoding name - {name}"); }
        }
        _toEncoding = Lookup(Encoding, "encoding");
        _fromEncoding = Lookup(FromEncoding, "from_encoding");
        if (FromEncoding is not null && Encoding is null)
            throw new ConfigException("tail: encoding parameter must be specified if from_encoding is specified", config);
        if (_fromEncoding is not null && _toEncoding is not null && _fromEncoding.CodePage == _toEncoding.CodePage && _toEncoding.CodePage == 65001)
            _fromEncoding = null; // UTF-8 to UTF-8: nothing to convert
    }

    // fluentd's compat_parameters: `format` and the parser's keys at the top level of the source (v0.12 configs).
    private static readonly string[] LegacyParserKeys =
    {
        "time_format", "time_key", "keep_time_key", "time_type", "localtime", "utc", "timezone", "types", "null_value_pattern",
        "null_empty_string", "estimate_current_event", "format_firstline", "message_key", "delimiter", "keys", "label_delimiter",
        "with_priority", "message_format", "rfc5424_time_format", "expression", "json_parser", "keep_keys",
    };

    private ConfigSection? ParseSection(ConfigSection config)
    {
        var sections = config.SectionsNamed("parse").ToList();
        if (sections.Count > 1) throw new ConfigException("<parse> may appear only once in a tail source", sections[1]);
        if (sections.Count == 1) return sections[0];
        if (Format is null)
            throw new ConfigException("tail: <parse> section is required", config);
        var legacy = new ConfigSection("parse", "", config.File, config.Line);
        var at = config.Find("format")!;
        if (Format.Length >= 2 && Format[0] == '/' && Format[^1] == '/')
        {
            legacy.Add(new ConfigParameter("@type", "regexp", at.File, at.Line));
            legacy.Add(new ConfigParameter("expression", Format, at.File, at.Line));
        }
        else legacy.Add(new ConfigParameter("@type", Format, at.File, at.Line));
        foreach (var p in config.Parameters)
        {
            if (!LegacyParserKeys.Contains(p.Key) && !System.Text.RegularExpressions.Regex.IsMatch(p.Key, @"^format\d+$")) continue;
            legacy.Add(p);
            config.UsedParameters.Add(p.Key);
        }
        return legacy;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (PosFile is not null)
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(PosFile));
            if (directory is not null) Directory.CreateDirectory(directory);
            _positions = new PositionFile(PosFile, FollowInodes, logger: Log);
            _positions.Load();
            _fingerprints = new FingerprintFile(_positions.FilePath);
        }
        var now = Environment.TickCount64;
        if (!SkipRefreshOnStartup) Refresh(startup: true);
        _started = true;
        _nextRefreshTicks = now + (long)(RefreshInterval * 1000);
        _nextTickTicks = now + 1000;
        if (PosFileCompactionInterval is { } c) _nextCompactionTicks = now + (long)(c * 1000);
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"tail {Id ?? Path}" };
        _reader.Start();
        return Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _wake.Set();
        var reader = _reader;
        if (reader is not null) await Task.Run(() => reader.Join(), cancellationToken);
        lock (_watchers)
        {
            foreach (var w in _watchers.Values) w.Dispose();
            _watchers.Clear();
        }
        // Whatever is held back is emitted now: an unterminated last line and an open multiline event.
        foreach (var follower in Followers)
            foreach (var file in follower.Files.ToList())
                TryFlushHeld(follower, file);
        _fingerprints?.SaveIfChanged();
    }

    public override Task ShutdownAsync(CancellationToken cancellationToken)
    {
        foreach (var follower in Followers)
            foreach (var file in follower.Files) file.Dispose();
        _positions?.Dispose();
        _positions = null;
        return Task.CompletedTask;
    }

    private void TryFlushHeld(PathFollower follower, TailedFile file)
    {
        if (file.CarryLength == 0 && file.PendingEvent is null) return;
        try
        {
            FlushHeld(follower, file);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("could not emit the held last line of {Path} at shutdown; it is read again at the next start: {Error}", file.Path, e.Message);
        }
    }

    // ---- the reader thread -------------------------------------------------------------------------------------

    private void ReadLoop()
    {
        while (!_stopping)
        {
            var timeout = NextWait();
            if (timeout > 0) _wake.Wait(timeout);
            _wake.Reset();
            if (_stopping) break;
            try
            {
                RunDueWork();
                List<PathFollower> work;
                lock (_dirtyLock)
                {
                    work = _dirty.ToList();
                    _dirty.Clear();
                }
                foreach (var follower in work)
                {
                    if (_stopping) break;
                    Process(follower);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never let one bad file stop the input: log, and try again on the next wake-up.
                Log.LogError(e, "tail reader error: {Error}", e.Message);
                Thread.Sleep(100);
            }
        }
    }

    private int NextWait()
    {
        lock (_dirtyLock) if (_dirty.Count > 0) return 0;
        var now = Environment.TickCount64;
        var next = _nextRefreshTicks;
        if (EnableWatchTimer) next = Math.Min(next, _nextTickTicks);
        if (_draining) next = Math.Min(next, now + 100);
        if (MultilineFlushInterval is { } m) next = Math.Min(next, now + (long)Math.Max(10, m * 1000 / 2));
        if (PosFileCompactionInterval is not null) next = Math.Min(next, _nextCompactionTicks);
        return (int)Math.Clamp(next - now, 0, 1000);
    }

    private bool _draining;

    private void RunDueWork()
    {
        var now = Environment.TickCount64;
        if (_refreshRequested || now >= _nextRefreshTicks)
        {
            _refreshRequested = false;
            _nextRefreshTicks = now + (long)(RefreshInterval * 1000);
            Refresh(startup: false);
        }
        var tick = EnableWatchTimer && now >= _nextTickTicks;
        if (tick) _nextTickTicks = now + 1000;
        _draining = false;
        foreach (var follower in Followers)
        {
            if (follower.Files.Count > 1 || follower.Current is null && follower.Files.Count > 0) { MarkDirty(follower); _draining = true; }
            else if (tick && LooksChanged(follower)) MarkDirty(follower);
            if (MultilineFlushInterval is { } m)
                foreach (var f in follower.Files)
                    if (f.PendingEvent is not null && (DateTimeOffset.UtcNow - f.PendingEventUpdatedAt).TotalSeconds >= m)
                        FlushPendingEvent(follower, f);
        }
        if (tick) _fingerprints?.SaveIfChanged();
        if (PosFileCompactionInterval is { } c && now >= _nextCompactionTicks)
        {
            _nextCompactionTicks = now + (long)(c * 1000);
            _positions?.Compact();
        }
    }

    // The watch timer's cheap check: one stat of the path; a full read round only when something moved.
    private static bool LooksChanged(PathFollower follower)
    {
        var current = follower.Current;
        FileStatus? status;
        try { status = FileStatus.Of(follower.Path); }
        catch (IOException) { return true; }
        if (current is null) return status is not null;
        return status is null || status.Value.Inode != current.Inode || status.Value.Size != current.ReadOffset;
    }

    private void MarkDirty(PathFollower follower)
    {
        lock (_dirtyLock) _dirty.Add(follower);
        _wake.Set();
    }

    private void Process(PathFollower follower)
    {
        if (Environment.TickCount64 < follower.RetryAfterTicks)
        {
            MarkDirtyLater(follower);
            return;
        }
        try
        {
            CheckPath(follower);
            for (var i = 0; i < follower.Files.Count; i++)
            {
                var file = follower.Files[i];
                var more = ReadFile(follower, file);
                if (more)
                {
                    MarkDirty(follower); // its turn is over; older files are finished first
                    return;
                }
                if (ShouldClose(follower, file))
                {
                    Close(follower, file);
                    i--;
                }
            }
            if (follower.Files.Count == 0 && follower.Removed) Forget(follower);
        }
        catch (EmitFailedException)
        {
            MarkDirtyLater(follower);
        }
        catch (UnauthorizedAccessException e)
        {
            ReportUnreadable(follower.Path, e);
        }
        catch (IOException e)
        {
            Log.LogWarning("{Path}: {Error}; trying again shortly", follower.Path, e.Message);
            follower.RetryAfterTicks = Environment.TickCount64 + 1000;
            MarkDirtyLater(follower);
        }
    }

    private void MarkDirtyLater(PathFollower follower)
    {
        var delay = Math.Max(10, follower.RetryAfterTicks - Environment.TickCount64);
        _ = Task.Delay(TimeSpan.FromMilliseconds(delay)).ContinueWith(_ => { if (!_stopping) MarkDirty(follower); }, TaskScheduler.Default);
    }

    private bool ShouldClose(PathFollower follower, TailedFile file)
    {
        if (!file.AtEof) return false;
        if (file.CloseAtEof) return true;
        if (file.RotatedAt is not { } rotatedAt) return false;
        // Not closed because the agent stops: its own pos entry keeps its offset, so the next start reads on from
        // there, including what the application still appends before it reopens.
        return (DateTimeOffset.UtcNow - rotatedAt).TotalSeconds >= RotateWait;
    }

    private sealed class EmitFailedException : Exception;
}
