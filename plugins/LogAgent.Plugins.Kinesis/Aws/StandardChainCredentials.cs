using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The standard AWS credential chain, used when an output configures no credentials: environment variables
/// (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c>), the shared credentials and config
/// files (<c>AWS_PROFILE</c>), web identity (<c>AWS_WEB_IDENTITY_TOKEN_FILE</c>), the ECS/EKS container endpoint and the
/// EC2 instance metadata service — AWSSDK.Core's <see cref="DefaultAWSCredentialsIdentityResolver"/>.
/// <para>
/// Resolved on first use rather than when the output is configured: on a machine outside EC2 the last step waits
/// for the metadata service to time out, which must not slow down <c>--dry-run</c> or the agent's start. A failed
/// resolution is not cached, so credentials that appear later (a mounted token file) are found on the next call.
/// </para>
/// </summary>
public sealed class StandardChainCredentials : AWSCredentials
{
    // Kept for the agent's lifetime, never disposed: disposing it would dispose the credentials it resolved.
    private readonly DefaultAWSCredentialsIdentityResolver _resolver = new();
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private AWSCredentials? _resolved;

    /// <summary>The source the chain settled on; null before the first successful resolution.</summary>
    public AWSCredentials? Resolved => _resolved;

    public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

    public override async Task<ImmutableCredentials> GetCredentialsAsync() =>
        await (await ResolveAsync().ConfigureAwait(false)).GetCredentialsAsync().ConfigureAwait(false);

    /// <summary>Resolves the chain once; later calls return the same source.</summary>
    public async Task<AWSCredentials> ResolveAsync()
    {
        if (_resolved is { } resolved) return resolved;
        await _resolving.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_resolved is null)
            {
                try
                {
                    _resolved = await _resolver.ResolveIdentityAsync(clientConfig: null, CancellationToken.None).ConfigureAwait(false);
                }
                catch (AmazonClientException e)
                {
                    throw new AwsCredentialsException("no AWS credentials configured and none found by the standard chain " +
                        "(environment, shared credentials file, web identity, container or instance metadata): " + e.Message, e);
                }
            }
            return _resolved;
        }
        finally
        {
            _resolving.Release();
        }
    }
}
