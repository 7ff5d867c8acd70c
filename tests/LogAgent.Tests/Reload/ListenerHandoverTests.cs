using System.Net;
using System.Net.Sockets;
using LogAgent.Core.Net;
using LogAgent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Tests.Reload;

/// <summary>
/// The listener handover behind a reload that keeps its ports: a TcpServer stopped while the handover is held parks its
/// bound socket, clients connecting meanwhile wait in the backlog, and the next server on the same address and port
/// accepts them; a socket nobody takes is closed when the hold ends.
/// </summary>
public class ListenerHandoverTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static TcpServer Echo(ListenerHandover handover, string name) =>
        new(name, async (socket, stopping) =>
        {
            var buffer = new byte[1];
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, stopping) == 1)
                await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(name), SocketFlags.None, CancellationToken.None);
        }, NullLogger.Instance, handover: handover);

    [Fact]
    public async Task A_client_connecting_between_the_old_server_stopping_and_the_new_one_starting_is_accepted_by_the_new_one()
    {
        var handover = new ListenerHandover();
        int port = FreePort.Get();
        var old = Echo(handover, "old");
        old.Start(IPAddress.Loopback, port);

        using (handover.Hold())
        {
            await old.StopAsync();
            Assert.Equal(1, handover.ParkedCount);

            // Nobody accepts now, yet the connection is not refused: the kernel keeps it in the parked socket's backlog.
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(Deadline);
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            await client.GetStream().WriteAsync(new byte[] { 1 }, timeout.Token);

            var next = Echo(handover, "new");
            next.Start(IPAddress.Loopback, port);
            Assert.Equal(0, handover.ParkedCount);
            var reply = new byte[3];
            await client.GetStream().ReadExactlyAsync(reply, timeout.Token);
            Assert.Equal("new", System.Text.Encoding.ASCII.GetString(reply));
            await next.StopAsync(); // still held: parked again
        }
        Assert.Equal(0, handover.ParkedCount);
    }

    [Fact]
    public async Task A_parked_socket_nobody_takes_is_closed_when_the_hold_ends_and_without_a_hold_nothing_is_parked()
    {
        var handover = new ListenerHandover();
        int port = FreePort.Get();
        var server = Echo(handover, "old");
        server.Start(IPAddress.Loopback, port);
        using (handover.Hold())
            await server.StopAsync();

        using var refused = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => refused.ConnectAsync(IPAddress.Loopback, port));

        var again = Echo(handover, "again");
        again.Start(IPAddress.Loopback, port); // the port is free again
        await again.StopAsync();
        Assert.Equal(0, handover.ParkedCount);
        using var refusedAgain = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => refusedAgain.ConnectAsync(IPAddress.Loopback, port));
    }
}
