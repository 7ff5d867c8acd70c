namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The credential parameters of an output as the operator wrote them: <c>aws_key_id</c>, <c>aws_sec_key</c>,
/// <c>aws_ses_token</c> and at most one of each credential section. An output declares these as its own
/// [Parameter] / [Section] properties and copies them here; <see cref="AwsCredentialsBuilder"/> turns them into
/// credentials.
/// </summary>
public sealed record AwsCredentialSettings
{
    public string? AwsKeyId { get; init; }
    public string? AwsSecKey { get; init; }
    public string? AwsSesToken { get; init; }
    public AssumeRoleCredentialsSection? AssumeRole { get; init; }
    public WebIdentityCredentialsSection? WebIdentity { get; init; }
    public InstanceProfileCredentialsSection? InstanceProfile { get; init; }
    public SharedCredentialsSection? Shared { get; init; }
    public ProcessCredentialsSection? Process { get; init; }
}
