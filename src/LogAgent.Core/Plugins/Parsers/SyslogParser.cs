using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>syslog</c> parser (lib/fluent/plugin/parser_syslog.rb): RFC 3164 (<c>Feb 28 12:00:00 host
/// ident[pid]: message</c>), RFC 5424 (<c>&lt;16&gt;1 2017-02-06T13:14:15.003Z host ident pid msgid [sd] message</c>)
/// or either, told apart by the version digit after the priority (<c>message_format auto</c>). Fields: pri (an
/// integer, with with_priority), host, ident, pid, msgid and extradata (5424), message. The RFC 3164 time has no
/// year: the current one is taken, or last year's for a time more than a week ahead (see <see cref="RubyTimeFormat.TryParse"/>).
/// </summary>
[Plugin(PluginKind.Parser, "syslog", "Parses syslog messages (RFC 3164, RFC 5424 or both).")]
public sealed class SyslogParser : ParserPlugin
{
    // The expressions are fluentd's REGEXP, REGEXP_WITH_PRI and REGEXP_RFC5424 (with and without priority).
    private static readonly Regex Rfc3164 = RubyRegex.Compile(
        @"^(?<time>[^ ]*\s*[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[^ :\[]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$");
    private static readonly Regex Rfc3164WithPri = RubyRegex.Compile(
        @"^\<(?<pri>[0-9]+)\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[^ :\[]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$");
    private const string Rfc5424Body =
        @"(?<time>[^ ]+) (?<host>[!-~]{1,255}) (?<ident>[!-~]{1,48}) (?<pid>[!-~]{1,128}) (?<msgid>[!-~]{1,32}) (?<extradata>(?:\-|(?:\[.*?(?<!\\)\])+))(?: (?<message>.+))?";
    private static readonly Regex Rfc5424 = RubyRegex.Compile(@"\A" + Rfc5424Body + @"\z", RegexOptions.Singleline);
    private static readonly Regex Rfc5424WithPri = RubyRegex.Compile(@"\A<(?<pri>[0-9]{1,3})\>[1-9]\d{0,2} " + Rfc5424Body + @"\z", RegexOptions.Singleline);
    private static readonly Regex DetectRfc5424 = RubyRegex.Compile(@"^\<[0-9]{1,3}\>[1-9]\d{0,2}");
    private static readonly Dictionary<Regex, string[]> GroupNames =
        new[] { Rfc3164, Rfc3164WithPri, Rfc5424, Rfc5424WithPri }.ToDictionary(r => r, RubyRegex.NamedGroups);

    private EventTimeParser? _rfc3164Time;
    private EventTimeParser? _rfc5424Time;
    private EventTimeParser? _rfc5424TimeWithoutFraction;

    public SyslogParser()
    {
        TimeFormat = "%b %d %H:%M:%S";
    }

    [Parameter("with_priority", "The messages start with a priority, e.g. <9>.")]
    public bool WithPriority { get; set; }

    [Parameter("message_format", "rfc3164, rfc5424, or auto to tell them apart per message.",
        AllowedValues = new[] { "rfc3164", "rfc5424", "auto" })]
    public string MessageFormat { get; set; } = "rfc3164";

    [Parameter("rfc5424_time_format", "strptime format of RFC 5424 times.")]
    public string Rfc5424TimeFormat { get; set; } = "%Y-%m-%dT%H:%M:%S.%L%z";

    [Parameter("parser_type", "regexp (fluentd's expressions) or string (a faster hand-written RFC 3164 reader).",
        AllowedValues = new[] { "regexp", "string" })]
    public string ParserType { get; set; } = "regexp";

    [Parameter("support_colonless_ident", "With parser_type string: take the first word as ident even without a colon after it.")]
    public bool SupportColonlessIdent { get; set; } = true;

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        // parser_syslog.rb: rfc5424 alone uses rfc5424_time_format unless time_format was given explicitly.
        var rfc5424Format = MessageFormat == "rfc5424" && config.Has("time_format") ? TimeFormat : Rfc5424TimeFormat;
        _rfc3164Time = CreateTimeParser("string", TimeFormat);
        _rfc5424Time = CreateTimeParser("string", rfc5424Format);
        _rfc5424TimeWithoutFraction = CreateTimeParser("string", "%Y-%m-%dT%H:%M:%S%z");
    }

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        bool is5424 = MessageFormat switch
        {
            "rfc5424" => true,
            "auto" => DetectRfc5424.IsMatch(text),
            _ => false,
        };
        if (is5424)
            return TryParseRegex(text, WithPriority ? Rfc5424WithPri : Rfc5424, _rfc5424Time!, out time, out record);
        if (ParserType == "string")
            return TryParseRfc3164String(text, out time, out record);
        return TryParseRegex(text, WithPriority ? Rfc3164WithPri : Rfc3164, _rfc3164Time!, out time, out record);
    }

    private bool TryParseRegex(string text, Regex regex, EventTimeParser timeParser, out EventTime? time, out Record record)
    {
        time = null;
        record = new Record(8);
        var m = regex.Match(text);
        if (!m.Success) return false;
        foreach (var name in GroupNames[regex])
        {
            var g = m.Groups[name];
            if (!g.Success) continue;
            switch (name)
            {
                case "pri":
                    record["pri"] = RubyNumber.ParseIntegerPrefix(g.Value);
                    break;
                case "time":
                    {
                        var timeText = SqueezeSpaces(g.Value);
                        if (!timeParser.TryParseString(timeText, out var t))
                        {
                            // parse_plain: an RFC 5424 time may come without a fraction of a second.
                            if (timeParser == _rfc3164Time || !_rfc5424TimeWithoutFraction!.TryParseString(timeText, out t)) return false;
                        }
                        time = t;
                        if (KeepTimeKey) record["time"] = g.Value;
                        break;
                    }
                case "message":
                    record["message"] = Chomp(g.Value);
                    break;
                default:
                    record[name] = g.Value;
                    break;
            }
        }
        time ??= EstimateCurrentEvent ? Now() : null;
        ConvertValues(record);
        return true;
    }

    /// <summary>fluentd's parse_rfc3164: a hand-written reader that splits on spaces instead of matching the expression.</summary>
    private bool TryParseRfc3164String(string text, out EventTime? time, out Record record)
    {
        time = null;
        record = new Record(6);
        long? pri = null;
        int cursor = 0;
        if (WithPriority)
        {
            if (!text.StartsWith('<')) return false;
            int close = text.IndexOf('>', 1);
            if (close < 2) return false;
            pri = RubyNumber.ParseIntegerPrefix(text[1..close]);
            cursor = close + 1;
        }

        const int timeSize = 15; // "Mmm dd hh:mm:ss"
        string timeText;
        if (cursor + timeSize >= text.Length) return false;
        if (text[cursor + timeSize] == ' ')
        {
            timeText = text.Substring(cursor, timeSize);
            cursor += timeSize + 1;
        }
        else if (text[cursor + timeSize] == '.')
        {
            int space = text.IndexOf(' ', cursor + timeSize);
            if (space < 0) return false;
            timeText = text[cursor..space];
            cursor = space + 1;
        }
        else return false;

        int hostEnd = text.IndexOf(' ', cursor);
        if (hostEnd < 0) return false;
        record["host"] = text[cursor..hostEnd];
        if (pri is not null) record["pri"] = pri;
        cursor = hostEnd + 1;

        int i = text.IndexOf(' ', cursor);
        string message;
        if (i < 0) message = text[cursor..];
        else if (text[i - 1] == ':')
        {
            if (text[i - 2] == ']')
            {
                int bracket = text.IndexOf('[', cursor);
                if (bracket < 0 || bracket > i) return false;
                record["ident"] = text[cursor..bracket];
                record["pid"] = text[(bracket + 1)..(i - 2)];
            }
            else record["ident"] = text[cursor..(i - 1)];
            message = text[(i + 1)..];
        }
        else if (SupportColonlessIdent)
        {
            if (text[i - 1] == ']')
            {
                int bracket = text.IndexOf('[', cursor);
                if (bracket < 0 || bracket > i) return false;
                record["ident"] = text[cursor..bracket];
                record["pid"] = text[(bracket + 1)..(i - 1)];
            }
            else record["ident"] = text[cursor..i];
            message = text[(i + 1)..];
        }
        else message = text[cursor..];
        record["message"] = Chomp(message);

        if (!_rfc3164Time!.TryParseString(SqueezeSpaces(timeText), out var parsed)) return false;
        time = parsed;
        if (KeepTimeKey) record["time"] = timeText;
        ConvertValues(record);
        return true;
    }

    /// <summary>Ruby's String#squeeze(' '): "Feb  5" (the day padded with a space) becomes "Feb 5".</summary>
    private static string SqueezeSpaces(string s)
    {
        if (!s.Contains("  ", StringComparison.Ordinal)) return s;
        var sb = new System.Text.StringBuilder(s.Length);
        foreach (char c in s)
            if (c != ' ' || sb.Length == 0 || sb[^1] != ' ') sb.Append(c);
        return sb.ToString();
    }

    /// <summary>Ruby's String#chomp: one trailing \n, \r\n or \r.</summary>
    private static string Chomp(string s) =>
        s.EndsWith("\r\n", StringComparison.Ordinal) ? s[..^2] : s.EndsWith('\n') || s.EndsWith('\r') ? s[..^1] : s;
}
