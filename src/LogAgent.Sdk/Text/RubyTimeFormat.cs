using System.Globalization;
using System.Text;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Text;

/// <summary>
/// A Ruby <c>strftime</c>/<c>strptime</c> format (the <c>time_format</c> fluentd users write), compiled once into
/// tokens so formatting and parsing a time on the hot path is a walk over an array, not a re-read of the pattern.
/// Directives follow Ruby's Time#strftime and Date._strptime: %Y %C %y %m %B %b %h %d %e %j %H %k %I %l %M %S
/// %L %N (%3N, %6N, %9N) %z %:z %::z %Z %A %a %u %w %p %P %s %Q %U %W %G %g %V %F %T %D %R %r %c %x %X %v %n %t %%,
/// with the flags <c>-</c> (no padding), <c>_</c> (spaces), <c>0</c> (zeros), <c>^</c> and <c>#</c> (upper case)
/// and a field width.
/// </summary>
public sealed class RubyTimeFormat
{
    private static readonly string[] MonthNames = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames[..12];
    private static readonly string[] MonthAbbreviations = CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedMonthNames[..12];
    private static readonly string[] DayNames = CultureInfo.InvariantCulture.DateTimeFormat.DayNames;
    private static readonly string[] DayAbbreviations = CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedDayNames;

    private readonly Token[] _tokens;

    private RubyTimeFormat(string pattern, Token[] tokens)
    {
        Pattern = pattern;
        _tokens = tokens;
        foreach (var t in tokens)
        {
            if (t.Directive is 'z' or 'Z' or 's' or 'Q') HasZone = true;
            if (t.Directive is 'L' or 'N') HasSubseconds = true;
        }
    }

    public string Pattern { get; }

    /// <summary>True when the text carries its own offset or an epoch (%z, %Z, %s, %Q), so the configured zone does not apply.</summary>
    public bool HasZone { get; }

    /// <summary>True when the format reads or writes fractions of a second (%L, %N).</summary>
    public bool HasSubseconds { get; }

    public static RubyTimeFormat Compile(string pattern) => new(pattern, Tokenize(pattern).ToArray());

    public override string ToString() => Pattern;

    // ---------------------------------------------------------------- compile

    private readonly record struct Token(char Directive, string? Literal, char Flag, int Width, int Colons)
    {
        public bool IsLiteral => Directive == '\0';
        public bool IsNumeric => Directive is 'Y' or 'C' or 'y' or 'm' or 'd' or 'e' or 'j' or 'H' or 'k' or 'I' or 'l'
            or 'M' or 'S' or 'L' or 'N' or 's' or 'Q' or 'u' or 'w' or 'U' or 'W' or 'G' or 'g' or 'V';
    }

