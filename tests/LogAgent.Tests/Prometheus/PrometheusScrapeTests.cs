using System.Net;
using System.Text.Json;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Forward;
using LogAgent.Tests.Support;
using LogAgent.Tests.Tail;

namespace LogAgent.Tests.Prometheus;

/// <summary>
/// The real executable with forward input → prometheus filter → forward output to a counting sink, and the prometheus
/// inputs, scraped during and after a load run by Debian's python3-prometheus-client text parser: every scrape parses,
/// the counters match what the sink received, and label values with <c>"</c>, <c>\</c> and non-ASCII come back as
/// they were written. Then the health endpoint against a dead destination.
/// </summary>
public class PrometheusScrapeTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly Lazy<bool> Installed = new(() => ClientProcess.Succeeds(Python, "-c", "import prometheus_client.parser"));
    private static string Script => Path.Combine(RepoPaths.Root, "tests", "clients", "python", "scrape_prometheus.py");

    // The input's @id as the config writes it (a double-quoted string) and as it is.
    private const string OddIdInConfig = "in \\\"fwd\\\" \\\\ é{1}";
    private const string OddId = "in \"fwd\" \\ é{1}";

    private const int Connections = 4;
    private const int RequestsPerConnection = 125;
    private const int EventsPerRequest = 200;
    private const int Events = Connections * RequestsPerConnection * EventsPerRequest;

    // The shape LineCountingForwardReceiver counts: "line NNNNNNN xxx…", a line of the tail tests without its newline.
    private static string NumberedLine(int n) => $"line {n:D7} ".PadRight(RotationUnderLoadTests.LineLength - 1, 'x');

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private sealed record Scrape(string? ContentType, Dictionary<string, (string Type, List<Sample> Samples)> Families)
    {
        public double Value(string family, string label, string value) =>
            Families[family].Samples.Single(s => s.Labels.GetValueOrDefault(label) == value).Value;
    }

    private static async Task<Scrape> ScrapeAsync(int port, string path = "/metrics")
    {
        var (code, stdout, stderr) = await ClientProcess.RunAsync(Python, new[] { Script, $"http://127.0.0.1:{port}{path}" }, Deadline);
        Assert.True(code == 0, $"the prometheus_client parser failed: {stderr}");
        var root = JsonDocument.Parse(stdout).RootElement;
        var families = new Dictionary<string, (string, List<Sample>)>();
        foreach (var family in root.GetProperty("families").EnumerateArray())
        {
            var samples = family.GetProperty("samples").EnumerateArray().Select(s => new Sample(
                s.GetProperty("name").GetString()!,
                s.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                s.GetProperty("value").GetDouble())).ToList();
            // One family per name: the parser would merge a repeated name, so count it here.
            Assert.True(families.TryAdd(family.GetProperty("name").GetString()!, (family.GetProperty("type").GetString()!, samples)),
                $"family {family.GetProperty("name").GetString()} appears twice");
        }
        return new Scrape(root.GetProperty("content_type").GetString(), families);
    }

    private static string Config(int forwardPort, int metricsPort, int sinkPort, string healthParameters = "") => $$"""
        <source>
          @type forward
          @id "{{OddIdInConfig}}"
          bind 127.0.0.1
          port {{forwardPort}}
        </source>
        <source>
          @type prometheus
          bind 127.0.0.1
          port {{metricsPort}}
          {{healthParameters}}
        </source>
        <source>
          @type prometheus_output_monitor
          <labels>
            host ${hostname}
          </labels>
        </source>
        <source>
          @type prometheus_monitor
        </source>
        <filter load.**>
          @type prometheus
          <metric>
            name fluentd_input_status_num_records_total
            type counter
            desc The total number of incoming records
            <labels>
              tag ${tag}
              hostname ${hostname}
            </labels>
          </metric>
        </filter>
        <match load.**>
          @type forward
          @id out_sink
          heartbeat_type none
          <server>
            host 127.0.0.1
            port {{sinkPort}}
          </server>
          <buffer>
            # At most the forward output's largest request (PackedForwardFrame.MaxEntriesBytes): each write is then
            # exactly one request, so write_count can be compared with what the sink counted.
            chunk_limit_size 1m
            flush_mode interval
            flush_interval 0.1
            flush_thread_interval 0.02
            retry_wait 0.2s
            retry_max_interval 1s
          </buffer>
        </match>
        """;

    private static async Task WaitListeningAsync(int port, AgentProcess agent)
    {
        await Eventually.True(async () =>
        {
            if (agent.HasExited) throw new InvalidOperationException($"the agent exited:\n{agent.Stderr}");
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }, Deadline, () => $"port {port} never listened; stderr:\n{agent.Stderr}");
    }

    [Fact]
    public async Task Scrapes_during_a_load_run_parse_and_afterwards_the_counters_match_what_the_sink_received()
    {
        Assert.True(Installed.Value, $"{Python} cannot import prometheus_client: install Debian's python3-prometheus-client, as .ci/run does");
        using var dir = new TempDirectory();
        await using var sink = new LineCountingForwardReceiver(Events);
        int forwardPort = FreePort.Get(), metricsPort = FreePort.Get();
        var config = dir.File("agent.conf");
        File.WriteAllText(config, Config(forwardPort, metricsPort, sink.Port));
        using var agent = new AgentProcess("-c", config);
        await WaitListeningAsync(forwardPort, agent);
        await WaitListeningAsync(metricsPort, agent);

        // The load: numbered events over several connections, each request acked; scrapes run while it goes on.
        var senders = Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
        {
            using var client = await ForwardTestClient.ConnectAsync(forwardPort, Deadline);
            for (int r = 0; r < RequestsPerConnection; r++)
            {
                int first = (c * RequestsPerConnection + r) * EventsPerRequest + 1;
                var records = Enumerable.Range(first, EventsPerRequest).Select(n => new Record { ["message"] = NumberedLine(n) });
                Assert.True(await client.SendWithAckAsync("load.web", records, $"c{c}r{r}", Deadline), $"request {c}/{r} was not acked");
            }
        })).ToList();
        var during = new List<Scrape>();
        while (!senders.All(s => s.IsCompleted)) during.Add(await ScrapeAsync(metricsPort));
        await Task.WhenAll(senders);

        await Eventually.True(() => sink.Events >= Events, Deadline, () => $"the sink has {sink.Events} of {Events} events");
        Assert.Empty(sink.Missing());
        Assert.Equal(0, sink.Duplicates());
        Scrape after = null!;
        await Eventually.True(async () =>
        {
            after = await ScrapeAsync(metricsPort);
            return after.Families["fluentd_output_status_write_count"].Samples.Single().Value == sink.RequestCount;
        }, Deadline, () => $"write_count {after?.Families["fluentd_output_status_write_count"].Samples.Single().Value}, sink requests {sink.RequestCount}");

        Assert.NotEmpty(during);
        Assert.StartsWith("text/plain; version=0.0.4", after.ContentType);
        // What entered, what the filter counted, what the output took and wrote: all what the sink received.
        Assert.Equal(Events, after.Value("fluentd_input_status_emit_records", "plugin_id", OddId));
        Assert.Equal(Events, after.Value("fluentd_input_status_num_records", "tag", "load.web"));
        Assert.Equal(Events, after.Value("fluentd_filter_status_emit_records", "type", "prometheus"));
        Assert.Equal(Events, after.Value("fluentd_output_status_emit_records", "plugin_id", "out_sink"));
        Assert.Equal(0, after.Value("fluentd_output_status_buffer_queue_length", "plugin_id", "out_sink"));
        Assert.Equal(0, after.Value("fluentd_output_status_retry_count", "plugin_id", "out_sink"));
        Assert.Equal("gauge", after.Families["fluentd_output_status_emit_records"].Type);
        Assert.Equal("counter", after.Families["fluentd_input_status_emit_records"].Type);
        var output = after.Families["fluentd_output_status_emit_records"].Samples.Single();
        Assert.Equal(new[] { "host", "plugin_id", "type" }, output.Labels.Keys);
        Assert.Equal("forward", output.Labels["type"]);
        Assert.Equal("output", after.Families["fluentd_status_buffer_queue_length"].Samples.Single().Labels["plugin_category"]);
        // Every scrape during the load parsed, and the counters only went up.
        var seen = during.Append(after).Select(s => s.Value("fluentd_input_status_emit_records", "plugin_id", OddId)).ToList();
        Assert.Equal(seen.Order(), seen);

        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
    }

    [Fact]
    public async Task Health_turns_500_when_a_dead_destination_fails_more_writes_than_the_limit_and_200_a_period_after_it_recovers()
    {
        Assert.True(Installed.Value, $"{Python} cannot import prometheus_client: install Debian's python3-prometheus-client, as .ci/run does");
        using var dir = new TempDirectory();
        // Nothing listens on the sink's port until the test opens it.
        int forwardPort = FreePort.Get(), metricsPort = FreePort.Get(), sinkPort = FreePort.Get();
        var config = dir.File("agent.conf");
        File.WriteAllText(config, Config(forwardPort, metricsPort, sinkPort, """
            health_check_errors_count 2
            health_check_period 4s
            """));
        using var agent = new AgentProcess("-c", config);
        await WaitListeningAsync(forwardPort, agent);
        await WaitListeningAsync(metricsPort, agent);
        using var http = new HttpClient { Timeout = Deadline };
        var health = $"http://127.0.0.1:{metricsPort}/api/v1/health";

        using (var response = await http.GetAsync(health))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
        }

        using (var client = await ForwardTestClient.ConnectAsync(forwardPort, Deadline))
            Assert.True(await client.SendWithAckAsync("load.web", new[] { new Record { ["message"] = NumberedLine(1) } }, "one", Deadline));
        await Eventually.True(async () => (await http.GetAsync(health)).StatusCode == HttpStatusCode.InternalServerError,
            Deadline, () => agent.Stderr);
        using (var response = await http.GetAsync(health))
            Assert.Equal("error\n", await response.Content.ReadAsStringAsync());
        using (var response = await http.GetAsync($"http://127.0.0.1:{metricsPort}/api/v2/health"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("error", detail.GetProperty("status").GetString());
            Assert.True(detail.GetProperty("errors").GetInt64() > 2, detail.ToString());
            Assert.Equal(0, detail.GetProperty("retries_failed").GetInt64());
            Assert.Equal(2, detail.GetProperty("error_limit").GetInt64());
            Assert.Equal(4, detail.GetProperty("period_limit").GetInt64());
        }

        // The destination comes back: the chunk is delivered, errors stop, and once they are a period old the
        // agent is healthy again.
        await using var sink = new TestForwardReceiver(port: sinkPort);
        await Eventually.True(() => sink.Requests.Count == 1, Deadline, () => $"the sink has {sink.Requests.Count} requests; stderr:\n{agent.Stderr}");
        await Eventually.True(async () => (await http.GetAsync(health)).StatusCode == HttpStatusCode.OK, Deadline, () => agent.Stderr);

        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
    }
}
