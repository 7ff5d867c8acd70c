using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Signs an <see cref="HttpRequestMessage"/> with AWS Signature Version 4 for one region and service.
/// <para>
/// Why not AWSSDK.Core's <c>Amazon.Runtime.Signing.AWSSigV4Signer</c> / <c>SigV4SigningHandler</c>: they always add
/// and sign <c>X-Amz-Content-SHA256</c> (an S3 header other services ignore), so their Authorization can never equal
/// the published test vectors', and they re-read the body we already hold as bytes. This class builds the canonical
/// request (the part that depends on how a request is represented) and leaves everything cryptographic — the
/// string to sign, the derived signing key, the HMAC chain and the Authorization value — to AWSSDK.Core's
/// <see cref="AWS4Signer.ComputeSignature(ImmutableCredentials,string,DateTime,string,string,string)"/>.
/// Canonical request rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
/// </para>
/// </summary>
public sealed class SigV4Signer(string region, string service)
{
    public const string DateHeader = "X-Amz-Date";
    public const string SecurityTokenHeader = "X-Amz-Security-Token";

    // Not signed: Authorization is the result, and these are added or rewritten by HTTP stacks and proxies on the
    // way (the same set the AWS SDKs leave out).
    private static readonly HashSet<string> Unsigned = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "user-agent", "connection", "expect", "transfer-encoding", "x-amzn-trace-id", "proxy-authorization",
    };

    public string Region { get; } = region;
    public string Service { get; } = service;

    /// <summary>
    /// Adds <c>Host</c> (when the request has none), <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (temporary
    /// credentials) and <c>Authorization</c>. Every other header already on the request is signed, so add them first.
    /// </summary>
    /// <param name="payload">The exact body bytes that will be sent (empty for none).</param>
    public void Sign(HttpRequestMessage request, ReadOnlySpan<byte> payload, ImmutableCredentials credentials, DateTime signedAtUtc)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("request has no RequestUri", nameof(request));
        request.Headers.Host ??= uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
        request.Headers.Remove("Authorization");
        request.Headers.Remove(DateHeader);
        request.Headers.TryAddWithoutValidation(DateHeader, signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        request.Headers.Remove(SecurityTokenHeader);
        if (credentials.UseToken) request.Headers.TryAddWithoutValidation(SecurityTokenHeader, credentials.Token);

        var headers = CanonicalHeaders(request);
        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(CanonicalPath(uri)).Append('\n')
            .Append(CanonicalQuery(uri)).Append('\n');
        foreach (var (name, value) in headers) canonical.Append(name).Append(':').Append(value).Append('\n');
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(payload)));

        var result = AWS4Signer.ComputeSignature(credentials, Region, signedAtUtc, Service, signedHeaders, canonical.ToString());
        request.Headers.TryAddWithoutValidation("Authorization", result.ForAuthorizationHeader);
    }

    /// <summary>Lower-case names in ordinal order; each value trimmed with inner runs of spaces collapsed, and the
    /// values of a repeated header joined with commas in the order they appear.</summary>
    private static SortedDictionary<string, string> CanonicalHeaders(HttpRequestMessage request)
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add(HttpHeadersNonValidated source)
        {
            foreach (var (name, values) in source)
            {
                if (Unsigned.Contains(name)) continue;
                var key = name.ToLowerInvariant();
                var value = string.Join(',', values.Select(NormalizeValue));
                headers[key] = headers.TryGetValue(key, out var earlier) ? earlier + "," + value : value;
            }
        }
        Add(request.Headers.NonValidated);
        if (request.Content is not null) Add(request.Content.Headers.NonValidated);
        return headers;
    }

    private static string NormalizeValue(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal)) return trimmed;
        var collapsed = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
            if (c != ' ' || collapsed.Length == 0 || collapsed[^1] != ' ') collapsed.Append(c);
        return collapsed.ToString();
    }

    /// <summary>
    /// The path as sent (already percent-encoded once, dot segments removed by <see cref="Uri"/>), with each segment
    /// encoded again: every service but S3 signs the path double-encoded.
    /// </summary>
    private static string CanonicalPath(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (path.Length == 0) return "/";
        return string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
    }

    /// <summary>Parameters decoded, then RFC 3986-encoded and sorted by name and value; <c>name=</c> for a bare name.</summary>
    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) return "";
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add((Uri.EscapeDataString(Uri.UnescapeDataString(name)), Uri.EscapeDataString(Uri.UnescapeDataString(value))));
        }
        return string.Join('&', pairs
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }
}
