namespace LogAgent.Tests.Kinesis.Support;

/// <summary>One kinesalite for a test class (xunit's IClassFixture); each test uses streams of its own names.</summary>
public sealed class KinesaliteFixture : IDisposable
{
    private readonly Lazy<KinesaliteServer> _server = new(() => KinesaliteServer.Start());

    /// <summary>Started on first use, so that a missing install fails each test with the message naming .ci/run.</summary>
    public KinesaliteServer Server => _server.Value;

    public static string NewStreamName(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 13, 128)];

    public void Dispose()
    {
        if (_server.IsValueCreated) _server.Value.Dispose();
    }
}
