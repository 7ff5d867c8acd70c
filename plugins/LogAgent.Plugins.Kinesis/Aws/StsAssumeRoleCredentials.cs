using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.Util.Internal;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Credentials of a role assumed with STS AssumeRole (&lt;assume_role_credentials&gt;), fetched again before they
/// expire. AWSSDK.Core's own AssumeRoleAWSCredentials builds its STS client internally, so it cannot be pointed at
/// <c>sts_endpoint_url</c>; this class keeps its refresh logic (<see cref="RefreshingAWSCredentials"/>, with the
/// windows of <see cref="RefreshWindow"/>) and calls AWSSDK.SecurityToken's client itself.
/// </summary>
public sealed class StsAssumeRoleCredentials : RefreshingAWSCredentials
{
    private readonly ITimeProvider _clock;
    private readonly AmazonSecurityTokenServiceClient _sts;
    private readonly AssumeRoleCredentialsSection _section;

    public StsAssumeRoleCredentials(AWSCredentials source, AssumeRoleCredentialsSection section, string? region, ITimeProvider? clock = null)
        : base(clock ?? DefaultTimeProvider.Instance)
    {
        _clock = clock ?? DefaultTimeProvider.Instance;
        PreemptExpiryTime = RefreshWindow.Background;
        _section = section;
        _sts = StsClient.Create(source, region, section.StsEndpointUrl, section.StsHttpProxy);
    }

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var request = new AssumeRoleRequest
        {
            RoleArn = _section.RoleArn,
            RoleSessionName = _section.RoleSessionName,
            Policy = _section.Policy,
            DurationSeconds = _section.DurationSeconds,
            ExternalId = _section.ExternalId,
        };
        AssumeRoleResponse response;
        try
        {
            response = await _sts.AssumeRoleAsync(request).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw new AwsCredentialsException($"STS AssumeRole of {_section.RoleArn} failed: {e.ErrorCode} {e.Message}", e);
        }
        return StsCredentials.ToRefreshState(response.Credentials, "AssumeRole", _clock);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _sts.Dispose();
        base.Dispose(disposing);
    }
}
