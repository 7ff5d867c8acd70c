using Amazon.Runtime;
using Amazon.Util.Internal;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>Turns the <c>Credentials</c> element of an STS response into what RefreshingAWSCredentials caches.</summary>
internal static class StsCredentials
{
    public static RefreshingAWSCredentials.CredentialsRefreshState ToRefreshState(Amazon.SecurityToken.Model.Credentials? credentials, string action, ITimeProvider clock)
    {
        if (credentials?.AccessKeyId is null || credentials.SecretAccessKey is null || credentials.Expiration is null)
            throw new AwsCredentialsException($"STS {action} answered without complete Credentials");
        return new RefreshingAWSCredentials.CredentialsRefreshState(
            new ImmutableCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
            credentials.Expiration.Value.ToUniversalTime(),
            // The state judges its own expiry with this clock: it must be the one the credentials object uses.
            clock);
    }
}
