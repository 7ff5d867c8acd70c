namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Which AWS errors are worth retrying. The sets follow the AWS SDKs' standard retry mode (throttling and transient
/// error codes, HTTP 429/500/502/503/504: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html)
/// plus the Kinesis and Firehose codes their API references list as transient (KMSThrottlingException,
/// LimitExceededException). Everything else in 4xx — ValidationException, InvalidArgumentException,
/// ResourceNotFoundException, AccessDeniedException, UnrecognizedClientException, InvalidSignatureException, the
/// other KMS errors — needs an operator, not another attempt.
/// </summary>
public static class AwsErrorCodes
{
    private static readonly HashSet<string> Throttling = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
        "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "KMSThrottlingException",
    };

    private static readonly HashSet<string> Transient = new(StringComparer.Ordinal)
    {
        "InternalFailure", "InternalError", "InternalServerError", "ServiceUnavailable", "ServiceUnavailableException",
        "RequestTimeout", "RequestTimeoutException",
        // A request signed with a clock that drifted: the next attempt is signed anew.
        "RequestExpired", "RequestTimeTooSkewed",
    };

    /// <summary>Temporary credentials ran out between being fetched and being used; fetch new ones and retry.</summary>
    private static readonly HashSet<string> ExpiredCredentials = new(StringComparer.Ordinal)
    {
        "ExpiredToken", "ExpiredTokenException",
    };

    public static bool IsThrottling(string? errorCode, int? statusCode) =>
        (errorCode is not null && Throttling.Contains(errorCode)) || statusCode == 429;

    /// <summary>
    /// Whether a record that failed inside a successful put answer was refused for the rate: Kinesis says so with
    /// ProvisionedThroughputExceededException; Firehose has no throttling code for records and answers
    /// ServiceUnavailableException "Slow down." when a delivery stream's throughput is exceeded (Firehose API
    /// reference, PutRecordBatch: a failed record's ErrorCode is ServiceUnavailableException or InternalFailure;
    /// "Amazon Data Firehose Quota": over the limits puts get ServiceUnavailableException). Kinesis never answers that
    /// code per record (PutRecords: ProvisionedThroughputExceededException or InternalFailure), so it means the same
    /// for both outputs.
    /// </summary>
    public static bool IsRecordThrottling(string? errorCode) =>
        IsThrottling(errorCode, null) || errorCode == "ServiceUnavailableException";

    public static bool IsExpiredCredentials(string? errorCode) => errorCode is not null && ExpiredCredentials.Contains(errorCode);

    /// <summary>Whether a service error response is worth retrying.</summary>
    public static bool IsRetryable(string? errorCode, int statusCode) =>
        IsThrottling(errorCode, statusCode)
        || (errorCode is not null && Transient.Contains(errorCode))
        || IsExpiredCredentials(errorCode)
        || statusCode >= 500;

    /// <summary>The bare code from an <c>x-amzn-ErrorType</c> or <c>__type</c> value: without a trailing <c>:url</c>
    /// or a leading <c>namespace#</c> (e.g. <c>com.amazonaws.kinesis.v20131202#ResourceNotFoundException</c>).</summary>
    public static string? Sanitize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var code = raw.Trim();
        int colon = code.IndexOf(':');
        if (colon >= 0) code = code[..colon];
        int hash = code.IndexOf('#');
        if (hash >= 0) code = code[(hash + 1)..];
        return code.Length == 0 ? null : code;
    }
}
