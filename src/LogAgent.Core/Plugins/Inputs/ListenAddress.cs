using System.Net;
using System.Net.Sockets;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Inputs;

/// <summary>The <c>bind</c> and <c>port</c> of an input that listens, checked when it is configured.</summary>
internal static class ListenAddress
{
    /// <summary>The address to bind; throws a <see cref="ConfigException"/> naming the parameter when it is not usable.</summary>
    public static IPAddress Resolve(string bind, int port, ConfigSection config)
    {
        if (port is < 0 or > 65535)
            throw new ConfigException($"port must be between 0 and 65535, got {port}", config.Find("port")!);
        if (IPAddress.TryParse(bind, out var address)) return address;
        // fluentd accepts a host name for bind; resolve it once here.
        try
        {
            return Dns.GetHostAddresses(bind).FirstOrDefault()
                ?? throw new ConfigException($"bind '{bind}' does not resolve to an address", config.Find("bind")!);
        }
        catch (SocketException e)
        {
            throw new ConfigException($"bind '{bind}' does not resolve: {e.Message}", config.Find("bind")!);
        }
    }
}
