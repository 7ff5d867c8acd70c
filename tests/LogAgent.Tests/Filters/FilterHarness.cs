using LogAgent.Core.Plugins.Filters;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;
using LogAgent.Tests.Support;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Filters;

/// <summary>Builds filters from sections through the real registry and runs records through them.</summary>
internal sealed class FilterHarness
{
    public TestPluginContext Context { get; } = new();
    public CapturingLogger Log { get; } = new();

    public FilterHarness() => Context.Logger = Log;

    /// <summary>A &lt;filter&gt; section; nested sections are added with <see cref="Nest"/>.</summary>
    public static ConfigSection Filter(string type, params (string Key, string Value)[] parameters) =>
        TestPluginContext.Section("filter", type, parameters);

    /// <summary>A nested section without @type (&lt;regexp&gt;, &lt;and&gt;, &lt;record&gt;).</summary>
    public static ConfigSection Child(string name, params (string Key, string Value)[] parameters) =>
        TestPluginContext.Section(name, null, parameters);

    public static ConfigSection Nest(ConfigSection parent, params ConfigSection[] children)
    {
        foreach (var child in children) parent.Add(child);
        return parent;
    }

    public T Build<T>(ConfigSection section) where T : FilterPlugin => (T)Context.Build<FilterPlugin>(PluginKind.Filter, section);

    /// <summary>Feeds the records as one stream and decodes what comes out.</summary>
    public static List<(EventTime Time, Record Record)> Run(FilterPlugin filter, string tag, EventTime time, IEnumerable<Record> records)
    {
        var builder = new EventStreamBuilder(tag);
        foreach (var record in records) builder.Add(time, record);
        var output = filter.Filter(builder.Build());
        Assert.Equal(tag, output.Tag);
        var result = new List<(EventTime, Record)>();
        foreach (var entry in output) result.Add((entry.Time, entry.DecodeRecord()));
        return result;
    }

    /// <summary>Ruby's inspect of a record: an exact, order-sensitive, readable comparison.</summary>
    public static void AssertRecord(Record expected, Record actual) =>
        Assert.Equal(RubyValueText.Inspect(expected), RubyValueText.Inspect(actual));

    internal sealed class CapturingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));

        public IEnumerable<string> Warnings => Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message);
    }
}
