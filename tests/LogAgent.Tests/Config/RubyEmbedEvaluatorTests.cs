using LogAgent.Core.Config;
using LogAgent.Sdk.Config;

namespace LogAgent.Tests.Config;

public class RubyEmbedEvaluatorTests
{
    private static readonly RubyEmbedEvaluator Evaluator = new(new ConfigLoadOptions
    {
        GetEnvironmentVariable = name => name switch { "HOST" => "10.96.0.1", "HOST6" => "fd00::1", "BAD" => "not-an-ip", "PORT" => "443", _ => null },
        GetHostName = () => "node-7",
        WorkerId = 2,
    });

    private static string Eval(string code)
    {
        var v = Evaluator.Evaluate(code, "t.conf", 1);
        Assert.Equal(EmbeddedValueKind.Text, v.Kind);
        return v.Text;
    }

    [Theory]
    [InlineData("ENV['HOST']", "10.96.0.1")]
    [InlineData("ENV['NOPE'] || ENV['HOST']", "10.96.0.1")]
    [InlineData("ENV['NOPE'] || nil", "")]
    [InlineData("ENV['NOPE'] || false", "false")]
    [InlineData("ENV['HOST'] && 'both'", "both")]
    [InlineData("ENV.key?('HOST') ? 'yes' : 'no'", "yes")]
    [InlineData("!ENV['NOPE']", "true")]
    [InlineData("ENV['PORT'] == '443'", "true")]
    [InlineData("'a' + \"b#{'c' + 'd'}e\"", "abcde")]
    [InlineData("\"tab\\there\"", "tab\there")]
    [InlineData("ENV['PORT'].to_i + 1", "444")]
    [InlineData("1.5 + 1", "2.5")]
    [InlineData("File.join('a', '', 'b')", "a/b")]
    [InlineData("File.join('/var/log/', '/x/', 'f.pos')", "/var/log/x/f.pos")]
    [InlineData("worker_id", "2")]
    [InlineData("hostname + '.' + Socket.gethostname", "node-7.node-7")]
    [InlineData("", "")]
    public void SupportedExpressions(string code, string expected) => Assert.Equal(expected, Eval(code));

    // fluentd-kubernetes-daemonset's kubernetes_url: locals, ';', ternary, IPAddr and a rescue modifier.
    private const string KubernetesUrl =
        "ENV['URL'] || (host = ENV.fetch('{0}'); port = ENV.fetch('PORT'); host = (IPAddr.new(host).ipv6? ? '[' + host + ']' : host rescue host); 'https://' + host + ':' + port + '/api')";

    [Theory]
    [InlineData("HOST", "https://10.96.0.1:443/api")]
    [InlineData("HOST6", "https://[fd00::1]:443/api")]
    [InlineData("BAD", "https://not-an-ip:443/api")] // IPAddr.new raises; rescue keeps the host
    public void TheKubernetesUrlIdiom(string variable, string expected) =>
        Assert.Equal(expected, Eval(string.Format(KubernetesUrl, variable)));

    [Fact]
    public void UseNilAndUseDefaultAreSignals()
    {
        Assert.Equal(EmbeddedValueKind.UseNil, Evaluator.Evaluate("ENV['NOPE'] || use_nil", "t", 1).Kind);
        Assert.Equal(EmbeddedValueKind.UseDefault, Evaluator.Evaluate("ENV['NOPE'] || use_default", "t", 1).Kind);
        // A value short-circuits before the signal is reached.
        Assert.Equal("10.96.0.1", Eval("ENV['HOST'] || use_nil"));
        // rescue does not catch them, as Ruby's rescue modifier does not catch fluentd's SetNil/SetDefault.
        Assert.Equal(EmbeddedValueKind.UseNil, Evaluator.Evaluate("use_nil rescue 'x'", "t", 1).Kind);
    }

    [Theory]
    [InlineData("test")]
    [InlineData("`id`")]
    [InlineData("system('id')")]
    [InlineData("File.read('/etc/passwd')")]
    [InlineData("ENV['A'].gsub('a', 'b')")]
    [InlineData("Socket.getifaddrs.select{|i| i}")]
    [InlineData("Kernel.exit")]
    [InlineData("ENV['A'] ||")]
    public void AnythingElseIsRejectedQuotingTheExpression(string code)
    {
        var e = Assert.Throws<ConfigException>(() => Evaluator.Evaluate(code, "app.conf", 12));
        Assert.Equal("app.conf", e.File);
        Assert.Equal(12, e.Line);
        Assert.Contains($"\"#{{{code}}}\" is not supported", e.Message);
    }

    [Fact]
    public void UnsupportedCodeIsRejectedEvenInABranchThatWouldNotRun() =>
        Assert.Throws<ConfigException>(() => Evaluator.Evaluate("ENV['HOST'] || `id`", "t", 1));

    [Theory]
    [InlineData("ENV.fetch('NOPE')", "key not found")]
    [InlineData("ENV['NOPE'] + 'x'", "undefined method '+' for nil")]
    [InlineData("'x' + 1", "no implicit conversion of Integer into String")]
    [InlineData("IPAddr.new('nope')", "invalid address")]
    public void RubyRuntimeErrorsFailTheLoad(string code, string says)
    {
        var e = Assert.Throws<ConfigException>(() => Evaluator.Evaluate(code, "t", 3));
        Assert.Contains("failed", e.Message);
        Assert.Contains(says, e.Message);
    }

    [Theory]
    [InlineData("ENV['X']}rest", 8)]
    [InlineData("\"}\"}", 3)]
    [InlineData("ENV.fetch('X') { 'd' }}", 22)]
    [InlineData("\"#{'}'}\"}", 8)]
    [InlineData("no end", -1)]
    public void FindCodeEndSkipsNestedBracesAndStrings(string text, int expected) =>
        Assert.Equal(expected, RubyEmbedEvaluator.FindCodeEnd(text, 0));
}
