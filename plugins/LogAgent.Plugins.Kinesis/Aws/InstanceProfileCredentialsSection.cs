using LogAgent.Sdk.Config;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// <c>&lt;instance_profile_credentials&gt;</c>: the EC2 instance role from the instance metadata service (or, when
/// <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c> / <c>_FULL_URI</c> is set, the ECS task role, as the Ruby plugin picks
/// Aws::ECSCredentials then). Names as aws-fluent-plugin-kinesis v3, kinesis_helper/client.rb; unset values take the
/// defaults of aws-sdk-ruby's Aws::InstanceProfileCredentials, given in <see cref="InstanceMetadataCredentials"/>.
/// </summary>
public sealed class InstanceProfileCredentialsSection
{
    [Parameter("retries", "Number of times to retry when retrieving credentials.")]
    public int? Retries { get; set; }

    [Parameter("ip_address", "IP address (default:169.254.169.254).")]
    public string? IpAddress { get; set; }

    [Parameter("port", "Port number (default:80).")]
    public int? Port { get; set; }

    [Parameter("http_open_timeout", "Number of seconds to wait for the connection to open.")]
    public double? HttpOpenTimeout { get; set; }

    [Parameter("http_read_timeout", "Number of seconds to wait for one block to be read.")]
    public double? HttpReadTimeout { get; set; }
}
