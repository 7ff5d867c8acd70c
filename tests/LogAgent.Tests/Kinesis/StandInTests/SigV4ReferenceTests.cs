using System.Text;
using LogAgent.Tests.Kinesis.Support;

namespace LogAgent.Tests.Kinesis.StandInTests;

/// <summary>
/// The stand-ins' signature check against AWS's published SigV4 test suite (aws4_testsuite: the .req request, signed with
/// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service", at 20150830T123600Z, gives the
/// .authz header), then the ways a request is refused.
/// </summary>
public class SigV4ReferenceTests
{
    private static readonly TestCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private const string Scope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

    public static TheoryData<string, string, string, string, string, string> Suite => new()
    {
        // name, method, target, content type (or ""), body, published signature
        { "get-vanilla", "GET", "/", "", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", "", "", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
        { "post-vanilla", "POST", "/", "", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
        { "post-x-www-form-urlencoded", "POST", "/", "application/x-www-form-urlencoded", "Param1=value1", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a" },
    };

    private static List<KeyValuePair<string, string>> SuiteHeaders(string contentType)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (contentType.Length > 0) headers.Add(KeyValuePair.Create("Content-Type", contentType));
        headers.Add(KeyValuePair.Create("Host", "example.amazonaws.com"));
        return headers;
    }

    [Theory]
    [MemberData(nameof(Suite))]
    public void Signing_the_published_request_gives_the_published_authorization(string name, string method, string target, string contentType, string body, string signature)
    {
        var added = SigV4Reference.Sign(method, target, SuiteHeaders(contentType), Encoding.UTF8.GetBytes(body), Example, "us-east-1", "service", SuiteTime);
        string signedHeaders = contentType.Length > 0 ? "content-type;host;x-amz-date" : "host;x-amz-date";
        Assert.Equal($"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders={signedHeaders}, Signature={signature}",
            added.Single(h => h.Key == "Authorization").Value);
        Assert.Equal("20150830T123600Z", added.Single(h => h.Key == "X-Amz-Date").Value);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Theory]
    [MemberData(nameof(Suite))]
    public void Verifying_the_published_signed_request_accepts_it(string name, string method, string target, string contentType, string body, string signature)
    {
        var request = SuiteRequest(method, target, contentType, body, signature);
        Assert.Null(SigV4Reference.Verify(request, Example, "us-east-1", "service", SuiteTime));
        Assert.False(string.IsNullOrEmpty(name));
    }

    private static StandInRequest SuiteRequest(string method, string target, string contentType, string body, string signature, string? date = null)
    {
        var headers = SuiteHeaders(contentType);
        headers.Add(KeyValuePair.Create("X-Amz-Date", date ?? "20150830T123600Z"));
        string signedHeaders = contentType.Length > 0 ? "content-type;host;x-amz-date" : "host;x-amz-date";
        headers.Add(KeyValuePair.Create("Authorization", $"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders={signedHeaders}, Signature={signature}"));
        return new StandInRequest(method, target, headers, Encoding.UTF8.GetBytes(body));
    }

    private const string PostVanilla = "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b";

    [Fact]
    public void A_signature_one_digit_off_is_refused_as_a_mismatch()
    {
        var request = SuiteRequest("POST", "/", "", "", "6" + PostVanilla[1..]);
        var failure = SigV4Reference.Verify(request, Example, "us-east-1", "service", SuiteTime);
        Assert.Equal(new SigV4Failure("InvalidSignatureException", SigV4Reference.MismatchMessage), failure);
    }

    [Fact]
    public void A_body_changed_after_signing_is_refused()
    {
        var request = SuiteRequest("POST", "/", "", "tampered", PostVanilla);
        Assert.Equal("InvalidSignatureException", SigV4Reference.Verify(request, Example, "us-east-1", "service", SuiteTime)?.Type);
    }

    [Fact]
    public void The_wrong_secret_is_refused_and_an_unknown_key_is_unrecognized()
    {
        var request = SuiteRequest("POST", "/", "", "", PostVanilla);
        Assert.Equal("InvalidSignatureException", SigV4Reference.Verify(request, Example with { SecretAccessKey = "other" }, "us-east-1", "service", SuiteTime)?.Type);
        Assert.Equal(new SigV4Failure("UnrecognizedClientException", "The security token included in the request is invalid."),
            SigV4Reference.Verify(request, Example with { AccessKeyId = "AKIDOTHER" }, "us-east-1", "service", SuiteTime));
    }

    [Fact]
    public void The_scope_must_name_the_region_and_the_service()
    {
        var request = SuiteRequest("POST", "/", "", "", PostVanilla);
        Assert.Equal(new SigV4Failure("InvalidSignatureException", "Credential should be scoped to a valid region, not 'us-east-1'. "),
            SigV4Reference.Verify(request, Example, "eu-west-1", "service", SuiteTime));
        Assert.Equal(new SigV4Failure("InvalidSignatureException", "Credential should be scoped to correct service: 'kinesis'. "),
            SigV4Reference.Verify(request, Example, "us-east-1", "kinesis", SuiteTime));
    }

    [Fact]
    public void A_signature_more_than_15_minutes_old_or_ahead_is_refused()
    {
        var request = SuiteRequest("POST", "/", "", "", PostVanilla);
        Assert.Null(SigV4Reference.Verify(request, Example, "us-east-1", "service", SuiteTime.AddMinutes(14)));
        var expired = SigV4Reference.Verify(request, Example, "us-east-1", "service", SuiteTime.AddMinutes(16));
        Assert.Equal("InvalidSignatureException", expired?.Type);
        Assert.StartsWith("Signature expired: 20150830T123600Z is now earlier than", expired!.Message);
        Assert.StartsWith("Signature not yet current", SigV4Reference.Verify(request, Example, "us-east-1", "service", SuiteTime.AddMinutes(-16))!.Message);
    }

    [Fact]
    public void A_request_without_authorization_is_missing_its_token()
    {
        var request = new StandInRequest("POST", "/", new[] { KeyValuePair.Create("Host", "example.amazonaws.com") }, Array.Empty<byte>());
        Assert.Equal(new SigV4Failure("MissingAuthenticationTokenException", "Missing Authentication Token"),
            SigV4Reference.Verify(request, Example, "us-east-1", "service", SuiteTime));
    }

    [Fact]
    public void A_session_token_is_signed_and_must_be_the_one_issued()
    {
        var withToken = Example with { SessionToken = "session-token-1" };
        var sent = new List<KeyValuePair<string, string>> { KeyValuePair.Create("Host", "example.amazonaws.com") };
        sent.AddRange(SigV4Reference.Sign("POST", "/", sent.ToList(), "{}"u8, withToken, "us-east-1", "service", SuiteTime));
        Assert.Contains(sent, h => h.Key == "X-Amz-Security-Token" && h.Value == "session-token-1");
        Assert.Contains("x-amz-security-token", sent.Single(h => h.Key == "Authorization").Value);
        var request = new StandInRequest("POST", "/", sent, "{}"u8.ToArray());

        Assert.Null(SigV4Reference.Verify(request, withToken, "us-east-1", "service", SuiteTime));
        Assert.Equal("UnrecognizedClientException",
            SigV4Reference.Verify(request, withToken with { SessionToken = "session-token-2" }, "us-east-1", "service", SuiteTime)?.Type);
    }
}
