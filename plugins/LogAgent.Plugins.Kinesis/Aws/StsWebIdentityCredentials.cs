using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.Util.Internal;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Credentials of a role assumed with STS AssumeRoleWithWebIdentity (&lt;web_identity_credentials&gt;), fetched again
/// before they expire. The token file is read at every refresh because its owner (EKS, for IRSA) rotates it. The
/// call is unsigned — the OIDC token is the proof — so the STS client gets anonymous credentials. Own class rather
/// than AWSSDK.Core's AssumeRoleWithWebIdentityCredentials for the same reason as <see cref="StsAssumeRoleCredentials"/>.
/// </summary>
public sealed class StsWebIdentityCredentials : RefreshingAWSCredentials
{
    private readonly ITimeProvider _clock;
    private readonly AmazonSecurityTokenServiceClient _sts;
    private readonly WebIdentityCredentialsSection _section;

    public StsWebIdentityCredentials(WebIdentityCredentialsSection section, string? region, ITimeProvider? clock = null)
        : base(clock ?? DefaultTimeProvider.Instance)
    {
        _clock = clock ?? DefaultTimeProvider.Instance;
        PreemptExpiryTime = RefreshWindow.Background;
        _section = section;
        _sts = StsClient.Create(new AnonymousAWSCredentials(), region, section.StsEndpointUrl, proxyUrl: null);
    }

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(_section.WebIdentityTokenFile).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AwsCredentialsException($"cannot read web_identity_token_file {_section.WebIdentityTokenFile}: {e.Message}", e);
        }
        var request = new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = _section.RoleArn,
            RoleSessionName = _section.RoleSessionName,
            WebIdentityToken = token,
            Policy = _section.Policy,
            DurationSeconds = _section.DurationSeconds is { } seconds ? (int)seconds : null,
        };
        AssumeRoleWithWebIdentityResponse response;
        try
        {
            response = await _sts.AssumeRoleWithWebIdentityAsync(request).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw new AwsCredentialsException($"STS AssumeRoleWithWebIdentity of {_section.RoleArn} failed: {e.ErrorCode} {e.Message}", e);
        }
        return StsCredentials.ToRefreshState(response.Credentials, "AssumeRoleWithWebIdentity", _clock);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _sts.Dispose();
        base.Dispose(disposing);
    }
}
