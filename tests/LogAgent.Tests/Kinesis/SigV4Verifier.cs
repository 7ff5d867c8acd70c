using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using LogAgent.Plugins.Kinesis.Aws;

namespace LogAgent.Tests.Kinesis;

/// <summary>
/// Checks, as a service would, that a request that arrived was signed with a given secret: rebuilds the request
/// from the headers its Authorization says were signed, signs that again and compares. The requests it checks in
/// these tests come from our client and from AWSSDK.SecurityToken's own signer, so agreement with the latter also
/// checks <see cref="SigV4Signer"/> against an independent implementation.
/// </summary>
public static partial class SigV4Verifier
{
    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, SignedHeaders=(?<signed>[a-z0-9;\-]+), Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    public sealed record Authorization(string AccessKey, string Region, string Service, string[] SignedHeaders, string Signature);

    public static Authorization Parse(ReceivedRequest request)
    {
        var match = AuthorizationPattern().Match(request.Header("Authorization"));
        Assert.True(match.Success, "Authorization header not SigV4: " + request.Header("Authorization"));
        return new Authorization(match.Groups["key"].Value, match.Groups["region"].Value, match.Groups["service"].Value,
            match.Groups["signed"].Value.Split(';'), match.Groups["signature"].Value);
    }

    /// <summary>Whether <paramref name="request"/> carries a valid signature by <paramref name="accessKey"/> / <paramref name="secretKey"/>.</summary>
    public static bool IsSignedBy(ReceivedRequest request, string accessKey, string secretKey)
    {
        var authorization = Parse(request);
        if (authorization.AccessKey != accessKey) return false;
        var signedAt = DateTime.ParseExact(request.Header("X-Amz-Date"), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var copy = new HttpRequestMessage(new HttpMethod(request.Method), request.Url) { Content = new ByteArrayContent(request.Body) };
        foreach (var name in authorization.SignedHeaders)
        {
            if (name is "x-amz-date" or "x-amz-security-token") continue; // the signer adds these itself
            var value = request.Header(name);
            if (name == "host") copy.Headers.Host = value;
            else if (!copy.Headers.TryAddWithoutValidation(name, value)) copy.Content.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.TryGetValue("X-Amz-Security-Token", out var token);
        new SigV4Signer(authorization.Region, authorization.Service).Sign(copy, request.Body, new ImmutableCredentials(accessKey, secretKey, token), signedAt);
        return copy.Headers.GetValues("Authorization").Single() == request.Header("Authorization");
    }
}
