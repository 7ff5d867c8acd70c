using Amazon.Runtime;
using LogAgent.Sdk.Config;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The connection and credential parameters every plugin of this assembly takes, with aws-fluent-plugin-kinesis's
/// names (kinesis_helper/client.rb): <c>region</c>, <c>endpoint</c>, <c>http_proxy</c>, <c>ssl_verify_peer</c>,
/// <c>aws_key_id</c> / <c>aws_sec_key</c> / <c>aws_ses_token</c> and the credential sections. The outputs and the
/// consumer input each declare them as [Parameter] / [Section] properties (the SDK binds a plugin's own properties
/// only); what is done with them is here once: <see cref="AwsClientParameters"/>.
/// </summary>
public interface IAwsClientParameters
{
    string? Region { get; }
    string? Endpoint { get; }
    string? HttpProxy { get; }
    bool SslVerifyPeer { get; }
    string? AwsKeyId { get; }
    string? AwsSecKey { get; }
    string? AwsSesToken { get; }
    AssumeRoleCredentialsSection? AssumeRoleCredentials { get; }
    WebIdentityCredentialsSection? WebIdentityCredentials { get; }
    InstanceProfileCredentialsSection? InstanceProfileCredentials { get; }
    SharedCredentialsSection? SharedCredentials { get; }
    ProcessCredentialsSection? ProcessCredentials { get; }
}

/// <summary>Checks <see cref="IAwsClientParameters"/> at configuration time and turns them into client options and credentials.</summary>
public static class AwsClientParameters
{
    /// <summary>The URLs parse and a region is known (given, or from the environment); else a config error naming the line.</summary>
    public static void Validate(IAwsClientParameters parameters, ConfigSection config, string pluginName)
    {
        HttpUrlParameter.Parse(parameters.Endpoint, "endpoint", config);
        HttpUrlParameter.Parse(parameters.HttpProxy, "http_proxy", config);
        if (AwsClientOptions.RegionFromConfigOrEnvironment(parameters.Region) is null)
            throw new ConfigException($"{pluginName}: 'region' is required (or set AWS_REGION)", config);
    }

    public static AwsClientOptions ClientOptions(this IAwsClientParameters parameters) => new()
    {
        Region = AwsClientOptions.RegionFromConfigOrEnvironment(parameters.Region)!,
        Endpoint = parameters.Endpoint is { Length: > 0 } e ? new Uri(e) : null,
        HttpProxy = parameters.HttpProxy is { Length: > 0 } p ? new Uri(p) : null,
        SslVerifyPeer = parameters.SslVerifyPeer,
    };

    public static AWSCredentials Credentials(this IAwsClientParameters parameters) => AwsCredentialsBuilder.Build(new AwsCredentialSettings
    {
        AwsKeyId = parameters.AwsKeyId,
        AwsSecKey = parameters.AwsSecKey,
        AwsSesToken = parameters.AwsSesToken,
        AssumeRole = parameters.AssumeRoleCredentials,
        WebIdentity = parameters.WebIdentityCredentials,
        InstanceProfile = parameters.InstanceProfileCredentials,
        Shared = parameters.SharedCredentials,
        Process = parameters.ProcessCredentials,
    }, AwsClientOptions.RegionFromConfigOrEnvironment(parameters.Region));
}
