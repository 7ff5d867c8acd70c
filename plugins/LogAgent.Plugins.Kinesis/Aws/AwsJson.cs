using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>Reading optional members of AWS JSON responses, which omit a member or send null alike.</summary>
internal static class AwsJson
{
    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
