using System.Collections;
using System.Globalization;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Text;

/// <summary>
/// A record value as text, as Ruby's <c>to_s</c> gives it to fluentd's text formatters (ltsv, csv, tsv,
/// single_value) and to <c>types ...:string</c>: nil is empty, floats as Ruby prints them, an EventTime as its
/// seconds (Fluent::EventTime#to_s). Maps and arrays are written as JSON rather than Ruby's inspect form
/// (<c>{"a"=>1}</c>), which nothing downstream can read.
/// </summary>
public static class RubyValueText
{
    public static string ToS(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        ulong ul => ul.ToString(CultureInfo.InvariantCulture),
        double d => RubyFloat.ToS(d),
        float f => RubyFloat.ToS(f),
        EventTime t => t.Seconds.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
        IDictionary or IList => RecordJson.Serialize(value),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
