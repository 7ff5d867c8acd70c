using System.Net.Sockets;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Reload;

/// <summary>
/// A forward client as a careful sender behaves across a server's reload (after Vector's sighup correctness test):
/// events numbered 0…N-1 (<c>{"n": i}</c>), one request each with require_ack_response semantics, sent at a steady
/// rate; a request whose ack does not come (the connection closed) is sent again on a new connection, with the same
/// chunk id. Counts what the server must never cause: refused connections.
/// </summary>
public sealed class NumberedForwardSender(int port, string tag)
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(30);
    private int _acked;

    /// <summary>Events acked so far: every number below this one has been acked.</summary>
    public int Acked => Volatile.Read(ref _acked);

    /// <summary>Connection attempts the server refused (or that failed otherwise).</summary>
    public int ConnectErrors { get; private set; }

    /// <summary>Requests sent again because their ack did not come.</summary>
    public int Resends { get; private set; }

    public async Task SendAsync(int count, TimeSpan interval, CancellationToken cancellationToken)
    {
        ForwardTestClient? client = null;
        var start = DateTime.UtcNow;
        try
        {
            for (int n = 0; n < count;)
            {
                var due = start + interval * n;
                if (due > DateTime.UtcNow) await Task.Delay(due - DateTime.UtcNow, cancellationToken);
                if (client is null)
                {
                    try
                    {
                        client = await ForwardTestClient.ConnectAsync(port, TimeSpan.FromSeconds(10));
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException)
                    {
                        ConnectErrors++;
                        await Task.Delay(20, cancellationToken);
                        continue;
                    }
                }
                if (await client.SendWithAckAsync(tag, new[] { new Record { ["n"] = (long)n } }, $"chunk-{n}", AckTimeout))
                {
                    Volatile.Write(ref _acked, ++n);
                    continue;
                }
                Resends++;
                client.Dispose();
                client = null;
            }
        }
        finally
        {
            client?.Dispose();
        }
    }
}
