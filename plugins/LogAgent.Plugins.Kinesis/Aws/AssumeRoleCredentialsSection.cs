using LogAgent.Sdk.Config;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// <c>&lt;assume_role_credentials&gt;</c>: sign with a role assumed through STS AssumeRole, using the credentials
/// the rest of the configuration (or the standard chain) gives as the source. Names and defaults as
/// aws-fluent-plugin-kinesis v3, lib/fluent/plugin/kinesis_helper/client.rb, config_section :assume_role_credentials.
/// </summary>
public sealed class AssumeRoleCredentialsSection : IConfigurableSection
{
    [Parameter("role_arn", "The Amazon Resource Name (ARN) of the role to assume.", Required = true)]
    public string RoleArn { get; set; } = "";

    [Parameter("role_session_name", "An identifier for the assumed role session.", Required = true)]
    public string RoleSessionName { get; set; } = "";

    [Parameter("policy", "An IAM policy in JSON format.")]
    public string? Policy { get; set; }

    [Parameter("duration_seconds", "The duration, in seconds, of the role session (900-3600).")]
    public int? DurationSeconds { get; set; }

    [Parameter("external_id", "A unique identifier that is used by third parties when assuming roles in their customers' accounts.")]
    public string? ExternalId { get; set; }

    [Parameter("sts_http_proxy", "A http proxy url for requests to aws sts service.")]
    public string? StsHttpProxy { get; set; }

    [Parameter("sts_endpoint_url", "A URL for a regional STS API endpoint, the default is global.")]
    public string? StsEndpointUrl { get; set; }

    public void Configure(ConfigSection section)
    {
        HttpUrlParameter.Parse(StsEndpointUrl, "sts_endpoint_url", section);
        HttpUrlParameter.Parse(StsHttpProxy, "sts_http_proxy", section);
    }
}
