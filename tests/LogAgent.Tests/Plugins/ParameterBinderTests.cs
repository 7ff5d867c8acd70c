using LogAgent.Core.Plugins;
using LogAgent.Sdk.Config;

namespace LogAgent.Tests.Plugins;

public class ParameterBinderTests
{
    public enum Mode { ExponentialBackoff, Periodic }

    public sealed class Server : IConfigurableSection
    {
        [Parameter("host", "h", Required = true)] public string Host { get; set; } = "";
        [Parameter("port", "p")] public int Port { get; set; } = 24224;
        public bool Checked { get; private set; }
        public void Configure(ConfigSection section) => Checked = true;
    }

    public sealed class Target
    {
        [Parameter("name", "n", Required = true)] public string Name { get; set; } = "";
        [Parameter("chunk_limit_size", "s", Kind = ParameterKind.Size)] public long ChunkLimit { get; set; } = 8 << 20;
        [Parameter("flush_interval", "t", Kind = ParameterKind.Time)] public double FlushInterval { get; set; } = 60;
        [Parameter("timeout", "t")] public TimeSpan Timeout { get; set; }
        [Parameter("enabled", "b")] public bool Enabled { get; set; }
        [Parameter("ratio", "f")] public double Ratio { get; set; }
        [Parameter("retry_type", "e")] public Mode RetryType { get; set; }
        [Parameter("format", "a", AllowedValues = new[] { "json", "ltsv" })] public string Format { get; set; } = "json";
        [Parameter("keys", "a")] public string[] Keys { get; set; } = Array.Empty<string>();
        [Parameter("types", "h")] public Dictionary<string, string> Types { get; set; } = new();
        [Parameter("new_name", "alias", Aliases = new[] { "old_name" })] public string? Renamed { get; set; }
        [Section("server", "s")] public List<Server> Servers { get; set; } = new();
        [Section("record", "r", FreeForm = true)] public Dictionary<string, string> Record { get; set; } = new();
    }

    private static ConfigSection Section(params (string, string)[] parameters)
    {
        var section = new ConfigSection("match", "**", "app.conf", 10);
        int line = 11;
        foreach (var (k, v) in parameters) section.Add(new ConfigParameter(k, v, "app.conf", line++));
        return section;
    }

    [Fact]
    public void Binds_every_value_type_fluentd_has()
    {
        var target = new Target();
        var section = Section(("name", "x"), ("chunk_limit_size", "8m"), ("flush_interval", "5m"), ("timeout", "1.5"),
            ("enabled", "yes"), ("ratio", "0.25"), ("retry_type", "exponential_backoff"), ("format", "ltsv"),
            ("keys", "a, b ,c"), ("types", "code:integer,size:integer"), ("old_name", "legacy"));
        ParameterBinder.Bind(target, section, "test");

        Assert.Equal(8L << 20, target.ChunkLimit);
        Assert.Equal(300, target.FlushInterval);
        Assert.Equal(TimeSpan.FromSeconds(1.5), target.Timeout);
        Assert.True(target.Enabled);
        Assert.Equal(0.25, target.Ratio);
        Assert.Equal(Mode.ExponentialBackoff, target.RetryType);
        Assert.Equal("ltsv", target.Format);
        Assert.Equal(new[] { "a", "b", "c" }, target.Keys);
        Assert.Equal("integer", target.Types["code"]);
        Assert.Equal("legacy", target.Renamed);
        Assert.Empty(PluginFactory.Unused(section));
    }

    [Fact]
    public void Unset_parameters_keep_their_declared_defaults()
    {
        var target = new Target();
        ParameterBinder.Bind(target, Section(("name", "x")), "test");
        Assert.Equal(8L << 20, target.ChunkLimit);
        Assert.Equal(60, target.FlushInterval);
        Assert.Equal("json", target.Format);
    }

    [Fact]
    public void A_missing_required_parameter_names_the_plugin_and_the_section_line()
    {
        var ex = Assert.Throws<ConfigException>(() => ParameterBinder.Bind(new Target(), Section(), "my_output"));
        Assert.Equal(10, ex.Line);
        Assert.Contains("'name' parameter is required by plugin 'my_output'", ex.Message);
    }

    [Theory]
    [InlineData("chunk_limit_size", "8q", "is not a size")]
    [InlineData("flush_interval", "soon", "is not a time")]
    [InlineData("enabled", "maybe", "is not a boolean")]
    [InlineData("retry_type", "linear", "exponential_backoff, periodic")]
    [InlineData("format", "xml", "json, ltsv")]
    [InlineData("types", "code", "key:value")]
    public void A_bad_value_is_an_error_naming_the_parameter_and_its_line(string key, string value, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => ParameterBinder.Bind(new Target(), Section(("name", "x"), (key, value)), "p"));
        Assert.Equal("app.conf", ex.File);
        Assert.Equal(12, ex.Line);
        Assert.Contains($"parameter '{key}'", ex.Message);
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Repeated_sections_bind_to_a_list_and_configure_themselves()
    {
        var section = Section(("name", "x"));
        foreach (var host in new[] { "a.example", "b.example" })
        {
            var server = new ConfigSection("server", "", "app.conf", 20);
            server.Add(new ConfigParameter("host", host, "app.conf", 21));
            section.Add(server);
        }
        var target = new Target();
        ParameterBinder.Bind(target, section, "test");
        Assert.Equal(new[] { "a.example", "b.example" }, target.Servers.Select(s => s.Host));
        Assert.All(target.Servers, s => { Assert.Equal(24224, s.Port); Assert.True(s.Checked); });
    }

    [Fact]
    public void A_free_form_section_receives_its_raw_pairs()
    {
        var section = Section(("name", "x"));
        var record = new ConfigSection("record", "", "app.conf", 30);
        record.Add(new ConfigParameter("host", "${hostname}", "app.conf", 31));
        section.Add(record);
        var target = new Target();
        ParameterBinder.Bind(target, section, "test");
        Assert.Equal("${hostname}", target.Record["host"]);
    }

    [Fact]
    public void Parameters_nobody_declared_are_reported_as_unused()
    {
        var section = Section(("name", "x"), ("flush_intreval", "5"));
        ParameterBinder.Bind(new Target(), section, "test");
        var unused = PluginFactory.Unused(section).ToList();
        Assert.Single(unused);
        Assert.Contains("'flush_intreval'", unused[0].Message);
        Assert.Equal(12, unused[0].Line);
    }
}
