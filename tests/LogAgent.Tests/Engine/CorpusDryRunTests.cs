using System.Text.RegularExpressions;
using LogAgent.Core.Config;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins;
using LogAgent.Sdk.Config;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Engine;

/// <summary>
/// The 81 real fluentd configs in ../shared/corpus/configs (INDEX.md says what fluentd 1.15.3 made of each), dry-run
/// through the whole engine as <c>logagent --dry-run</c> does. A config whose plugins LogAgent has must configure; one
/// naming a plugin LogAgent lacks must fail with "Unknown … plugin 'NAME'" at the line of the section that names it;
/// each genuine error fluentd reported must be reported at fluentd's line.
/// </summary>
public class CorpusDryRunTests
{
    private static string Corpus => ConfigCorpus.Directory;
    private static readonly ConfigLoadOptions AsFluentdRanIt = ConfigCorpus.AsFluentdRanIt;

    /// <summary>Genuine errors fluentd reported (INDEX.md "genuine error / line"), unless an unknown plugin comes first.</summary>
    private static readonly Dictionary<string, (int Line, string Says)> GenuineErrors = new()
    {
        ["bad/072-docs-forward-sd-mismatched-close.conf"] = (8, "unmatched end tag"),
        ["011-fluentd-ex-v1-literals.conf"] = (22, "#{test}"),
        // fluentd reported this too: the <parse> comes from an @include that only resolves in the image's layout.
        ["025-k8s-ds-containers-include.conf"] = (1, "<parse> section is required"),
        ["031-gcp-catchall-mysql-multiline.conf"] = (21, "Invalid regexp in format_firstline"),
        ["050-vmware-operator-invalid-demo.conf"] = (3, "Missing '@type' parameter on <match> directive"),
        ["059-docs-tail-nginx-keep-time.conf"] = (1, "'tag' parameter is required"),
        ["064-docs-labels-system.conf"] = (5, "<parse> section is required"),
        ["067-docs-copy-relabel-notification.conf"] = (7, "<server>"),
        ["074-docs-fluent-log-label-irc.conf"] = (28, "Missing <match> sections in <label @FLUENT_LOG> section"),
        ["080-docs-yaml-labels.yaml"] = (5, "<parse> section is required"),
        ["trees/lia-ch5-include/file-source-multi-out2.conf"] = (4, "<system> is duplicated"),
    };

    /// <summary>
    /// Where LogAgent deliberately differs from fluentd: it never runs arbitrary Ruby. fluentd accepts these, LogAgent
    /// refuses them with an error naming the line and the expression.
    /// </summary>
    private static readonly Dictionary<string, (int Line, string Says)> DeliberateDifferences = new()
    {
        // `"#{Socket.getifaddrs.select{…}}"` in a value.
        ["006-fluentd-ex-out-forward-client-security.conf"] = (103, "Socket.getifaddrs"),
        // record_transformer with enable_ruby and `${record["total"] / record["count"]}`.
        ["062-docs-record-transformer-ruby.conf"] = (5, "arbitrary Ruby"),
        // record_transformer with enable_ruby and a Ruby ternary over record['event_type'].
        ["019-google-fluentd-windows-template.conf"] = (16, "arbitrary Ruby"),
        // record_transformer with enable_ruby and `record.dig(…).split(";")…`.
        ["040-natlibfi-docker-ruby-transform.conf"] = (19, "arbitrary Ruby"),
    };

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Corpus, "*.*")
                     .Concat(Directory.EnumerateFiles(Path.Combine(Corpus, "bad")))
                     .Where(f => f.EndsWith(".conf") || f.EndsWith(".yaml"))
                     .Append(Path.Combine(Corpus, "trees", "k8s-daemonset-forward", "fluent.conf"))
                     .Append(Path.Combine(Corpus, "trees", "lia-ch5-include", "file-source-multi-out2.conf"))
                     .Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Corpus, file));
        return data;
    }

    // out_forward resolves <server> hosts at configure time, so fluentd's dry-run of 036 passed only with host
    // td-agent-server mapped in a private /etc/hosts (corpus INDEX.md). Where that name does not resolve, fluentd and
    // LogAgent both reject the config at the server's host line.
    private static (int Line, string Says)? NeedsUnresolvableHost(string relativePath)
    {
        if (relativePath != "036-seldon-td-agent-node.conf") return null;
        try
        {
            System.Net.Dns.GetHostAddresses("td-agent-server");
            return null;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return (64, "forward server 'td-agent-server' does not resolve");
        }
    }

    [Fact]
    public void The_corpus_is_there_with_its_81_configs_and_2_trees() => Assert.Equal(83, CorpusFiles().Count);

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Dry_run_accepts_or_rejects_each_config_as_fluentd_did(string relativePath)
    {
        var path = Path.Combine(Corpus, relativePath);
        var registry = PluginRegistry.CreateWithBuiltIns();
        var expected = GenuineErrors.TryGetValue(relativePath, out var g) ? g
            : DeliberateDifferences.TryGetValue(relativePath, out var d) ? d
            : NeedsUnresolvableHost(relativePath) is { } h ? h
            : ((int, string)?)null;

        ConfigException? error = null;
        try
        {
            AgentEngine.Build(ConfigLoader.LoadFile(path, AsFluentdRanIt), new EngineOptions { Registry = registry, Hostname = "test-host" });
        }
        catch (ConfigException e)
        {
            error = e;
        }

        if (error is null)
        {
            Assert.True(expected is null, $"{relativePath} should fail with '{expected?.Item2}' at line {expected?.Item1}, but dry-run passed");
            return;
        }

        var unknown = Regex.Match(error.Reason, @"^Unknown (input|output|filter|parser|formatter) plugin '([^']+)'");
        if (unknown.Success)
        {
            // A plugin LogAgent lacks: the error names it and the line of the section that asks for it.
            var name = unknown.Groups[2].Value;
            var kind = Enum.Parse<LogAgent.Sdk.Config.PluginKind>(unknown.Groups[1].Value, ignoreCase: true);
            Assert.Null(registry.Find(kind, name));
            Assert.NotNull(error.File);
            var lines = File.ReadAllLines(error.File!);
            var section = lines[error.Line - 1].Trim();
            Assert.True(section.StartsWith('<') || section.StartsWith("- ") || section.Contains(name), $"{error.Message}: line {error.Line} is '{section}'");
            var body = string.Join("\n", lines.Skip(error.Line - 1).Take(40));
            Assert.Matches(new Regex(@"(@type|\btype|\$type|format)[:\s]+[""']?" + Regex.Escape(name) + @"\b"), body);
            return;
        }

        Assert.True(expected is not null, $"{relativePath}: unexpected error {error.Message}");
        Assert.Contains(expected!.Value.Item2, error.Message);
        if (expected.Value.Item1 > 0) Assert.Equal(expected.Value.Item1, error.Line);
    }
}
