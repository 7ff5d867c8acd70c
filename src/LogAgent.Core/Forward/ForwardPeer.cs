using System.Net;

namespace LogAgent.Core.Forward;

/// <summary>The remote end of a forward connection, as log lines and source_address_key name it.</summary>
public sealed class ForwardPeer
{
    private string? _hostname;

    public ForwardPeer(EndPoint? endPoint)
    {
        if (endPoint is IPEndPoint ip)
        {
            Address = (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString();
            Port = ip.Port;
        }
        else Address = endPoint?.ToString() ?? "?";
    }

    public string Address { get; }
    public int Port { get; }

    /// <summary>
    /// The peer's host name by reverse DNS, resolved once on first use (fluentd's in_forward resolves it per connection
    /// for source_hostname_key); the address when it does not resolve.
    /// </summary>
    public string Hostname
    {
        get
        {
            if (_hostname is not null) return _hostname;
            try
            {
                _hostname = Dns.GetHostEntry(IPAddress.Parse(Address)).HostName;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or FormatException or ArgumentException)
            {
                _hostname = Address;
            }
            return _hostname;
        }
    }

    public override string ToString() => $"{Address}:{Port}";
}
