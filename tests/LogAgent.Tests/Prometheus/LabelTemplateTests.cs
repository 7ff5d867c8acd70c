using LogAgent.Core.Config;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Prometheus;

/// <summary>Label values as fluent-plugin-prometheus expands them (placeholder_expander.rb), and the corpus's configs.</summary>
public class LabelTemplateTests
{
    private static readonly Record Event = new()
    {
        ["method"] = "GET",
        ["status"] = 200L,
        ["hosts"] = new List<object?> { "a", "b", "c" },
        ["k8s"] = new Record { ["pod"] = "p-1", ["ns"] = "prod" },
        ["tag"] = "from the record",
    };

    [Theory]
    [InlineData("${tag}", "app.web.access")]
    [InlineData("${tag_parts[0]}-${tag_parts[-1]}", "app-access")]
    [InlineData("${tag_parts[3]}", "${tag_parts[3]}")]
    [InlineData("${tag_prefix[1]}", "app.web")]
    [InlineData("${tag_suffix[1]}", "web.access")]
    [InlineData("${hostname}/${worker_id}", "web-1/0")]
    [InlineData("${method} ${status}", "GET 200")]
    [InlineData("${hosts[1]} ${hosts[-1]}", "b c")]
    [InlineData("${hosts}", "${hosts}")]
    [InlineData("${k8s[\"pod\"]}", "p-1")]
    [InlineData("${absent}", "${absent}")]
    [InlineData("plain", "plain")]
    [InlineData("$.k8s.ns", "prod")]
    [InlineData("$['k8s']['pod']", "p-1")]
    [InlineData("$.k8s.missing", "")]
    public void A_label_value_expands_as_the_plugin_expands_it(string template, string expected) =>
        Assert.Equal(expected, LabelTemplate.Parse(template).Expand("app.web.access", Event, "web-1", 0));

    [Theory]
    [InlineData("${hostname}", true)]
    [InlineData("fixed ${worker_id}", true)]
    [InlineData("${tag}", false)]
    [InlineData("$.a", false)]
    public void Only_hostname_and_worker_id_placeholders_keep_a_label_static(string template, bool isStatic) =>
        Assert.Equal(isStatic, LabelTemplate.Parse(template).IsStatic);

    [Theory]
    [InlineData("042-prometheus-plugin-sample-ltsv.conf")]
    [InlineData("trees/k8s-daemonset-forward/prometheus.conf")]
    public void The_corpus_configs_using_fluent_plugin_prometheus_configure(string relativePath)
    {
        var root = ConfigLoader.LoadFile(Path.Combine(ConfigCorpus.Directory, relativePath), ConfigCorpus.AsFluentdRanIt);
        var engine = AgentEngine.Build(root, new EngineOptions { Registry = PluginRegistry.CreateWithBuiltIns(), Hostname = "test-host" });
        Assert.Contains(engine.Inputs, i => i.GetType().Name == "PrometheusInput");
    }
}
