using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The AWSSDK.SecurityToken client that assume-role and web-identity credentials call, configured as the Ruby
/// plugin configures its Aws::STS::Client (kinesis_helper/client.rb): the output's region, and
/// <c>sts_endpoint_url</c> / <c>sts_http_proxy</c> when given. A custom endpoint is how a private STS endpoint
/// (VPC) — or a test's local STS — is reached; requests are still signed for the region.
/// </summary>
internal static class StsClient
{
    // STS's own default when a client names no region (its global endpoint lives in us-east-1).
    private const string DefaultRegion = "us-east-1";

    public static AmazonSecurityTokenServiceClient Create(AWSCredentials credentials, string? region, string? endpointUrl, string? proxyUrl)
    {
        var config = new AmazonSecurityTokenServiceConfig();
        if (string.IsNullOrEmpty(endpointUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region ?? DefaultRegion);
        }
        else
        {
            config.ServiceURL = endpointUrl;
            config.AuthenticationRegion = region ?? DefaultRegion;
        }
        if (!string.IsNullOrEmpty(proxyUrl)) config.SetWebProxy(new WebProxy(new Uri(proxyUrl)));
        return new AmazonSecurityTokenServiceClient(credentials, config);
    }
}
