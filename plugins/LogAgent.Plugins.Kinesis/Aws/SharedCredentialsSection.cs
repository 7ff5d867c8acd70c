using LogAgent.Sdk.Config;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// <c>&lt;shared_credentials&gt;</c>: a profile of the shared credentials file. Names and defaults as
/// aws-fluent-plugin-kinesis v3, kinesis_helper/client.rb, config_section :shared_credentials.
/// </summary>
public sealed class SharedCredentialsSection
{
    [Parameter("path", "Path to the shared file. (default: $HOME/.aws/credentials)")]
    public string? Path { get; set; }

    [Parameter("profile_name", "Profile name. Default to 'default' or ENV['AWS_PROFILE'].")]
    public string? ProfileName { get; set; }
}
