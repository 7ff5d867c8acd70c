using System.Net;
using System.Net.Sockets;
using System.Text;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Packaging;

/// <summary>
/// The packaged single-file executable, run from the extracted package on the packaged configs. Each test writes its
/// own copy of a config into a temporary directory with the machine's paths (<c>/var/lib/logagent</c>, the forward
/// port) pointed there; includes stay relative to the config, as in /etc/logagent.
/// Plugins are loaded with <c>-p</c> naming the packaged folder, /opt/logagent/plugins.
/// </summary>
[Collection(DebianPackageCollection.Name)]
public class PackagedAgentTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly DebianPackage _package;

    public PackagedAgentTests(DebianPackage package) => _package = package;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The packaged default config, in <paramref name="dir"/>/etc/logagent/, its state and port moved there.</summary>
    private string DefaultConfigIn(TempDirectory dir, int port)
    {
        var text = File.ReadAllText(_package.Extracted("/etc/logagent/logagent.conf"));
        Assert.Contains("root_dir /var/lib/logagent\n", text);
        Assert.Contains("port 24224\n", text);
        var config = Path.Combine(dir.Sub("etc/logagent/conf.d"), "..", "logagent.conf");
        File.WriteAllText(config, text
            .Replace("root_dir /var/lib/logagent\n", $"root_dir {dir.Sub("var/lib/logagent")}\n")
            .Replace("port 24224\n", $"port {port}\n"));
        return Path.GetFullPath(config);
    }

    private AgentProcess StartPackaged(TempDirectory dir, params string[] arguments) =>
        // No -p: the packaged executable finds /opt/logagent/plugins as ../plugins of its own folder.
        AgentProcess.Executable(_package.Executable, dir.Path, new Dictionary<string, string?>(), arguments);

    /// <summary>Sends one JSON event with the packaged <c>logagent cat</c>, waiting for the agent's ack.</summary>
    private async Task SendWithPackagedCat(string tag, int port, string json)
    {
        var (code, _, stderr) = await ClientProcess.RunAsync("sh",
            new[] { "-c", "printf '%s\\n' \"$1\" | \"$2\" cat \"$3\" --port \"$4\" --ack", "sh", json, _package.Executable, tag, port.ToString() },
            Timeout);
        Assert.True(code == 0, $"logagent cat exited {code}: {stderr}");
    }

    [Fact]
    public async Task The_default_config_prints_an_event_sent_with_logagent_cat_and_SIGTERM_ends_it_with_0()
    {
        using var dir = new TempDirectory();
        int port = FreePort();
        using var agent = StartPackaged(dir, "-c", DefaultConfigIn(dir, port));
        await Eventually.True(() => agent.Stderr.Contains("agent started"), Timeout, () => agent.Stderr);

        await SendWithPackagedCat("debug.package", port, """{"message":"from the package"}""");

        await Eventually.True(() => agent.Stdout.Contains("""debug.package: {"message":"from the package"}"""), Timeout,
            () => $"stdout:\n{agent.Stdout}\nstderr:\n{agent.Stderr}");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Timeout));
    }

    [Fact]
    public async Task A_file_in_conf_d_is_included_by_the_default_config()
    {
        using var dir = new TempDirectory();
        int port = FreePort();
        var config = DefaultConfigIn(dir, port);
        File.WriteAllText(Path.Combine(dir.Path, "etc/logagent/conf.d/app.conf"), """
            <match app.**>
              @type stdout
              @id app_stdout
            </match>
            """);
        using var agent = StartPackaged(dir, "-c", config);
        await Eventually.True(() => agent.Stderr.Contains("agent started"), Timeout, () => agent.Stderr);

        await SendWithPackagedCat("app.web", port, """{"n":1}""");

        await Eventually.True(() => agent.Stdout.Contains("""app.web: {"n":1}"""), Timeout, () => $"stdout:\n{agent.Stdout}\nstderr:\n{agent.Stderr}");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Timeout));
    }

    [Fact]
    public async Task The_tail_nginx_example_reads_a_log_into_its_file_buffer_and_SIGTERM_ends_it_with_0()
    {
        using var dir = new TempDirectory();
        // conf/examples/tail-nginx.conf with every /var/log/ and /var/tmp/ path moved under the temporary directory.
        var text = File.ReadAllText(Path.Combine(RepoPaths.Conf, "examples", "tail-nginx.conf"));
        Assert.Contains("path /var/log/nginx/access.log\n", text);
        text = text.Replace("/var/log/", dir.Path + "/var/log/").Replace("/var/tmp/", dir.Path + "/var/tmp/");
        var config = dir.File("tail-nginx.conf");
        File.WriteAllText(config, text);
        dir.Sub("var/tmp");
        var log = Path.Combine(dir.Sub("var/log/nginx"), "access.log");
        File.WriteAllText(log, "");
        var pos = Path.Combine(dir.Path, "var/tmp/logagent-nginx-access.pos");

        using var agent = StartPackaged(dir, "-c", config);
        // Without read_from_head (the example has none, as fluentd's default) a log is read from where it ends when
        // first seen: the lines are appended once its pos entry shows the agent follows it.
        await Eventually.True(() => File.Exists(pos) && File.ReadAllText(pos).StartsWith(log + "\t"), Timeout,
            () => $"a pos entry for {log}; stderr:\n{agent.Stderr}");
        // Dated now: the example buffers by day (timekey 1d, timekey_wait 10m), so lines of an earlier day would be
        // flushed out of the buffer at once instead of waiting in it.
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        File.AppendAllText(log, string.Concat(Enumerable.Range(1, 20)
            .Select(i => $"192.0.2.{i} - - [{now} +0000] \"GET /packaged/p{i:00} HTTP/1.1\" 200 {100 + i} \"-\" \"curl/8.5.0\"\n")));

        // The example buffers by day (timekey 1d) in a file buffer: the events are in its chunk files, each with
        // the path field the nginx parser took from its line (msgpack bytes, read one char per byte), and the pos file
        // holds the log's end.
        var bufferDirectory = Path.Combine(dir.Path, "var/tmp/logagent-out/buffer");
        string BufferText() => Directory.Exists(bufferDirectory)
            ? string.Concat(Directory.GetFiles(bufferDirectory, "*.log").Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))))
            : "";
        await Eventually.True(() => Enumerable.Range(1, 20).All(i => BufferText().Contains($"\u00a4path\u00ad/packaged/p{i:00}")), Timeout,
            () => $"20 events in the buffer (msgpack \"path\": \"/packaged/pNN\"); stderr:\n{agent.Stderr}");
        await Eventually.True(() => File.ReadAllText(pos).Contains($"\t{new FileInfo(log).Length:x16}\t"), Timeout,
            () => $"the pos file at the log's end; stderr:\n{agent.Stderr}");

        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Timeout));
    }

    [Fact]
    public void List_plugins_shows_the_Kinesis_outputs_loaded_from_the_packaged_plugins_folder()
    {
        using var dir = new TempDirectory();
        using var agent = StartPackaged(dir, "--list-plugins", "-v");
        Assert.Equal(0, agent.WaitForExit(Timeout));

        Assert.Matches(@"(?m)^output\s+kinesis_streams\s", agent.Stdout);
        Assert.Matches(@"(?m)^output\s+kinesis_firehose\s", agent.Stdout);
        Assert.Contains($"from {Path.Combine(_package.PluginDirectory, "LogAgent.Plugins.Kinesis", "LogAgent.Plugins.Kinesis.dll")}", agent.Stderr);
    }

    [Fact]
    public void The_single_file_executable_needs_no_HOME_and_extracts_nothing()
    {
        // Single-file bundles extract native libraries to $DOTNET_BUNDLE_EXTRACT_BASE_DIR (else $HOME/.net) when they
        // carry any; this one must not, so the unit needs neither a HOME nor that variable.
        using var dir = new TempDirectory();
        var extractBase = dir.Sub("extract");
        using var agent = AgentProcess.Executable(_package.Executable, dir.Path,
            new Dictionary<string, string?> { ["HOME"] = null, ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = extractBase },
            "--dry-run", "-c", DefaultConfigIn(dir, FreePort()));
        Assert.Equal(0, agent.WaitForExit(Timeout));
        Assert.Contains("is valid", agent.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(extractBase));
    }
}
