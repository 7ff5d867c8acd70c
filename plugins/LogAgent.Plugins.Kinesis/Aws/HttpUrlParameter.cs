using LogAgent.Sdk.Config;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Reads the URL parameters (<c>endpoint</c>, <c>http_proxy</c>, <c>sts_endpoint_url</c>, <c>sts_http_proxy</c>) at
/// configuration time, so a typo stops the agent with the file and line instead of failing the first put.
/// </summary>
public static class HttpUrlParameter
{
    /// <summary>The absolute http(s) URL in <paramref name="value"/>, or null when unset.</summary>
    public static Uri? Parse(string? value, string name, ConfigSection section)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            return uri;
        var message = $"'{name}' must be an http:// or https:// URL, got '{value}'";
        throw section.Find(name) is { } parameter ? new ConfigException(message, parameter) : new ConfigException(message, section);
    }
}
