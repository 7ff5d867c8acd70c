using LogAgent.Plugins.Kinesis.Aws;

using LogAgent.Tests.Kinesis.Support;

namespace LogAgent.Tests.Kinesis;

/// <summary>&lt;instance_profile_credentials&gt; against a local metadata service speaking IMDSv2 (or only v1).</summary>
public class InstanceMetadataCredentialsTests
{
    private const string RoleCredentials = """
        {"Code":"Success","LastUpdated":"2026-03-01T08:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAINSTANCE",
         "SecretAccessKey":"instance-secret","Token":"instance-token","Expiration":"2099-01-01T00:00:00Z"}
        """;

    private static Func<StandInRequest, StandInResponse> MetadataService(bool v2) => request =>
    {
        var path = request.Path;
        if (path == "/latest/api/token")
            return v2 && request.Method == "PUT" && request.HasHeader("X-aws-ec2-metadata-token-ttl-seconds")
                ? StandInResponse.Text(200, "imds-token", "text/plain")
                : StandInResponse.Text(v2 ? 400 : 403, "", "text/plain");
        if (v2 && request.Header("X-aws-ec2-metadata-token") != "imds-token")
            return StandInResponse.Text(401, "", "text/plain");
        return path switch
        {
            "/latest/meta-data/iam/security-credentials/" => StandInResponse.Text(200, "logs-writer", "text/plain"),
            "/latest/meta-data/iam/security-credentials/logs-writer" => StandInResponse.Text(200, RoleCredentials),
            _ => StandInResponse.Text(404, "", "text/plain"),
        };
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_the_instance_roles_credentials_at_the_configured_address(bool v2)
    {
        await using var metadata = LoopbackHttpServer.Answering(MetadataService(v2));
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
