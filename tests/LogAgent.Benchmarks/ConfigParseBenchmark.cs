using BenchmarkDotNet.Attributes;
using LogAgent.Core.Config;

namespace LogAgent.Benchmarks;

/// <summary>Parsing a typical td-agent config (sources, filters, copy with stores, labels, embedded Ruby).</summary>
[MemoryDiagnoser]
public class ConfigParseBenchmark
{
    private const string Config = """
        <system>
          log_level info
        </system>
        <source>
          @type sample
          tag nginx.access
          sample {"message":"GET / 200"}
        </source>
        <filter nginx.**>
          @type record_transformer
          <record>
            hostname "#{ENV['HOSTNAME'] || 'web-1'}"
            tag ${tag}
          </record>
        </filter>
        <match nginx.**>
          @type copy
          <store>
            @type file
            path /var/log/agent/${tag}/%Y%m%d
            <format>
              @type json
            </format>
          </store>
          <store ignore_error>
            @type stdout
          </store>
        </match>
        <label @ERROR>
          <match **>
            @type null
          </match>
        </label>
        """;

    [Benchmark]
    public int ParseTypicalConfig() => ConfigLoader.Parse(Config, "bench.conf", ".").Sections.Count;
}
