using LogAgent.Plugins.Kinesis.Aws;

namespace LogAgent.Tests.Kinesis;

/// <summary>&lt;instance_profile_credentials&gt; against a local metadata service speaking IMDSv2 (or only v1).</summary>
public class InstanceMetadataCredentialsTests
{
    private const string RoleCredentials = """
        {"Code":"Success","LastUpdated":"2026-03-01T08:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAINSTANCE",
         "SecretAccessKey":"instance-secret","Token":"instance-token","Expiration":"2099-01-01T00:00:00Z"}
        """;

    private static Func<ReceivedRequest, Reply> MetadataService(bool v2) => request =>
    {
        var path = request.Url.AbsolutePath;
        if (path == "/latest/api/token")
            return v2 && request.Method == "PUT" && request.Headers.ContainsKey("X-aws-ec2-metadata-token-ttl-seconds")
                ? new Reply(200, "imds-token", ContentType: "text/plain")
                : new Reply(v2 ? 400 : 403, "", ContentType: "text/plain");
        if (v2 && (!request.Headers.TryGetValue("X-aws-ec2-metadata-token", out var token) || token != "imds-token"))
            return new Reply(401, "", ContentType: "text/plain");
        return path switch
        {
            "/latest/meta-data/iam/security-credentials/" => new Reply(200, "logs-writer", ContentType: "text/plain"),
            "/latest/meta-data/iam/security-credentials/logs-writer" => new Reply(200, RoleCredentials, ContentType: "text/plain"),
            _ => new Reply(404, "", ContentType: "text/plain"),
        };
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_the_instance_roles_credentials_at_the_configured_address(bool v2)
    {
        using var metadata = new LocalHttpServer(MetadataService(v2));
        using var credentials = new InstanceMetadataCredentials(new InstanceProfileCredentialsSection { IpAddress = "127.0.0.1", Port = metadata.Port });
        var resolved = await credentials.GetCredentialsAsync();
        Assert.Equal(("ASIAINSTANCE", "instance-secret", "instance-token"), (resolved.AccessKey, resolved.SecretKey, resolved.Token));
        // Expiration as RefreshingAWSCredentials reports it: the metadata service's, less the ExpirationBuffer.
        Assert.Equal(new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc) - credentials.ExpirationBuffer, credentials.Expiration);
    }

    [Fact]
    public async Task An_unreachable_metadata_service_is_a_credentials_error_after_the_retries()
    {
        using var credentials = new InstanceMetadataCredentials(new InstanceProfileCredentialsSection
        {
            IpAddress = "127.0.0.1", Port = LogAgent.Tests.Support.FreePort.Get(), Retries = 0,
        });
        var error = await Assert.ThrowsAsync<AwsCredentialsException>(() => credentials.GetCredentialsAsync());
        Assert.Contains("instance metadata service at http://127.0.0.1:", error.Message);
    }
}
