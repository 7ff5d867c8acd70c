using System.Text.RegularExpressions;
using LogAgent.Core.Plugins.Filters;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Buffers;

/// <summary>
/// The chunk keys of a <c>&lt;buffer tag,time,key,$.a.b&gt;</c> section, and the metadata each event gets from them
/// (lib/fluent/plugin/output.rb: configure's chunk key parsing, metadata, calculate_timekey).
/// </summary>
public sealed partial class ChunkKeys
{
    private readonly (string Name, RecordAccessor Accessor)[] _recordKeys;

    private ChunkKeys(bool hasTag, bool hasTime, long timekey, RubyTimeZone zone, (string, RecordAccessor)[] recordKeys)
    {
        HasTag = hasTag;
        HasTime = hasTime;
        Timekey = timekey;
        Zone = zone;
        _recordKeys = recordKeys;
    }

    public bool HasTag { get; }
    public bool HasTime { get; }
    /// <summary>Seconds per time slice (0 without the time key).</summary>
    public long Timekey { get; }
    /// <summary>The zone of time slices and of %-placeholders (timekey_use_utc / timekey_zone; local by default).</summary>
    public RubyTimeZone Zone { get; }
    public IEnumerable<string> RecordKeyNames => _recordKeys.Select(k => k.Name);
    public bool HasRecordKeys => _recordKeys.Length > 0;

    /// <summary>Parses the section argument (or the plugin's default keys) and the time settings.</summary>
    public static ChunkKeys Parse(string argument, BufferConfig config, ConfigSection at)
    {
        bool tag = false, time = false;
        var recordKeys = new List<(string, RecordAccessor)>();
        foreach (var raw in argument.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "tag") tag = true;
            else if (raw == "time") time = true;
            else if (raw.StartsWith('$') || KeyName().IsMatch(raw))
            {
                try
                {
                    recordKeys.Add((raw, RecordAccessor.Parse(raw)));
                }
                catch (Exception e) when (e is FormatException or ArgumentException or ConfigException)
                {
                    throw new ConfigException($"invalid chunk key '{raw}': {e.Message}", at);
                }
            }
            else throw new ConfigException($"in chunk_keys: '{raw}' is not a valid chunk key (tag, time, a record key or $.record.accessor)", at);
        }
        long timekey = 0;
        if (time)
        {
            if (config.Timekey is not { } seconds)
                throw new ConfigException($"<buffer ...> argument includes 'time', but timekey is not configured", at);
            if (seconds < 1) throw new ConfigException("timekey must be at least 1 second", at);
            timekey = (long)seconds;
        }
        var zone = config.TimekeyUseUtc ? RubyTimeZone.Utc
            : config.TimekeyZone is { } z ? ParseZone(z, at)
            : RubyTimeZone.Local;
        return new ChunkKeys(tag, time, timekey, zone, recordKeys.ToArray());
    }

    private static RubyTimeZone ParseZone(string text, ConfigSection at)
    {
        try
        {
            return RubyTimeZone.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ConfigException($"invalid timekey_zone: {e.Message}", at);
        }
    }

    /// <summary>
    /// The start of the time slice holding <paramref name="time"/>: slices are aligned to the zone's midnight, so a
    /// 1d timekey in +09:00 starts at 00:00 +09:00 (output.rb calculate_timekey).
    /// </summary>
    public long TimekeyOf(EventTime time)
    {
        long t = time.Seconds;
        long offset = Zone.IsUtc ? 0 : (long)Zone.OffsetAt(DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime).TotalSeconds;
        long local = t + offset;
        return t - (((local % Timekey) + Timekey) % Timekey);
    }

    /// <summary>The metadata of one event. Record keys need the decoded record; pass null when there are none.</summary>
    public ChunkMetadata MetadataOf(string tag, EventTime time, Record? record)
    {
        Dictionary<string, string>? variables = null;
        if (_recordKeys.Length > 0)
        {
            variables = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, accessor) in _recordKeys)
            {
                object? value;
                try { value = accessor.Get(record!); }
                catch (RecordAccessException) { value = null; }
                variables[name] = value is null ? "" : RubyValueText.RubyToS(value);
            }
        }
        return new ChunkMetadata(HasTag ? tag : null, HasTime ? TimekeyOf(time) : null, variables);
    }

    [GeneratedRegex(@"^[-_.@a-zA-Z0-9]+$")]
    private static partial Regex KeyName();
}
