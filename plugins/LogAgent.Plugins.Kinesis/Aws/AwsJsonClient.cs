using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using Amazon.Runtime;
using CommunityToolkit.HighPerformance.Buffers;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Sends AWS JSON 1.1 protocol requests — <c>POST /</c> with <c>X-Amz-Target: PREFIX.Action</c> and
/// <c>Content-Type: application/x-amz-json-1.1</c>, SigV4-signed — over one pooled HttpClient, and turns every way a
/// request can fail into an <see cref="AwsApiException"/>. One instance per output: it owns the connection pool.
/// </summary>
public sealed class AwsJsonClient : IDisposable
{
    public const string ContentType = "application/x-amz-json-1.1";

    private static readonly ProductInfoHeaderValue UserAgent =
        new("logagent-kinesis", typeof(AwsJsonClient).Assembly.GetName().Version?.ToString(3) ?? "0");

    private readonly HttpClient _http;
    private readonly SigV4Signer _signer;
    private readonly AWSCredentials _credentials;
    private readonly string _targetPrefix;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _clock;

    /// <param name="endpointPrefix">The service's host prefix, e.g. <c>kinesis</c>, <c>firehose</c>.</param>
    /// <param name="signingService">The SigV4 service name (for Kinesis and Firehose the same as the prefix).</param>
    /// <param name="targetPrefix">The X-Amz-Target prefix: the service's JSON name and API version.</param>
    /// <param name="clock">Signing time (tests).</param>
    public AwsJsonClient(AwsClientOptions options, AWSCredentials credentials, string endpointPrefix, string signingService,
        string targetPrefix, TimeProvider? clock = null)
    {
        Endpoint = options.EndpointFor(endpointPrefix);
        _credentials = credentials;
        _signer = new SigV4Signer(options.Region, signingService);
        _targetPrefix = targetPrefix;
        _requestTimeout = options.RequestTimeout;
        _clock = clock ?? TimeProvider.System;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            // Endpoints behind DNS change addresses; a connection pooled for ever would never notice.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        if (options.HttpProxy is { } proxy) handler.Proxy = new System.Net.WebProxy(proxy);
        if (!options.SslVerifyPeer) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        // Timeouts are per request (below), so that a timeout can be told apart from the caller's cancellation.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri Endpoint { get; }

    /// <summary>Sends one action and parses the body of its 2xx response with <paramref name="parse"/>. The body is
    /// read into pooled memory that is given back once parsed, so <paramref name="parse"/> must not keep it.</summary>
    public async Task<T> SendAsync<T>(string action, ReadOnlyMemory<byte> body, Func<ReadOnlyMemory<byte>, T> parse, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        var credentials = await CredentialsAsync(action).ConfigureAwait(false);

        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", _targetPrefix + "." + action);
        request.Headers.UserAgent.Add(UserAgent);
        _signer.Sign(request, body.Span, credentials, _clock.GetUtcNow().UtcDateTime);

        int status;
        HttpResponseHeaders headers;
        using var responseBody = new ArrayPoolBufferWriter<byte>();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            headers = response.Headers;
            await ReadBodyAsync(response.Content, responseBody, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsApiException(action, AwsFailureKind.Timeout, null, null,
                $"no complete response from {Endpoint} within {_requestTimeout.TotalSeconds:0.###} s", isRetryable: true, e);
        }
        catch (HttpRequestException e)
        {
            throw new AwsApiException(action, AwsFailureKind.ConnectionFailed, null, null, $"{Endpoint}: {e.Message}", isRetryable: true, e);
        }
        catch (IOException e)
        {
            throw new AwsApiException(action, AwsFailureKind.ConnectionFailed, null, null, $"{Endpoint}: {e.Message}", isRetryable: true, e);
        }

        if (status is >= 200 and < 300) return Parse(action, responseBody.WrittenMemory, parse);
        var error = AwsErrorResponseReader.Read(action, status, headers, responseBody.WrittenMemory);
        if (AwsErrorCodes.IsExpiredCredentials(error.ErrorCode)) ForgetCredentials();
        throw error;
    }

    /// <summary>Reads a response body into <paramref name="into"/>; a put's answer has one entry per record (for
    /// Firehose a long RecordId each), which can be past the large-object threshold.</summary>
    private static async Task ReadBodyAsync(HttpContent content, ArrayPoolBufferWriter<byte> into, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        int hint = content.Headers.ContentLength is { } length and > 0 and < int.MaxValue ? (int)length : 4096;
        while (true)
        {
            int read = await stream.ReadAsync(into.GetMemory(Math.Max(hint - into.WrittenCount, 4096)), cancellationToken).ConfigureAwait(false);
            if (read == 0) return;
            into.Advance(read);
        }
    }

    /// <summary>Parses a 2xx body; a body without the operation's documented shape is a malformed response.</summary>
    public static T Parse<T>(string action, ReadOnlyMemory<byte> body, Func<ReadOnlyMemory<byte>, T> parse)
    {
        try
        {
            return parse(body);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            // Retryable: a truncated or garbled answer says nothing about what the service did with the request.
            throw new AwsApiException(action, AwsFailureKind.MalformedResponse, null, null, $"unexpected response: {e.Message}", isRetryable: true, e);
        }
    }

    private async Task<ImmutableCredentials> CredentialsAsync(string action)
    {
        try
        {
            return await _credentials.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AwsCredentialsException or AmazonClientException or HttpRequestException or IOException)
        {
            // Retryable: STS or the metadata service may be back by the next attempt; a configuration error keeps
            // failing until the engine's retry limit sends the chunk on.
            throw new AwsApiException(action, AwsFailureKind.CredentialsUnavailable, null, null, $"no credentials to sign with: {e.Message}", isRetryable: true, e);
        }
    }

    /// <summary>
    /// After ExpiredToken: the cached temporary credentials were still inside their validity as we computed it
    /// (clock skew, a session revoked early), so drop them; the retry then fetches new ones.
    /// </summary>
    private void ForgetCredentials()
    {
        var source = _credentials is StandardChainCredentials chain ? chain.Resolved : _credentials;
        if (source is RefreshingAWSCredentials refreshing) refreshing.ClearCredentials();
    }

    public void Dispose() => _http.Dispose();
}
