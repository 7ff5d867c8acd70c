using LogAgent.Sdk.Config;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// <c>&lt;process_credentials&gt;</c>: run a command that prints credentials as the AWS CLI's credential_process JSON
/// (<c>{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ..., "Expiration": ...}</c>), again
/// before they expire. Name as aws-fluent-plugin-kinesis v3, kinesis_helper/client.rb, config_section :process_credentials.
/// </summary>
public sealed class ProcessCredentialsSection
{
    [Parameter("process", "External process to execute.", Required = true)]
    public string Process { get; set; } = "";
}
