using System.Globalization;
using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Util.Internal;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The EC2 instance role's credentials from the instance metadata service (&lt;instance_profile_credentials&gt;),
/// fetched again before they expire. AWSSDK.Core's InstanceProfileAWSCredentials takes its address only from the
/// process-wide <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c> and has no retry or timeout settings, so this class speaks
/// the metadata protocol itself with the section's <c>ip_address</c>, <c>port</c>, <c>retries</c> and timeouts: IMDSv2
/// (a session token from <c>PUT /latest/api/token</c>), falling back to IMDSv1 when the token call is refused, as
/// aws-sdk-ruby's Aws::InstanceProfileCredentials does. Defaults are that class's: 169.254.169.254:80, 1 retry,
/// 1 s to connect, 1 s to read, a 6 h token.
/// </summary>
public sealed class InstanceMetadataCredentials : RefreshingAWSCredentials
{
    private readonly ITimeProvider _clock;
    private const string TokenTtlSeconds = "21600";
    private const string CredentialsPath = "/latest/meta-data/iam/security-credentials/";

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly int _retries;

    public InstanceMetadataCredentials(InstanceProfileCredentialsSection section, ITimeProvider? clock = null)
        : base(clock ?? DefaultTimeProvider.Instance)
    {
        _clock = clock ?? DefaultTimeProvider.Instance;
        PreemptExpiryTime = RefreshWindow.Background;
        _base = new UriBuilder(Uri.UriSchemeHttp, section.IpAddress ?? "169.254.169.254", section.Port ?? 80).Uri;
        _retries = section.Retries ?? 1;
        // The metadata service is link-local: never through a proxy, whatever HTTP_PROXY says.
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(section.HttpOpenTimeout ?? 1),
        };
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(section.HttpReadTimeout ?? 1) };
    }

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await FetchAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < _retries && e is HttpRequestException or TaskCanceledException or JsonException)
            {
                // aws-sdk-ruby's default backoff between metadata attempts: 1.2^attempt seconds.
                await Task.Delay(TimeSpan.FromSeconds(Math.Pow(1.2, attempt))).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                throw new AwsCredentialsException($"instance metadata service at {_base} gave no credentials: {e.Message}", e);
            }
        }
    }

    private async Task<CredentialsRefreshState> FetchAsync()
    {
        var token = await SessionTokenAsync().ConfigureAwait(false);
        var roles = await GetAsync(CredentialsPath, token).ConfigureAwait(false);
        var role = roles.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? throw new AwsCredentialsException($"instance metadata service at {_base} lists no instance role");
        using var json = JsonDocument.Parse(await GetAsync(CredentialsPath + Uri.EscapeDataString(role), token).ConfigureAwait(false));
        var root = json.RootElement;
        if (root.TryGetProperty("Code", out var code) && code.GetString() != "Success")
            throw new AwsCredentialsException($"instance metadata service at {_base} answered Code {code.GetString()} for role {role}");
        return new CredentialsRefreshState(
            new ImmutableCredentials(root.GetProperty("AccessKeyId").GetString(), root.GetProperty("SecretAccessKey").GetString(),
                root.GetProperty("Token").GetString()),
            DateTime.Parse(root.GetProperty("Expiration").GetString()!, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            _clock);
    }

    /// <summary>An IMDSv2 session token, or null when the service only speaks IMDSv1 (it refuses the PUT).</summary>
    private async Task<string?> SessionTokenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_base, "/latest/api/token"));
        request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", TokenTtlSeconds);
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }

    private async Task<string> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, path));
        if (token is not null) request.Headers.Add("X-aws-ec2-metadata-token", token);
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _http.Dispose();
        base.Dispose(disposing);
    }
}