    private static List<Token> Tokenize(string pattern)
    {
        var tokens = new List<Token>();
        var literal = new StringBuilder();
        void FlushLiteral()
        {
            if (literal.Length == 0) return;
            tokens.Add(new Token('\0', literal.ToString(), '\0', 0, 0));
            literal.Clear();
        }

        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            if (c != '%' || i + 1 >= pattern.Length)
            {
                literal.Append(c);
                i++;
                continue;
            }
            int start = i++;
            char flag = '\0';
            while (i < pattern.Length && pattern[i] is '-' or '_' or '0' or '^' or '#')
                flag = pattern[i++];
            int width = 0;
            while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
                width = width * 10 + (pattern[i++] - '0');
            int colons = 0;
            while (i < pattern.Length && pattern[i] == ':')
            {
                colons++;
                i++;
            }
            if (i >= pattern.Length)
            {
                literal.Append(pattern, start, i - start);
                break;
            }
            char directive = pattern[i++];
            string? expansion = directive switch
            {
                'F' => "%Y-%m-%d",
                'T' => "%H:%M:%S",
                'D' or 'x' => "%m/%d/%y",
                'R' => "%H:%M",
                'r' => "%I:%M:%S %p",
                'c' => "%a %b %e %H:%M:%S %Y",
                'X' => "%H:%M:%S",
                'v' => "%e-%^b-%Y",
                '+' => "%a %b %e %H:%M:%S %Z %Y",
                _ => null,
            };
            if (expansion is not null)
            {
                FlushLiteral();
                tokens.AddRange(Tokenize(expansion));
                continue;
            }
            switch (directive)
            {
                case '%': literal.Append('%'); continue;
                case 'n': literal.Append('\n'); continue;
                case 't': literal.Append('\t'); continue;
            }
            if ("YCymBbhdejHkIlMSLNzZAaupPswQUWGgV".Contains(directive) && (colons == 0 || directive == 'z'))
            {
                FlushLiteral();
                tokens.Add(new Token(directive, null, flag, width, colons));
            }
            else
            {
                // Ruby prints an unknown directive as written.
                literal.Append(pattern, start, i - start);
            }
        }
        FlushLiteral();
        return tokens;
    }

    // ---------------------------------------------------------------- format (strftime)

    public string Format(EventTime time, RubyTimeZone zone)
    {
        var sb = new StringBuilder(Pattern.Length + 16);
        Format(time, zone, sb);
        return sb.ToString();
    }

    public void Format(EventTime time, RubyTimeZone zone, StringBuilder sb)
    {
        var utc = DateTime.UnixEpoch.AddSeconds(time.Seconds);
        var offset = zone.OffsetAt(utc);
        var wall = utc + offset;
        foreach (var t in _tokens)
        {
            if (t.IsLiteral)
            {
                sb.Append(t.Literal);
                continue;
            }
            switch (t.Directive)
            {
                case 'Y': Number(sb, wall.Year, 4, t); break;
                case 'C': Number(sb, wall.Year / 100, 2, t); break;
                case 'y': Number(sb, wall.Year % 100, 2, t); break;
                case 'm': Number(sb, wall.Month, 2, t); break;
                case 'B': Text(sb, MonthNames[wall.Month - 1], t); break;
                case 'b' or 'h': Text(sb, MonthAbbreviations[wall.Month - 1], t); break;
                case 'd': Number(sb, wall.Day, 2, t); break;
                case 'e': Number(sb, wall.Day, 2, t, space: true); break;
                case 'j': Number(sb, wall.DayOfYear, 3, t); break;
                case 'H': Number(sb, wall.Hour, 2, t); break;
                case 'k': Number(sb, wall.Hour, 2, t, space: true); break;
                case 'I': Number(sb, Hour12(wall.Hour), 2, t); break;
                case 'l': Number(sb, Hour12(wall.Hour), 2, t, space: true); break;
                case 'M': Number(sb, wall.Minute, 2, t); break;
                case 'S': Number(sb, wall.Second, 2, t); break;
                case 'L': Fraction(sb, time.Nanoseconds, t.Width == 0 ? 3 : t.Width); break;
                case 'N': Fraction(sb, time.Nanoseconds, t.Width == 0 ? 9 : t.Width); break;
                case 'z': Offset(sb, offset, t); break;
                case 'Z': Text(sb, zone.Abbreviation(utc), t); break;
                case 'A': Text(sb, DayNames[(int)wall.DayOfWeek], t); break;
                case 'a': Text(sb, DayAbbreviations[(int)wall.DayOfWeek], t); break;
                case 'u': Number(sb, wall.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)wall.DayOfWeek, 1, t); break;
                case 'w': Number(sb, (int)wall.DayOfWeek, 1, t); break;
                // Ruby's '#' flag swaps case, which for %p means lower case.
                case 'p' when t.Flag == '#': Text(sb, wall.Hour < 12 ? "am" : "pm", t with { Flag = '\0' }); break;
                case 'p': Text(sb, wall.Hour < 12 ? "AM" : "PM", t); break;
                case 'P': Text(sb, wall.Hour < 12 ? "am" : "pm", t); break;
                case 's': Number(sb, time.Seconds, 1, t); break;
                case 'Q': Number(sb, time.Seconds * 1000L + time.Nanoseconds / 1_000_000, 1, t); break;
                case 'U': Number(sb, (wall.DayOfYear - 1 + 7 - (int)wall.DayOfWeek) / 7, 2, t); break;
                case 'W': Number(sb, (wall.DayOfYear - 1 + 7 - ((int)wall.DayOfWeek + 6) % 7) / 7, 2, t); break;
                case 'G': Number(sb, ISOWeek.GetYear(wall), 4, t); break;
                case 'g': Number(sb, ISOWeek.GetYear(wall) % 100, 2, t); break;
                case 'V': Number(sb, ISOWeek.GetWeekOfYear(wall), 2, t); break;
            }
        }
    }

    private static int Hour12(int hour) => hour % 12 == 0 ? 12 : hour % 12;

    private static void Number(StringBuilder sb, long value, int defaultWidth, Token t, bool space = false)
    {
        int width = t.Width > 0 ? t.Width : defaultWidth;
        char pad = t.Flag switch { '_' => ' ', '0' => '0', _ => space ? ' ' : '0' };
        if (t.Flag == '-') width = 0;
        if (value < 0)
        {
            sb.Append('-');
            value = -value;
            width--;
        }
        var digits = value.ToString(CultureInfo.InvariantCulture);
        if (digits.Length < width) sb.Append(pad, width - digits.Length);
        sb.Append(digits);
    }

    private static void Text(StringBuilder sb, string text, Token t)
    {
        var s = t.Flag is '^' or '#' ? text.ToUpperInvariant() : text;
        if (t.Width > s.Length) sb.Append(t.Flag == '0' ? '0' : ' ', t.Width - s.Length);
        sb.Append(s);
    }

    /// <summary>Fractions are truncated, never rounded, as Ruby does: 0.9999 with %L is 999.</summary>
    private static void Fraction(StringBuilder sb, uint nanoseconds, int digits)
    {
        var nine = nanoseconds.ToString("000000000", CultureInfo.InvariantCulture);
        if (digits <= 9) sb.Append(nine, 0, digits);
        else sb.Append(nine).Append('0', digits - 9);
    }

    private static void Offset(StringBuilder sb, TimeSpan offset, Token t)
    {
        sb.Append(offset < TimeSpan.Zero ? '-' : '+');
        var abs = offset.Duration();
        sb.Append(abs.Hours.ToString("00", CultureInfo.InvariantCulture));
        if (t.Colons >= 1) sb.Append(':');
        sb.Append(abs.Minutes.ToString("00", CultureInfo.InvariantCulture));
        if (t.Colons >= 2) sb.Append(':').Append(abs.Seconds.ToString("00", CultureInfo.InvariantCulture));
    }

    // ---------------------------------------------------------------- parse (strptime)

    /// <summary>
    /// Reads a time written in this format. A time without an offset in the text is wall-clock time in
    /// <paramref name="zone"/>. Fields the format leaves out are taken from <paramref name="now"/> up to the first
    /// field present, as Ruby's Time.strptime does (so <c>%H:%M</c> is today); the year is the current one, or the
    /// previous one when that would put the time more than a week in the future (a December syslog line read in
    /// January). Returns false when the text does not match, a field is out of range, or text is left over.
    /// </summary>
    public bool TryParse(ReadOnlySpan<char> text, RubyTimeZone zone, DateTimeOffset now, out EventTime time)
    {
        time = default;
        var f = new Fields();
        int pos = 0;
        for (int ti = 0; ti < _tokens.Length; ti++)
        {
            var t = _tokens[ti];
            if (t.IsLiteral)
            {
                foreach (char c in t.Literal!)
                {
                    if (char.IsWhiteSpace(c))
                    {
                        // A space in a strptime format matches any run of white space, including none.
                        while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
                    }
                    else if (pos < text.Length && text[pos] == c) pos++;
                    else return false;
                }
                continue;
            }
            bool nextIsNumeric = ti + 1 < _tokens.Length &&
                (_tokens[ti + 1].IsNumeric || (_tokens[ti + 1].IsLiteral && char.IsAsciiDigit(_tokens[ti + 1].Literal![0])));
            if (!ParseDirective(text, ref pos, t, nextIsNumeric, ref f)) return false;
        }
        while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        if (pos != text.Length) return false;
        return f.TryBuild(zone, now, out time);
    }

    private static bool ParseDirective(ReadOnlySpan<char> s, ref int pos, Token t, bool nextIsNumeric, ref Fields f)
    {
        long n;
        switch (t.Directive)
        {
            case 'Y':
                {
                    int sign = 1;
                    if (pos < s.Length && s[pos] is '+' or '-') sign = s[pos++] == '-' ? -1 : 1;
                    if (!ReadDigits(s, ref pos, t.Width > 0 ? t.Width : nextIsNumeric ? 4 : 9, out n)) return false;
                    f.Year = (int)(sign * n);
                    return true;
                }
            case 'C':
                if (!ReadDigits(s, ref pos, t.Width > 0 ? t.Width : 2, out n)) return false;
                f.Century = (int)n;
                return true;
            case 'y':
                if (!ReadDigits(s, ref pos, t.Width > 0 ? t.Width : 2, out n) || n > 99) return false;
                f.TwoDigitYear = (int)n;
                return true;
            case 'm':
                if (!ReadDigits(s, ref pos, 2, out n) || n is < 1 or > 12) return false;
                f.Month = (int)n;
                return true;
            case 'd' or 'e':
                SkipOneSpace(s, ref pos);
                if (!ReadDigits(s, ref pos, 2, out n) || n is < 1 or > 31) return false;
                f.Day = (int)n;
                return true;
            case 'j':
                if (!ReadDigits(s, ref pos, 3, out n) || n is < 1 or > 366) return false;
                f.DayOfYear = (int)n;
                return true;
            case 'H' or 'k':
                SkipOneSpace(s, ref pos);
                if (!ReadDigits(s, ref pos, 2, out n) || n > 24) return false;
                f.Hour = (int)n;
                return true;
            case 'I' or 'l':
                SkipOneSpace(s, ref pos);
                if (!ReadDigits(s, ref pos, 2, out n) || n is < 1 or > 12) return false;
                f.Hour = (int)n;
                f.Hour12 = true;
                return true;
            case 'M':
                if (!ReadDigits(s, ref pos, 2, out n) || n > 59) return false;
                f.Minute = (int)n;
                return true;
            case 'S':
                if (!ReadDigits(s, ref pos, 2, out n) || n > 60) return false;
                f.Second = (int)n;
                return true;
            case 'L' or 'N':
                {
                    // Ruby reads every digit here and takes them as a fraction: "620412" is 0.620412 s.
                    int start = pos;
                    int max = t.Width > 0 ? t.Width : int.MaxValue;
                    long nanos = 0;
                    int count = 0;
                    while (pos < s.Length && char.IsAsciiDigit(s[pos]) && count < max)
                    {
                        if (count < 9) nanos = nanos * 10 + (s[pos] - '0');
                        count++;
                        pos++;
                    }
                    if (pos == start) return false;
                    for (int k = count; k < 9; k++) nanos *= 10;
                    f.Nanoseconds = nanos;
                    return true;
                }
            case 'z' or 'Z':
                {
                    if (!TryReadOffset(s, ref pos, out var offset)) return false;
                    f.Offset = offset;
                    return true;
                }
            case 'B' or 'b' or 'h':
                {
                    int month = MatchName(s, ref pos, MonthNames, MonthAbbreviations);
                    if (month < 0) return false;
                    f.Month = month + 1;
                    return true;
                }
            case 'A' or 'a':
                return MatchName(s, ref pos, DayNames, DayAbbreviations) >= 0;
            case 'u' or 'w':
                return ReadDigits(s, ref pos, 1, out _);
            case 'U' or 'W' or 'V':
                return ReadDigits(s, ref pos, 2, out _);
            case 'G':
                return ReadDigits(s, ref pos, nextIsNumeric ? 4 : 9, out _);
            case 'g':
                return ReadDigits(s, ref pos, 2, out _);
            case 'p' or 'P':
                {
                    var rest = s[pos..];
                    foreach (var (word, pm) in AmPm)
                    {
                        if (rest.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                        {
                            pos += word.Length;
                            f.Pm = pm;
                            return true;
                        }
                    }
                    return false;
                }
            case 's' or 'Q':
                {
                    bool negative = pos < s.Length && s[pos] == '-';
                    if (negative) pos++;
                    if (!ReadDigits(s, ref pos, 19, out n)) return false;
                    if (negative) n = -n;
                    if (t.Directive == 's') f.Epoch = (n, 0);
                    else f.Epoch = (Math.DivRem(n, 1000, out long ms), ms * 1_000_000);
                    return true;
                }
        }
        return false;
    }

    private static readonly (string Word, bool Pm)[] AmPm = { ("A.M.", false), ("P.M.", true), ("AM", false), ("PM", true) };

    private static void SkipOneSpace(ReadOnlySpan<char> s, ref int pos)
    {
        // Ruby's %d, %e, %H, %k, %I and %l accept a leading blank: "Feb  5" with "%b %e" or "%b %d".
        if (pos < s.Length && s[pos] == ' ') pos++;
    }

    private static bool ReadDigits(ReadOnlySpan<char> s, ref int pos, int max, out long value)
    {
        value = 0;
        int start = pos;
        while (pos < s.Length && pos - start < max && char.IsAsciiDigit(s[pos]))
            value = value * 10 + (s[pos++] - '0');
        return pos > start;
    }

    private static int MatchName(ReadOnlySpan<char> s, ref int pos, string[] full, string[] abbreviations)
    {
        var rest = s[pos..];
        for (int i = 0; i < full.Length; i++)
        {
            if (rest.StartsWith(full[i], StringComparison.OrdinalIgnoreCase))
            {
                pos += full[i].Length;
                return i;
            }
        }
        for (int i = 0; i < abbreviations.Length; i++)
        {
            if (rest.StartsWith(abbreviations[i], StringComparison.OrdinalIgnoreCase))
            {
                pos += abbreviations[i].Length;
                return i;
            }
        }
        return -1;
    }

    /// <summary>Zone abbreviations Ruby's Date._strptime knows and logs commonly carry.</summary>
    private static readonly (string Name, int Hours)[] ZoneAbbreviations =
    {
        ("UTC", 0), ("GMT", 0), ("UT", 0), ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5), ("MST", -7), ("MDT", -6),
        ("PST", -8), ("PDT", -7), ("JST", 9), ("KST", 9), ("CET", 1), ("CEST", 2), ("EET", 2), ("EEST", 3), ("BST", 1),
        ("IST", 5), ("Z", 0),
    };

    /// <summary>Reads <c>+0900</c>, <c>+09:00</c>, <c>+09</c>, <c>-09:30:00</c>, <c>Z</c>, <c>UTC</c>, <c>GMT+9</c> or a known abbreviation.</summary>
    internal static bool TryReadOffset(ReadOnlySpan<char> s, ref int pos, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (pos >= s.Length) return false;
        if (s[pos] is '+' or '-') return TryReadNumericOffset(s, ref pos, out offset);
        int start = pos;
        while (pos < s.Length && char.IsAsciiLetter(s[pos])) pos++;
        var word = s[start..pos];
        foreach (var (name, hours) in ZoneAbbreviations)
        {
            if (!word.Equals(name, StringComparison.OrdinalIgnoreCase)) continue;
            offset = TimeSpan.FromHours(hours);
            // "GMT+9", "UTC-03:00"
            if (hours == 0 && pos < s.Length && s[pos] is '+' or '-')
            {
                int save = pos;
                if (!TryReadNumericOffset(s, ref pos, out offset)) pos = save;
            }
            return true;
        }
        pos = start;
        return false;
    }

    private static bool TryReadNumericOffset(ReadOnlySpan<char> s, ref int pos, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        int sign = s[pos] == '-' ? -1 : 1;
        int p = pos + 1;
        int start = p;
        while (p < s.Length && char.IsAsciiDigit(s[p]) && p - start < 2) p++;
        if (p == start) return false;
        int hours = int.Parse(s[start..p], CultureInfo.InvariantCulture);
        int minutes = 0, seconds = 0;
        bool colon = p < s.Length && s[p] == ':';
        int q = colon ? p + 1 : p;
        if (p - start == 2 && q + 1 < s.Length && char.IsAsciiDigit(s[q]) && char.IsAsciiDigit(s[q + 1]))
        {
            minutes = (s[q] - '0') * 10 + (s[q + 1] - '0');
            p = q + 2;
            int r = colon && p < s.Length && s[p] == ':' ? p + 1 : (!colon ? p : -1);
            if (r > 0 && r + 1 < s.Length && char.IsAsciiDigit(s[r]) && char.IsAsciiDigit(s[r + 1]))
            {
                seconds = (s[r] - '0') * 10 + (s[r + 1] - '0');
                p = r + 2;
            }
        }
        if (hours > 23 || minutes > 59 || seconds > 59) return false;
        offset = sign * new TimeSpan(hours, minutes, seconds);
        pos = p;
        return true;
    }

    /// <summary>The fields one strptime run found; absent ones are null.</summary>
    private struct Fields
    {
        public int? Year, Century, TwoDigitYear, Month, Day, DayOfYear, Hour, Minute, Second;
        public long? Nanoseconds;
        public bool Hour12;
        public bool? Pm;
        public TimeSpan? Offset;
        public (long Seconds, long Nanoseconds)? Epoch;

        public readonly bool TryBuild(RubyTimeZone zone, DateTimeOffset now, out EventTime time)
        {
            time = default;
            if (Epoch is { } epoch)
            {
                long total = epoch.Nanoseconds + (Nanoseconds ?? 0);
                return TryMake(epoch.Seconds + total / 1_000_000_000, total % 1_000_000_000, out time);
            }

            int? year = Year;
            if (year is null && TwoDigitYear is { } yy)
                year = Century is { } c ? c * 100 + yy : yy < 69 ? 2000 + yy : 1900 + yy;
            else if (year is null && Century is { } cc)
                year = cc * 100;
            int? hour = Hour;
            if (hour is { } h && Hour12) hour = h % 12 + (Pm == true ? 12 : 0);
            else if (hour is { } h24 && Pm == true && h24 < 12) hour = h24 + 12;

            // Ruby's Time.strptime takes leading absent fields from the current time, in the offset that applies.
            var offsetNow = Offset ?? zone.OffsetAt(now.UtcDateTime);
            var wallNow = now.UtcDateTime + offsetNow;
            bool yearFromNow = false;
            int? month = Month, day = Day, minute = Minute, second = Second;
            long? nanos = Nanoseconds;
            if (year is null)
            {
                year = wallNow.Year;
                yearFromNow = true;
                if (month is null && DayOfYear is null)
                {
                    month = wallNow.Month;
                    if (day is null)
                    {
                        day = wallNow.Day;
                        if (hour is null)
                        {
                            hour = wallNow.Hour;
                            if (minute is null)
                            {
                                minute = wallNow.Minute;
                                if (second is null)
                                {
                                    second = wallNow.Second;
                                    nanos ??= wallNow.Ticks % TimeSpan.TicksPerSecond * 100;
                                }
                            }
                        }
                    }
                }
            }

            DateTime date;
            try
            {
                if (DayOfYear is { } yday && Month is null)
                    date = new DateTime(year.Value, 1, 1).AddDays(yday - 1);
                else
                    date = new DateTime(year.Value, month ?? 1, day ?? 1);
            }
            catch (ArgumentOutOfRangeException)
            {
                return false;
            }
            // Hour 24 and second 60 roll over, as in Ruby.
            var wall = date.AddSeconds((hour ?? 0) * 3600 + (minute ?? 0) * 60 + (second ?? 0));
            if (yearFromNow && Month is not null && wall - wallNow > TimeSpan.FromDays(7))
                wall = wall.AddYears(-1);

            var offset = Offset ?? zone.OffsetForWallClock(wall);
            var utc = wall - offset;
            return TryMake((utc - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond, nanos ?? 0, out time);
        }

        private static bool TryMake(long seconds, long nanoseconds, out EventTime time)
        {
            time = default;
            if (seconds is < 0 or > uint.MaxValue) return false;
            time = new EventTime((uint)seconds, (uint)nanoseconds);
            return true;
        }
    }
}
