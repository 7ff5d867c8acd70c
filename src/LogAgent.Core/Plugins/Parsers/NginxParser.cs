using System.Numerics;
using System.Text;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>nginx</c> parser (lib/fluent/plugin/parser_nginx.rb): nginx's default <c>combined</c> access log,
/// optionally followed by <c>$http_x_forwarded_for</c> (quoted or not). All values stay strings, <c>-</c> included.
/// With the default expression, lines of the usual shape are split by hand into exactly the captures the expression
/// would give (about a third of the regex's cost); any other line goes to the regex, so results never differ.
/// </summary>
[Plugin(PluginKind.Parser, "nginx", "Parses nginx's default access log format.")]
public sealed class NginxParser : RegexpParser, IEntryWritingParser
{
    public const string DefaultExpression =
        @"/^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] ""(?<method>\S+)(?: +(?<path>[^\""]*?)(?: +\S*)?)?"" (?<code>[^ ]*) (?<size>[^ ]*)(?: ""(?<referer>[^\""]*)"" ""(?<agent>[^\""]*)""(?:\s+\""?(?<http_x_forwarded_for>[^\""]*)\""?)?)?$/";

    public const string DefaultTimeFormat = "%d/%b/%Y:%H:%M:%S %z";

    // The default expression's groups in order; DefaultFields.Match fills one range per group.
    private static readonly string[] DefaultGroups =
        ["remote", "host", "user", "time", "method", "path", "code", "size", "referer", "agent", "http_x_forwarded_for"];

    // Each group's name as msgpack, written before its value by TryWriteEntry.
    private static readonly byte[][] DefaultGroupKeys = DefaultGroups.Select(g => MessagePackSerializer.Serialize(g)).ToArray();
    private const int TimeGroup = 3;

    private bool _splitByHand;
    private bool _writeEntries;

    public NginxParser()
    {
        Expression = DefaultExpression;
        TimeFormat = DefaultTimeFormat;
    }

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        _splitByHand = Expression == DefaultExpression && GroupNames.SequenceEqual(DefaultGroups);
        // Entries are written directly only where the record is exactly the captures less the time, and the time a
        // string of time_format: the options that change values, keep the time field or read the time otherwise take
        // the general path.
        _writeEntries = _splitByHand && TimeType == "string" && TimeKey == "time" && !KeepTimeKey && Types.Count == 0 && NullValuePattern is null && !NullEmptyString;
    }

    /// <summary>
    /// The default expression's fields, split by hand from the line's bytes, written as an entry: the time parsed from
    /// its field, then the other captures in the expression's order (what <see cref="TryParse"/>'s record holds once
    /// the time is taken), each value copied as it is, without a string in between. ASCII lines only: over those a
    /// byte is the char the expression sees, so the split is the same; others take the record path.
    /// </summary>
    public bool TryWriteEntry(ReadOnlySpan<byte> line, ref MessagePackWriter writer)
    {
        if (!_writeEntries || !Ascii.IsValid(line)) return false;
        Span<Range> fields = stackalloc Range[DefaultGroups.Length];
        if (!DefaultFields.Match(line, fields)) return false;
        var timeBytes = line[fields[TimeGroup]];
        if (timeBytes.Length > 64) return false;
        Span<char> timeText = stackalloc char[timeBytes.Length];
        Ascii.ToUtf16(timeBytes, timeText, out _);
        if (!TimeParser.TryParseString(timeText, out var time)) return false;
        int count = 0;
        for (int i = 0; i < fields.Length; i++)
            if (i != TimeGroup && !fields[i].Equals(DefaultFields.Absent)) count++;
        writer.WriteArrayHeader(2);
        time.WriteTo(ref writer);
        writer.WriteMapHeader(count);
        for (int i = 0; i < fields.Length; i++)
        {
            if (i == TimeGroup || fields[i].Equals(DefaultFields.Absent)) continue;
            writer.WriteRaw(DefaultGroupKeys[i]);
            writer.WriteString(line[fields[i]]);
        }
        return true;
    }

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        Span<Range> fields = stackalloc Range[DefaultGroups.Length];
        if (!_splitByHand || !DefaultFields.Match(text, fields)) return base.TryParse(text, out time, out record);
        record = new Record(DefaultGroups.Length);
        for (int i = 0; i < DefaultGroups.Length; i++)
            if (!fields[i].Equals(DefaultFields.Absent)) record[DefaultGroups[i]] = text[fields[i]];
        return TryFinish(record, out time);
    }

    /// <summary>
    /// The default expression worked out by hand for the lines it is sure about. Where the regex has no choice to
    /// make (a <c>[^ ]*</c> followed by a space, a <c>[^"]*</c> followed by a quote) this takes the same text; where it
    /// has one (the request's lazy path, the optional tails) this takes the first alternative the regex's
    /// backtracking order would accept. Anything it is not sure about — a newline, a quote in or right after the
    /// method, a tab after it, a line the regex may reject — returns false, and the caller asks the regex.
    /// </summary>
    internal static class DefaultFields
    {
        public static readonly Range Absent = new(Index.End, Index.End); // never a capture: those are start-based

        public static bool Match(string text, Span<Range> fields) => Match(text.AsSpan(), fields);

        /// <summary>The same over text as UTF-16 chars or as ASCII bytes (a byte's whitespace is the char's).</summary>
        public static bool Match<T>(ReadOnlySpan<T> s, Span<Range> fields) where T : unmanaged, IBinaryInteger<T>
        {
            T space = T.CreateTruncating(' '), quote = T.CreateTruncating('"');
            // `$` under Ruby's (multiline) anchors also matches before a newline: leave such text to the regex.
            if (s.Contains(T.CreateTruncating('\n'))) return false;
            int p = 0;
            // remote, host, user: `[^ ]*` then a space — the text up to the next space.
            for (int f = 0; f < 3; f++)
                if (!TakeUntil(s, ref p, space, out fields[f])) return false;
            // \[time\] "
            if (!Skip(s, ref p, "[") || !TakeUntil(s, ref p, T.CreateTruncating(']'), out fields[3]) || !Skip(s, ref p, " \"")) return false;
            // method: `\S+`, greedy. Stopped by a space, with no quote in it, nothing shorter can match (what follows
            // must be ` ` or `"`). A quote right after it (nginx's `"-"` for an empty request) is left to the regex: `\S+`
            // would take the quote too and may find a match further on.
            int m = p;
            while (m < s.Length && s[m] != quote && !IsWhiteSpace(s[m])) m++;
            if (m == p || m >= s.Length || s[m] != space) return false;
            fields[4] = new Range(p, m);
            // ` +` takes every space; the path (`[^"]*?`) cannot pass the next quote. The lazy path is the shortest
            // prefix whose rest is empty or ` +\S*`: it ends where the run of spaces before the last whitespace begins,
            // when that whitespace is a space, else at the quote. That quote closes the request when a space follows
            // it (checked below); otherwise `\S*` could run past it, and the regex decides.
            int start = m;
            while (start < s.Length && s[start] == space) start++;
            int rel = s[start..].IndexOf(quote);
            if (rel < 0) return false;
            int closing = start + rel;
            int end = closing;
            int w = closing - 1;
            while (w >= start && !IsWhiteSpace(s[w])) w--;
            if (w >= start && s[w] == space)
            {
                end = w;
                while (end - 1 >= start && s[end - 1] == space) end--;
            }
            fields[5] = new Range(start, end);
            // " code size: each up to the next space; size may end the line.
            p = closing + 1;
            if (!Skip(s, ref p, " ") || !TakeUntil(s, ref p, space, out fields[6])) return false;
            int sizeEnd = s[p..].IndexOf(space);
            if (sizeEnd < 0)
            {
                fields[7] = new Range(p, s.Length);
                fields[8] = fields[9] = fields[10] = Absent;
                return true;
            }
            fields[7] = new Range(p, p + sizeEnd);
            p += sizeEnd;
            // "referer" "agent"
            if (!Skip(s, ref p, " \"") || !TakeUntil(s, ref p, quote, out fields[8]) ||
                !Skip(s, ref p, " \"") || !TakeUntil(s, ref p, quote, out fields[9])) return false;
            if (p == s.Length)
            {
                fields[10] = Absent;
                return true;
            }
            // `\s+"?([^"]*)"?$`: whitespace, then a quoted or bare value to the end of the line.
            if (!IsWhiteSpace(s[p])) return false;
            while (p < s.Length && IsWhiteSpace(s[p])) p++;
            if (p < s.Length && s[p] == quote)
            {
                p++;
                int xffEnd = s[p..].IndexOf(quote);
                if (xffEnd < 0) xffEnd = s.Length - p;
                else if (p + xffEnd != s.Length - 1) return false;
                fields[10] = new Range(p, p + xffEnd);
                return true;
            }
            if (s[p..].Contains(quote)) return false;
            fields[10] = new Range(p, s.Length);
            return true;
        }

        // .NET's \s and char.IsWhiteSpace agree; over ASCII bytes a byte is the char of the same code.
        private static bool IsWhiteSpace<T>(T c) where T : unmanaged, IBinaryInteger<T> => char.IsWhiteSpace((char)ushort.CreateTruncating(c));

        // The text from p to the next `stop` (a `[^stop]*` followed by `stop`), and p moved past the stop.
        private static bool TakeUntil<T>(ReadOnlySpan<T> s, ref int p, T stop, out Range field) where T : unmanaged, IBinaryInteger<T>
        {
            int length = s[p..].IndexOf(stop);
            field = length < 0 ? Absent : new Range(p, p + length);
            if (length < 0) return false;
            p += length + 1;
            return true;
        }

        // The (ASCII) literal text at p, and p moved past it.
        private static bool Skip<T>(ReadOnlySpan<T> s, ref int p, string literal) where T : unmanaged, IBinaryInteger<T>
        {
            if (s.Length - p < literal.Length) return false;
            for (int i = 0; i < literal.Length; i++)
                if (s[p + i] != T.CreateTruncating(literal[i])) return false;
            p += literal.Length;
            return true;
        }
    }
}
