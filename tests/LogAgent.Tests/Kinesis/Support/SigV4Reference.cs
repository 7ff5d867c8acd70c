using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LogAgent.Tests.Kinesis.Support;

/// <summary>The keys the stand-ins accept. <see cref="Default"/> is what tests and the benchmark configure the agent with.</summary>
public sealed record TestCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public static TestCredentials Default { get; } = new("AKIDLOGAGENTTEST0001", "logagent/test/secret+key/0123456789abcdefABCD");
}

/// <summary>The fields of a SigV4 Authorization header.</summary>
public sealed record SigV4Authorization(string AccessKey, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature);

/// <summary>Why a request's signature was refused, as AWS names it (the <c>__type</c> of the 400 answer).</summary>
public sealed record SigV4Failure(string Type, string Message);

/// <summary>
/// AWS Signature Version 4 (AWS4-HMAC-SHA256, signature in the Authorization header), written from AWS's
/// specification for the stand-ins to check what the agent signs — independent of AWSSDK.Core, which the agent signs
/// with, so a bug in how the agent uses the SDK cannot hide behind the same code on both sides. Proven against AWS's
/// published test suite (get-vanilla, get-vanilla-query-order-key-case, post-vanilla, post-x-www-form-urlencoded).
/// Canonical URI: each path segment URI-encoded once more as sent (every service but S3 double-encodes).
/// </summary>
public static class SigV4Reference
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>AWS refuses a request whose X-Amz-Date is more than 15 minutes from its own clock.</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(15);

    public const string MismatchMessage = "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    /// <summary>
    /// Signs a request: returns the headers to add (X-Amz-Date, X-Amz-Security-Token when there is a session token,
    /// Authorization). <paramref name="headers"/> are the headers sent besides those; all of them are signed.
    /// </summary>
    public static List<KeyValuePair<string, string>> Sign(string method, string target, IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlySpan<byte> body, TestCredentials credentials, string region, string service, DateTimeOffset time)
    {
        string amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var added = new List<KeyValuePair<string, string>> { KeyValuePair.Create("X-Amz-Date", amzDate) };
        if (credentials.SessionToken is not null) added.Add(KeyValuePair.Create("X-Amz-Security-Token", credentials.SessionToken));
        var all = headers.Concat(added).ToList();
        var signedHeaders = all.Select(h => h.Key.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
        string scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        string signature = Signature(credentials.SecretAccessKey, amzDate, scope,
            CanonicalRequest(method, target, all, signedHeaders, HexSha256(body)));
        added.Add(KeyValuePair.Create("Authorization",
            $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={string.Join(';', signedHeaders)}, Signature={signature}"));
        return added;
    }

    /// <summary>
    /// Checks a request's Authorization header against <paramref name="credentials"/>: null when it is right, else the
    /// error AWS answers with (MissingAuthenticationTokenException, IncompleteSignatureException,
    /// UnrecognizedClientException, InvalidSignatureException).
    /// </summary>
    public static SigV4Failure? Verify(StandInRequest request, TestCredentials credentials, string region, string service, DateTimeOffset now)
    {
        var authorization = request.Header("Authorization");
        if (authorization is null) return new("MissingAuthenticationTokenException", "Missing Authentication Token");
        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            return new("IncompleteSignatureException", $"Unsupported authorization type. Authorization={authorization}");

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq > 0) fields[part[..eq]] = part[(eq + 1)..];
        }
        var missing = new[] { "Credential", "SignedHeaders", "Signature" }.Where(f => !fields.ContainsKey(f)).ToList();
        var amzDate = request.Header("X-Amz-Date");
        if (missing.Count > 0 || amzDate is null)
        {
            var message = string.Concat(missing.Select(f => $"Authorization header requires '{f}' parameter. "));
            if (amzDate is null) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
            return new("IncompleteSignatureException", message + "Authorization=" + authorization);
        }

        var credential = fields["Credential"].Split('/');
        if (credential.Length != 5 || credential[4] != "aws4_request")
            return new("IncompleteSignatureException", $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{fields["Credential"]}'");
        if (credential[0] != credentials.AccessKeyId)
            return new("UnrecognizedClientException", "The security token included in the request is invalid.");
        var token = request.Header("X-Amz-Security-Token");
        if (credentials.SessionToken is not null && token != credentials.SessionToken)
            return new("UnrecognizedClientException", "The security token included in the request is invalid.");

        if (!DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
            return new("IncompleteSignatureException", $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'.");
        string nowText = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        if (signedAt < now.UtcDateTime - AllowedClockSkew)
            return new("InvalidSignatureException", $"Signature expired: {amzDate} is now earlier than {(now.UtcDateTime - AllowedClockSkew):yyyyMMdd'T'HHmmss'Z'} ({nowText} - 15 min.)");
        if (signedAt > now.UtcDateTime + AllowedClockSkew)
            return new("InvalidSignatureException", $"Signature not yet current: {amzDate} is still later than {(now.UtcDateTime + AllowedClockSkew):yyyyMMdd'T'HHmmss'Z'} ({nowText} + 15 min.)");
        if (credential[1] != amzDate[..8])
            return new("InvalidSignatureException", $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{credential[1]}' != '{amzDate[..8]}', from '{amzDate}'.");
        if (credential[2] != region)
            return new("InvalidSignatureException", $"Credential should be scoped to a valid region, not '{credential[2]}'. ");
        if (credential[3] != service)
            return new("InvalidSignatureException", $"Credential should be scoped to correct service: '{service}'. ");

        var signedHeaders = fields["SignedHeaders"].Split(';').ToList();
        if (!signedHeaders.Contains("host"))
            return new("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        if (!signedHeaders.Contains("x-amz-date"))
            return new("InvalidSignatureException", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
        if (token is not null && !signedHeaders.Contains("x-amz-security-token"))
            return new("InvalidSignatureException", "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.");

        // The payload is hashed as received: a body changed after signing, or an X-Amz-Content-SHA256 header that
        // does not match the body, fails here.
        var canonical = CanonicalRequest(request.Method, request.Target, request.Headers, signedHeaders, HexSha256(request.Body));
        var expected = Signature(credentials.SecretAccessKey, amzDate, string.Join('/', credential.Skip(1)), canonical);
        var given = fields["Signature"];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given)))
            return new("InvalidSignatureException", MismatchMessage);
        var contentHash = request.Header("X-Amz-Content-SHA256");
        if (contentHash is not null && contentHash != HexSha256(request.Body))
            return new("InvalidSignatureException", MismatchMessage);
        return null;
    }

    /// <summary>The Authorization header's credential scope, signed headers and signature; null when it is absent or not SigV4.</summary>
    public static SigV4Authorization? ParseAuthorization(StandInRequest request)
    {
        var authorization = request.Header("Authorization");
        if (authorization is null || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal)) return null;
        var fields = authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("Credential", out var credential) || !fields.TryGetValue("SignedHeaders", out var signed)
            || !fields.TryGetValue("Signature", out var signature)) return null;
        var scope = credential.Split('/');
        return scope.Length == 5 ? new SigV4Authorization(scope[0], scope[1], scope[2], scope[3], signed.Split(';'), signature) : null;
    }

    /// <summary>
    /// Whether a request carries a valid signature by <paramref name="credentials"/>, for the region and service its own
    /// credential scope names, judged at the time it says it was signed (client tests sign with a fixed clock).
    /// </summary>
    public static bool IsSignedBy(StandInRequest request, TestCredentials credentials)
    {
        var authorization = ParseAuthorization(request);
        var amzDate = request.Header("X-Amz-Date");
        if (authorization is null || amzDate is null) return false;
        var signedAt = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return Verify(request, credentials, authorization.Region, authorization.Service, new DateTimeOffset(signedAt, TimeSpan.Zero)) is null;
    }

    /// <summary>The canonical request of the specification (method, URI, query, headers, signed header list, payload hash).</summary>
    public static string CanonicalRequest(string method, string target, IEnumerable<KeyValuePair<string, string>> headers,
        IReadOnlyList<string> signedHeaders, string payloadHash)
    {
        var parts = target.Split('?', 2);
        var sb = new StringBuilder();
        sb.Append(method).Append('\n');
        sb.Append(CanonicalUri(parts[0])).Append('\n');
        sb.Append(CanonicalQuery(parts.Length == 2 ? parts[1] : "")).Append('\n');
        var byName = headers.GroupBy(h => h.Key.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Select(h => h.Value).ToList());
        foreach (var name in signedHeaders)
        {
            var values = byName.TryGetValue(name, out var v) ? v : new List<string>();
            sb.Append(name).Append(':').Append(string.Join(',', values.Select(TrimAll))).Append('\n');
        }
        sb.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";

    private static string Signature(string secret, string amzDate, string scope, string canonicalRequest)
    {
        var s = scope.Split('/'); // date/region/service/aws4_request
        byte[] key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var step in s) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(step));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(StringToSign(amzDate, scope, canonicalRequest))));
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static string CanonicalUri(string path)
    {
        if (path.Length == 0) return "/";
        // Normalize . and .. segments (RFC 3986), then encode each segment as sent once more.
        var segments = new List<string>();
        foreach (var segment in path.Split('/').Skip(1))
        {
            if (segment == ".") continue;
            if (segment == "..") { if (segments.Count > 0) segments.RemoveAt(segments.Count - 1); continue; }
            segments.Add(segment);
        }
        return "/" + string.Join('/', segments.Select(UriEncode));
    }

    private static string CanonicalQuery(string query)
    {
        if (query.Length == 0) return "";
        return string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(kv => (Name: UriEncode(Uri.UnescapeDataString(kv[0])), Value: UriEncode(kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "")))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>URI-encodes every byte except the unreserved characters A-Z a-z 0-9 - _ . ~, with upper-case hex.</summary>
    private static string UriEncode(string value)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Header values: leading and trailing spaces removed, runs of spaces inside collapsed to one.</summary>
    private static string TrimAll(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
