using LogAgent.Core.Config;
using LogAgent.Sdk.Config;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Config;

/// <summary>
/// The shared corpus of 81 real fluentd configs (../shared/corpus/configs, described by its INDEX.md): everything
/// fluentd 1.15.3 could parse must parse here, and the syntax and embedded-Ruby errors must be reported where fluentd
/// reports them. Plugin-level errors (a missing @type, a missing &lt;parse&gt;) are not the parser's business.
/// </summary>
public class CorpusTests
{
    private static readonly ConfigLoadOptions FluentdCompatible = ConfigCorpus.AsFluentdRanIt;
    private static readonly ConfigLoadOptions Strict = ConfigCorpus.Strict;

    /// <summary>Files that must fail to load, with the line of the error and a word the message must contain.</summary>
    private static readonly Dictionary<string, (int Line, string Says)> Errors = new()
    {
        // INDEX: fluentd's ConfigParseError "unmatched end tag at ... line 8,10".
        ["072-docs-forward-sd-mismatched-close.conf"] = (8, "unmatched end tag"),
        // INDEX: line 22 `key9 "#{test}"` — Ruby's Kernel#test, evaluated at parse time.
        ["011-fluentd-ex-v1-literals.conf"] = (22, "#{test}"),
        // fluentd runs `Socket.getifaddrs.select{…}` (a block over the host's interfaces); we do not run arbitrary
        // Ruby, so this file is refused, naming the line. A deliberate difference from fluentd.
        ["006-fluentd-ex-out-forward-client-security.conf"] = (103, "Socket.getifaddrs"),
    };

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(TestPaths.Corpus, "*.*", SearchOption.TopDirectoryOnly)
                     .Concat(Directory.EnumerateFiles(Path.Combine(TestPaths.Corpus, "bad")))
                     .Where(f => f.EndsWith(".conf") || f.EndsWith(".yaml"))
                     .Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(TestPaths.Corpus, file));
        return data;
    }

    [Fact]
    public void TheCorpusHasAll81Configs() => Assert.Equal(81, CorpusFiles().Count);

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void EveryCorpusFileParsesOrFailsWhereFluentdFails(string relativePath)
    {
        var path = Path.Combine(TestPaths.Corpus, relativePath);
        var name = Path.GetFileName(relativePath);
        if (Errors.TryGetValue(name, out var expected))
        {
            var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path, FluentdCompatible));
            Assert.Equal(path, e.File);
            Assert.Equal(expected.Line, e.Line);
            Assert.Contains(expected.Says, e.Message);
        }
        else
        {
            var root = ConfigLoader.LoadFile(path, FluentdCompatible);
            Assert.Equal("ROOT", root.Name);
            // Every corpus file but the comments-only one declares something.
            if (name != "041-nordstrom-comments-only.conf") Assert.NotEmpty(root.Sections);
        }
    }

    [Theory]
    [InlineData("019-google-fluentd-windows-template.conf", 3, "CUSTOM_CONFIG_PLACE_HOLDER")]
    [InlineData("021-k8s-ds-kinesis-fluent.conf", 5, "systemd.conf")]
    [InlineData("025-k8s-ds-containers-include.conf", 9, "../tail_container_parse.conf")]
    [InlineData("044-lia-copy-include.conf", 55, "additionalStore.conf")]
    public void ByDefaultAnIncludeOfAMissingFileIsAnErrorNamingItsLine(string file, int line, string path)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(Path.Combine(TestPaths.Corpus, file), Strict));
        Assert.Equal(line, e.Line);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TheK8sDaemonsetTreeResolvesItsIncludes()
    {
        var path = Path.Combine(TestPaths.Corpus, "trees", "k8s-daemonset-forward", "fluent.conf");
        var root = ConfigLoader.LoadFile(path, Strict);

        // "#{ENV['FLUENTD_SYSTEMD_CONF'] || 'systemd'}.conf" resolves to systemd.conf, whose sources join ROOT.
        var sources = root.SectionsNamed("source").ToList();
        Assert.Contains(sources, s => s.File.EndsWith("systemd.conf") && s["@id"] == "in_systemd_kubelet");
        // kubernetes.conf includes kubernetes/*.conf; containers.conf includes ../tail_container_parse.conf inside
        // <source>, which adds its <parse> section to that source.
        var containers = Assert.Single(sources, s => s["@id"] == "in_tail_container_logs");
        Assert.EndsWith(Path.Combine("kubernetes", "containers.conf"), containers.File);
        var parse = ConfigAssert.Single(containers, "parse");
        Assert.EndsWith("tail_container_parse.conf", parse.File);
        // The kubernetes_url IPAddr/rescue idiom evaluates without FLUENT_FILTER_KUBERNETES_URL set.
        var metadata = Assert.Single(root.SectionsNamed("filter"), f => f["@type"] == "kubernetes_metadata");
        Assert.Equal("https://10.96.0.1:443/api", ConfigAssert.Value(metadata, "kubernetes_url"));
        // File.join('/var/log/', ENV.fetch('FLUENT_POS_EXTRA_DIR', ''), '…') with the variable unset.
        Assert.Equal("/var/log/fluentd-containers.log.pos", ConfigAssert.Value(containers, "pos_file"));
        // use_default leaves the parameter out.
        Assert.False(containers.Has("exclude_path"));
        var forward = Assert.Single(root.SectionsNamed("match"), m => m["@type"] == "forward");
        var server = ConfigAssert.Single(forward, "server");
        Assert.Equal("10.100.0.10", ConfigAssert.Value(server, "host"));
        Assert.Equal("24224", ConfigAssert.Value(server, "port"));
        Assert.False(ConfigAssert.Single(forward, "buffer").Has("flush_interval"));
    }

    [Fact]
    public void TheLiaTreeIncludesIntoAMatchAndAtTheTop()
    {
        var path = Path.Combine(TestPaths.Corpus, "trees", "lia-ch5-include", "file-source-multi-out2.conf");
        var root = ConfigLoader.LoadFile(path, Strict);

        var copy = Assert.Single(root.SectionsNamed("match"), m => m.Argument == "*");
        var stores = copy.SectionsNamed("store").ToList();
        var included = stores[^1];
        Assert.Equal("inclusion", included["@id"]);
        Assert.EndsWith("additionalStore.conf", included.File);
        Assert.Equal(2, included.Line);

        // record-origin.conf brings a second <system>: fluentd rejects that at engine level, reported with both lines.
        var problems = ConfigStructure.Validate(root);
        var duplicate = Assert.Single(problems, p => p.Reason.Contains("<system>"));
        Assert.EndsWith("record-origin.conf", duplicate.File);
        Assert.Equal(4, duplicate.Line);
        Assert.Contains("file-source-multi-out2.conf:3", duplicate.Message);
    }

    [Fact]
    public void Corpus024KubernetesUrlIsEvaluatedAsFluentdWould()
    {
        var root = ConfigLoader.LoadFile(Path.Combine(TestPaths.Corpus, "024-k8s-ds-kubernetes-metadata.conf"), FluentdCompatible);
        var filter = Assert.Single(root.SectionsNamed("filter"), f => f["@type"] == "kubernetes_metadata");
        Assert.Equal("https://10.96.0.1:443/api", ConfigAssert.Value(filter, "kubernetes_url"));
        Assert.Equal("true", ConfigAssert.Value(filter, "verify_ssl"));
        Assert.Equal("false", ConfigAssert.Value(filter, "skip_labels"));
    }

    [Fact]
    public void Corpus065QuotedMatchPatternIsEvaluated()
    {
        var root = ConfigLoader.LoadFile(Path.Combine(TestPaths.Corpus, "065-docs-env-in-match-pattern.conf"), FluentdCompatible);
        Assert.Equal("app.myapp", Assert.Single(root.SectionsNamed("match")).Argument);
    }

    [Fact]
    public void Corpus048CurlyQuotesAreNotQuotes()
    {
        var root = ConfigLoader.LoadFile(Path.Combine(TestPaths.Corpus, "048-lia-slack-curly-quotes.conf"), FluentdCompatible);
        var slack = Assert.Single(root.SectionsNamed("match"), m => m["@type"] == "slack");
        Assert.Equal("“#{ENV['slack-token']}”", ConfigAssert.Value(slack, "token"));
    }

    [Theory]
    [InlineData("050-vmware-operator-invalid-demo.conf", 3, "@type")]
    [InlineData("074-docs-fluent-log-label-irc.conf", 28, "<match>")]
    public void StructuralErrorsAreReportedByConfigStructure(string file, int line, string says)
    {
        var path = Path.Combine(TestPaths.Corpus, file);
        var problem = Assert.Single(ConfigStructure.Validate(ConfigLoader.LoadFile(path, FluentdCompatible)));
        Assert.Equal(path, problem.File);
        Assert.Equal(line, problem.Line);
        Assert.Contains(says, problem.Message);
    }
}
