using LogAgent.Sdk.Config;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// <c>&lt;web_identity_credentials&gt;</c>: sign with a role assumed through STS AssumeRoleWithWebIdentity, presenting
/// the OIDC token in <c>web_identity_token_file</c> (read again at every refresh: EKS rotates it). Names as
/// aws-fluent-plugin-kinesis v3 (kinesis_helper/client.rb, config_section :web_identity_credentials), where
/// duration_seconds is a time; <c>sts_endpoint_url</c> is LogAgent's addition, as in &lt;assume_role_credentials&gt;.
/// </summary>
public sealed class WebIdentityCredentialsSection : IConfigurableSection
{
    [Parameter("role_arn", "The Amazon Resource Name (ARN) of the role to assume.", Required = true)]
    public string RoleArn { get; set; } = "";

    [Parameter("role_session_name", "An identifier for the assumed role session.", Required = true)]
    public string RoleSessionName { get; set; } = "";

    [Parameter("web_identity_token_file", "The absolute path to the file on disk containing the OIDC token.", Required = true)]
    public string WebIdentityTokenFile { get; set; } = "";

    [Parameter("policy", "An IAM policy in JSON format.")]
    public string? Policy { get; set; }

    [Parameter("duration_seconds", "The duration, in seconds, of the role session (900-43200).", Kind = ParameterKind.Time)]
    public double? DurationSeconds { get; set; }

    [Parameter("sts_endpoint_url", "A URL for a regional STS API endpoint, the default is global.")]
    public string? StsEndpointUrl { get; set; }

    public void Configure(ConfigSection section) => HttpUrlParameter.Parse(StsEndpointUrl, "sts_endpoint_url", section);
}
