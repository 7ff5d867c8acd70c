namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// When temporary credentials are renewed. RefreshingAWSCredentials refreshes in the background once the
/// credentials are within <see cref="Background"/> of expiring (0 unless a subclass sets it; AWSSDK.Core's own
/// AssumeRoleAWSCredentials and ProcessAWSCredentials use 15 minutes, the value taken here), and blocks for new
/// ones within its ExpirationBuffer (1 minute) — so a put is never signed with credentials about to expire.
/// </summary>
internal static class RefreshWindow
{
    public static readonly TimeSpan Background = TimeSpan.FromMinutes(15);
}
