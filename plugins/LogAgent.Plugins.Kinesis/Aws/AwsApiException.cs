namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>How a whole request failed.</summary>
public enum AwsFailureKind
{
    /// <summary>The service answered with an error (HTTP 4xx/5xx and an AWS error code, when it gave one).</summary>
    ServiceError,
    /// <summary>No complete answer within the request timeout.</summary>
    Timeout,
    /// <summary>The connection could not be opened or broke (refused, reset, DNS, TLS).</summary>
    ConnectionFailed,
    /// <summary>A 2xx answer that is not the JSON the operation returns.</summary>
    MalformedResponse,
    /// <summary>No credentials to sign with (STS, the metadata service or a credential process failed).</summary>
    CredentialsUnavailable,
}

/// <summary>
/// A Kinesis or Firehose request that failed as a whole. <see cref="IsRetryable"/> says whether sending the same
/// request again may succeed (throttling, service-side failures, timeouts, broken connections, expired credentials
/// that have been cleared for a refresh); otherwise retrying cannot help (validation, a missing stream, access or
/// signature errors) and the output should treat its records as unrecoverable.
/// </summary>
public sealed class AwsApiException(
    string operation, AwsFailureKind kind, string? errorCode, int? statusCode, string message, bool isRetryable, Exception? inner = null)
    : Exception(Describe(operation, errorCode, statusCode, message), inner)
{
    /// <summary>The API action, e.g. <c>PutRecords</c>.</summary>
    public string Operation { get; } = operation;
    public AwsFailureKind Kind { get; } = kind;
    /// <summary>The AWS error code without namespace or URL, e.g. <c>ProvisionedThroughputExceededException</c>; null when the service gave none.</summary>
    public string? ErrorCode { get; } = errorCode;
    /// <summary>The HTTP status; null when no response arrived.</summary>
    public int? StatusCode { get; } = statusCode;
    /// <summary>The service's own message (or the transport's).</summary>
    public string ServiceMessage { get; } = message;
    public bool IsRetryable { get; } = isRetryable;
    /// <summary>The service refused the request for its rate (throttling); counted apart from other failures.</summary>
    public bool IsThrottling => AwsErrorCodes.IsThrottling(ErrorCode, StatusCode);

    private static string Describe(string operation, string? errorCode, int? statusCode, string message) =>
        $"{operation} failed: " + (statusCode is { } status ? $"HTTP {status} " : "") + (errorCode is null ? "" : errorCode + ": ") + message;
}
