using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Reads an AWS JSON 1.1 error response: the code from the <c>x-amzn-ErrorType</c> header, else the body's
/// <c>__type</c> (or <c>code</c>), sanitized (no <c>namespace#</c>, no <c>:url</c>), and the body's <c>message</c> or
/// <c>Message</c> — the order the AWS SDKs use. A body that is not JSON (a proxy's HTML page) keeps only the status.
/// Example: <c>400 {"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard ..."}</c>.
/// </summary>
public static class AwsErrorResponseReader
{
    private const int MaxMessageLength = 512;

    public static AwsApiException Read(string action, int status, HttpResponseHeaders headers, ReadOnlyMemory<byte> body)
    {
        string? code = headers.TryGetValues("x-amzn-ErrorType", out var values) ? AwsErrorCodes.Sanitize(values.FirstOrDefault()) : null;
        string? message = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                code ??= AwsErrorCodes.Sanitize(AwsJson.String(json.RootElement, "__type") ?? AwsJson.String(json.RootElement, "code"));
                message = AwsJson.String(json.RootElement, "message") ?? AwsJson.String(json.RootElement, "Message");
            }
        }
        catch (JsonException)
        {
            message = body.IsEmpty ? null : Truncate(Encoding.UTF8.GetString(body.Span));
        }
        return new AwsApiException(action, AwsFailureKind.ServiceError, code, status, message ?? "(no message)",
            AwsErrorCodes.IsRetryable(code, status));
    }

    private static string Truncate(string text)
    {
        text = text.Trim();
        return text.Length <= MaxMessageLength ? text : text[..MaxMessageLength] + "...";
    }
}
