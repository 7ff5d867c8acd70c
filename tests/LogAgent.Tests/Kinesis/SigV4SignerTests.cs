using System.Text;
using Amazon.Runtime;
using LogAgent.Plugins.Kinesis.Aws;

namespace LogAgent.Tests.Kinesis;

/// <summary>
/// The signer against AWS's published SigV4 test suite (aws-c-auth, tests/aws-signing-test-suite/v4/NAME/
/// header-signed-request.txt): credentials AKIDEXAMPLE, region us-east-1, service "service", 20150830T123600Z.
/// Each test asserts the whole Authorization header the suite publishes.
/// </summary>
public class SigV4SignerTests
{
    private static readonly DateTime SuiteTime = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);
    private static readonly ImmutableCredentials SuiteCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private const string SuiteSessionToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/" +
        "qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+" +
        "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
    private const string Scope = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

    private static string Sign(HttpRequestMessage request, string body = "", ImmutableCredentials? credentials = null)
    {
        new SigV4Signer("us-east-1", "service").Sign(request, Encoding.UTF8.GetBytes(body), credentials ?? SuiteCredentials, SuiteTime);
        return request.Headers.GetValues("Authorization").Single();
    }

    [Fact]
    public void Get_vanilla()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", Sign(request));
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("example.amazonaws.com", request.Headers.Host);
    }

    [Fact]
    public void Post_vanilla()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/");
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", Sign(request));
    }

    [Fact]
    public void Get_vanilla_query_order_key_case()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/?Param2=value2&Param1=value1");
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", Sign(request));
    }

    [Fact]
    public void Get_header_key_duplicate()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        request.Headers.TryAddWithoutValidation("My-Header1", "value2");
        request.Headers.TryAddWithoutValidation("My-Header1", "value2");
        request.Headers.TryAddWithoutValidation("My-Header1", "value1");
        Assert.Equal(Scope + "SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea", Sign(request));
    }

    [Fact]
    public void Get_header_value_trim()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        request.Headers.TryAddWithoutValidation("My-Header1", " value1");
        request.Headers.TryAddWithoutValidation("My-Header2", " \"a   b   c\"");
        Assert.Equal(Scope + "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736", Sign(request));
    }

    [Fact]
    public void Post_sts_header_before_signs_the_session_token()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/");
        var authorization = Sign(request, credentials: new ImmutableCredentials(SuiteCredentials.AccessKey, SuiteCredentials.SecretKey, SuiteSessionToken));
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead", authorization);
        Assert.Equal(SuiteSessionToken, request.Headers.GetValues("X-Amz-Security-Token").Single());
    }

    [Fact]
    public void Post_x_www_form_urlencoded_signs_the_body_and_content_headers()
    {
        // aws-c-auth's version of this vector also sends and signs x-amz-content-sha256 (the body's SHA-256).
        const string body = "Param1=value1";
        var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        request.Content.Headers.ContentLength = 13;
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
        Assert.Equal(Scope + "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
            Sign(request, body));
    }

    [Fact]
    public void A_changed_body_changes_the_signature()
    {
        var first = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/");
        var second = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/");
        Assert.NotEqual(Sign(first, "{}"), Sign(second, "{ }"));
    }

    [Fact]
    public void A_non_default_port_is_part_of_the_signed_host()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4567/");
        Sign(request);
        Assert.Equal("127.0.0.1:4567", request.Headers.Host);
    }
}
