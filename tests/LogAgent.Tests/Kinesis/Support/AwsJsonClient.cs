using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LogAgent.Tests.Kinesis.Support;

/// <summary>An answer of an AWS JSON 1.1 API: its HTTP status and body, and for an error its <c>__type</c> and message.</summary>
public sealed record AwsJsonResponse(int Status, string Body, string? ErrorTypeHeader)
{
    public bool IsSuccess => Status == 200;

    /// <summary>The error's <c>__type</c> (without any "namespace#" prefix); null on success.</summary>
    public string? ErrorType => IsSuccess ? null : Json.TryGetProperty("__type", out var t) ? t.GetString()!.Split('#')[^1] : null;
    public string? ErrorMessage => IsSuccess ? null : Json.TryGetProperty("message", out var m) ? m.GetString() : null;

    public JsonElement Json => JsonDocument.Parse(Body.Length == 0 ? "{}" : Body).RootElement;
}

/// <summary>An AWS error answer turned into an exception by <see cref="AwsJsonClient.CallAsync"/>.</summary>
public sealed class AwsErrorException(AwsJsonResponse response)
    : Exception($"HTTP {response.Status} {response.ErrorType}: {response.ErrorMessage ?? response.Body}")
{
    public AwsJsonResponse Response { get; } = response;
}

/// <summary>
/// A plain HttpClient speaking an AWS JSON 1.1 API (<c>X-Amz-Target: {prefix}.{Operation}</c>, content type
/// application/x-amz-json-1.1), signed with <see cref="SigV4Reference"/> when given credentials, else with a dummy
/// SigV4-shaped Authorization header (kinesalite checks only its shape).
/// </summary>
public class AwsJsonClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _targetPrefix;
    private readonly string _service;

    public AwsJsonClient(Uri endpoint, string targetPrefix, string service, TestCredentials? credentials = null,
        string region = "us-east-1", TimeSpan? timeout = null)
    {
        Endpoint = endpoint;
        _targetPrefix = targetPrefix;
        _service = service;
        Credentials = credentials;
        Region = region;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
    }

    public Uri Endpoint { get; }
    public TestCredentials? Credentials { get; }
    public string Region { get; }

    /// <summary>The clock the signature is dated with (tests move it to check the allowed skew).</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    public static byte[] Serialize(object body) => JsonSerializer.SerializeToUtf8Bytes(body);

    /// <summary>Sends one operation; <paramref name="tamper"/> may change the request after it was signed.</summary>
    public async Task<AwsJsonResponse> SendAsync(string operation, byte[] body, Action<HttpRequestMessage>? tamper = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        string target = $"{_targetPrefix}.{operation}";
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);

        if (Credentials is null)
        {
            string date = Clock().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'");
            request.Headers.TryAddWithoutValidation("X-Amz-Date", date);
            request.Headers.TryAddWithoutValidation("Authorization",
                $"AWS4-HMAC-SHA256 Credential=AKIDDUMMY/{date[..8]}/{Region}/{_service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000");
        }
        else
        {
            var signed = new[]
            {
                KeyValuePair.Create("Host", Endpoint.Authority),
                KeyValuePair.Create("Content-Type", "application/x-amz-json-1.1"),
                KeyValuePair.Create("X-Amz-Target", target),
            };
            foreach (var h in SigV4Reference.Sign("POST", Endpoint.PathAndQuery, signed, body, Credentials, Region, _service, Clock()))
                request.Headers.TryAddWithoutValidation(h.Key, h.Value);
        }
        tamper?.Invoke(request);

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First() : null;
        return new AwsJsonResponse((int)response.StatusCode, text, errorType);
    }

    public Task<AwsJsonResponse> SendAsync(string operation, object body, CancellationToken cancellationToken = default) =>
        SendAsync(operation, Serialize(body), null, cancellationToken);

    /// <summary>Sends one operation and returns its JSON answer; an error answer throws <see cref="AwsErrorException"/>.</summary>
    public async Task<JsonElement> CallAsync(string operation, object body, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(operation, body, cancellationToken);
        if (!response.IsSuccess) throw new AwsErrorException(response);
        return response.Json;
    }

    public static string Utf8(byte[] data) => Encoding.UTF8.GetString(data);

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
