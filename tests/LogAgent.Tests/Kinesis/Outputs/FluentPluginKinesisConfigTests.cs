using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.Outputs;

/// <summary>
/// &lt;match&gt; blocks as operators of aws-fluent-plugin-kinesis v3 write them (its README's examples and the common
/// forms: static keys, assume-role, instance profile, data_key, zlib, inject, placeholders, aggregated) configure
/// unchanged under <c>logagent --dry-run</c> with the plugin loaded from disk.
/// </summary>
public class FluentPluginKinesisConfigTests
{
    public static TheoryData<string> Matches => new()
    {
        // README: kinesis_streams, minimal
        """
        <match your_tag>
          @type kinesis_streams
          region us-east-1
          stream_name your_stream
          partition_key key  # Otherwise, use random partition key
        </match>
        """,
        // README: kinesis_firehose, minimal
        """
        <match your_tag>
          @type kinesis_firehose
          region us-east-1
          delivery_stream_name your_stream
        </match>
        """,
        // README: kinesis_streams_aggregated
        """
        <match your_tag>
          @type kinesis_streams_aggregated
          region us-east-1
          stream_name your_stream
          # Unlike kinesis_streams, there is no way to use dynamic partition key.
          # fixed_partition_key or random.
        </match>
        """,
        // Keys, assume role, tuned batches, buffer with ${tag}
        """
        <match app.**>
          @type kinesis_streams
          stream_name ${tag}-stream
          region eu-west-1
          aws_key_id AKIAIOSFODNN7EXAMPLE
          aws_sec_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
          retries_on_batch_request 10
          reset_backoff_if_success false
          batch_request_max_count 250
          batch_request_max_size 1048576
          max_record_size 1048576
          log_truncate_max_size 512
          drop_failed_records_after_batch_request_retries true
          monitor_num_of_batch_request_retries true
          <assume_role_credentials>
            duration_seconds 3600
            role_arn arn:aws:iam::123456789012:role/fluentd
            role_session_name fluentd-kinesis
            external_id ext
          </assume_role_credentials>
          <buffer tag>
            @type memory
            flush_interval 1
            chunk_limit_size 1m
            retry_max_times 10
          </buffer>
        </match>
        """,
        // Firehose with data_key, zlib, instance profile, proxy and endpoint
        """
        <match logs.**>
          @type kinesis_firehose
          region us-west-2
          delivery_stream_name to-s3
          data_key log
          compression zlib
          append_new_line false
          http_proxy http://proxy.internal:3128
          endpoint https://firehose.us-west-2.amazonaws.com
          ssl_verify_peer true
          <instance_profile_credentials>
            ip_address 169.254.169.254
            port 80
          </instance_profile_credentials>
        </match>
        """,
        // <inject>, <format>, chomp_record, gzip, shared credentials
        """
        <match web.**>
          @type kinesis_streams
          region ap-northeast-1
          stream_name web
          chomp_record true
          compression gzip
          <inject>
            tag_key tag
            time_key time
            hostname_key host
          </inject>
          <format>
            @type json
          </format>
          <shared_credentials>
            profile_name kinesis
            path /etc/fluent/aws-credentials
          </shared_credentials>
        </match>
        """,
    };

    [Theory]
    [MemberData(nameof(Matches))]
    public void An_existing_match_block_configures_unchanged(string match)
    {
        using var run = new KinesisAgentRun();
        var config = Path.Combine(run.Directory, "fluent.conf");
        File.WriteAllText(config, match);
        var (code, _, stderr) = AgentProcess.Run(TimeSpan.FromSeconds(60), "--dry-run", "-c", config, "-p", Path.Combine(run.Directory, "plugins"));
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("[warn]", stderr);
    }
}
