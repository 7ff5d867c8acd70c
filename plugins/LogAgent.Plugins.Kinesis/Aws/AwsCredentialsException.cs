namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>Credentials could not be obtained from the configured source (a missing profile, a failing STS call).</summary>
public sealed class AwsCredentialsException(string message, Exception? inner = null) : Exception(message, inner);
