using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Util.Internal;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Chooses the credentials an output signs with, in aws-fluent-plugin-kinesis v3's order
/// (kinesis_helper/client.rb, setup_credentials): <c>aws_key_id</c> + <c>aws_sec_key</c> (+ <c>aws_ses_token</c>),
/// then &lt;assume_role_credentials&gt;, &lt;web_identity_credentials&gt;, &lt;instance_profile_credentials&gt;,
/// &lt;shared_credentials&gt;, &lt;process_credentials&gt;, and otherwise the standard AWS chain. As there, the first
/// that is configured wins and the others are ignored. Every temporary source is a
/// <see cref="RefreshingAWSCredentials"/>, which fetches new credentials before the current ones expire.
/// </summary>
public static class AwsCredentialsBuilder
{
    /// <param name="settings">The output's credential parameters.</param>
    /// <param name="region">The output's region: STS is called in it, as the Ruby plugin builds its STS client
    /// with the output's region. Null: the STS default (us-east-1).</param>
    /// <param name="assumeRoleSource">The credentials that call AssumeRole. Null: the standard chain, which is what
    /// aws-sdk-ruby's STS client uses in the Ruby plugin.</param>
    /// <param name="clock">The clock refreshing credentials read to decide they are about to expire (tests).</param>
    public static AWSCredentials Build(AwsCredentialSettings settings, string? region,
        AWSCredentials? assumeRoleSource = null, ITimeProvider? clock = null)
    {
        if (!string.IsNullOrEmpty(settings.AwsKeyId) && !string.IsNullOrEmpty(settings.AwsSecKey))
            return string.IsNullOrEmpty(settings.AwsSesToken)
                ? new BasicAWSCredentials(settings.AwsKeyId, settings.AwsSecKey)
                : new SessionAWSCredentials(settings.AwsKeyId, settings.AwsSecKey, settings.AwsSesToken);
        if (settings.AssumeRole is { } assumeRole)
            return new StsAssumeRoleCredentials(assumeRoleSource ?? new StandardChainCredentials(), assumeRole, region, clock);
        if (settings.WebIdentity is { } webIdentity)
            return new StsWebIdentityCredentials(webIdentity, region, clock);
        if (settings.InstanceProfile is { } instanceProfile)
            return ContainerCredentialsConfigured()
                ? new GenericContainerCredentials()
                : new InstanceMetadataCredentials(instanceProfile, clock);
        if (settings.Shared is { } shared)
            return FromSharedCredentialsFile(shared);
        if (settings.Process is { } process)
            return new ProcessAWSCredentials(process.Process);
        return new StandardChainCredentials();
    }

    // The Ruby plugin takes Aws::ECSCredentials instead of the instance profile when this variable is set; the AWS
    // SDKs also accept the full-URI form (EKS Pod Identity, Greengrass), which GenericContainerCredentials reads too.
    private static bool ContainerCredentialsConfigured() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_FULL_URI"));

    /// <summary>
    /// A profile of a shared credentials file. Defaults as aws-sdk-ruby's Aws::SharedCredentials: the file
    /// <c>AWS_SHARED_CREDENTIALS_FILE</c> or <c>~/.aws/credentials</c>, the profile <c>AWS_PROFILE</c> or <c>default</c>.
    /// The profile may be static keys, a session, a role to assume or a credential_process: AWSSDK.Core's
    /// AWSCredentialsFactory reads every form the AWS CLI writes.
    /// </summary>
    private static AWSCredentials FromSharedCredentialsFile(SharedCredentialsSection shared)
    {
        var file = string.IsNullOrEmpty(shared.Path) ? new SharedCredentialsFile() : new SharedCredentialsFile(shared.Path);
        var profileName = !string.IsNullOrEmpty(shared.ProfileName) ? shared.ProfileName
            : Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } fromEnvironment ? fromEnvironment
            : "default";
        if (!file.TryGetProfile(profileName, out var profile))
            throw new AwsCredentialsException($"profile '{profileName}' not found in shared credentials file {file.FilePath}");
        return AWSCredentialsFactory.GetAWSCredentials(profile, file);
    }
}
