using System.Net;
using System.Net.Sockets;
using LogAgent.Core.Forward;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Inputs;

/// <summary>
/// The forward input's <c>&lt;security&gt;</c>: shared-key authentication of every connection (HELO/PING/PONG), with
/// optional user accounts and per-client rules. Parameters and checks as fluentd's in_forward.rb config_section
/// :security and configure.
/// </summary>
public sealed class ForwardInputSecuritySection : IConfigurableSection
{
    [Parameter("self_hostname", "This server's host name, sent in PONG and mixed into its digest.", Required = true)]
    public string SelfHostname { get; set; } = "";

    [Parameter("shared_key", "The key clients must prove they know.", Required = true, Secret = true)]
    public string SharedKey { get; set; } = "";

    [Parameter("user_auth", "Also require a <user>'s username and password.")]
    public bool UserAuth { get; set; }

    [Parameter("allow_anonymous_source", "Accept clients that match no <client>.")]
    public bool AllowAnonymousSource { get; set; } = true;

    [Section("user", "An account a client may log in as (with user_auth).")]
    public List<ForwardInputUserSection> Users { get; set; } = new();

    [Section("client", "A client address or network, with its own shared_key and allowed users.")]
    public List<ForwardInputClientSection> Clients { get; set; } = new();

    public void Configure(ConfigSection section)
    {
        if (UserAuth && Users.Count == 0)
            throw new ConfigException("<user> sections required if user_auth enabled", section);
        if (!AllowAnonymousSource && Clients.Count == 0)
            throw new ConfigException("<client> sections required if allow_anonymous_source disabled", section);
    }

    public ForwardHandshake ToHandshake(bool keepalive) => new(
        SelfHostname, SharedKey, UserAuth, AllowAnonymousSource,
        Users.Select(u => new ForwardHandshakeUser(u.Username, u.Password)).ToList(),
        Clients.Select(c => new ForwardHandshakeClient(c.Network, c.SharedKey, c.Users)).ToList(),
        keepalive);
}

/// <summary>A <c>&lt;user&gt;</c> in the forward input's <c>&lt;security&gt;</c>.</summary>
public sealed class ForwardInputUserSection
{
    [Parameter("username", "The user name.", Required = true)]
    public string Username { get; set; } = "";

    [Parameter("password", "The password.", Required = true, Secret = true)]
    public string Password { get; set; } = "";
}

/// <summary>
/// A <c>&lt;client&gt;</c> in the forward input's <c>&lt;security&gt;</c>: exactly one of host (resolved once, at
/// configuration, as in_forward.rb does with IPSocket.getaddress) and network (CIDR).
/// </summary>
public sealed class ForwardInputClientSection : IConfigurableSection
{
    [Parameter("host", "The client's IP address or host name.")]
    public string? Host { get; set; }

    [Parameter("network", "The client network, as an address with a prefix length (192.168.0.0/24).")]
    public string? NetworkText { get; set; }

    [Parameter("shared_key", "This client's shared key, instead of the <security> one.", Secret = true)]
    public string? SharedKey { get; set; }

    [Parameter("users", "The users this client may log in as (all when empty).")]
    public List<string> Users { get; set; } = new();

    public IPNetwork Network { get; private set; }

    public void Configure(ConfigSection section)
    {
        if (Host is not null && NetworkText is not null)
            throw new ConfigException("both of 'host' and 'network' are specified for client", section);
        if (Host is null && NetworkText is null)
            throw new ConfigException("Either of 'host' and 'network' must be specified for client", section);
        if (Host is not null)
        {
            IPAddress? address;
            if (!IPAddress.TryParse(Host, out address))
            {
                try
                {
                    address = Dns.GetHostAddresses(Host).FirstOrDefault();
                }
                catch (SocketException)
                {
                    address = null;
                }
                if (address is null) throw new ConfigException($"host '{Host}' cannot be resolved", section.Find("host")!);
            }
            Network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        else
        {
            // IPAddr.new accepts a bare address as a one-host network too.
            if (IPNetwork.TryParse(NetworkText!, out var network)) Network = network;
            else if (IPAddress.TryParse(NetworkText, out var single)) Network = new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            else throw new ConfigException($"network '{NetworkText}' address format is invalid", section.Find("network")!);
        }
    }
}
