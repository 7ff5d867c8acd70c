using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>A <c>&lt;server&gt;</c> of the forward output: one destination.</summary>
public sealed class ForwardServerSection : IConfigurableSection
{
    [Parameter("host", "The server's IP address or host name.", Required = true)]
    public string Host { get; set; } = "";

    [Parameter("port", "The server's port.")]
    public int Port { get; set; } = 24224;

    [Parameter("name", "The server's name in log lines; host:port when unset.")]
    public string? Name { get; set; }

    [Parameter("weight", "The share of writes this server gets relative to the others (0: none).")]
    public int Weight { get; set; } = 60;

    [Parameter("standby", "Use this server only while no other server is available.")]
    public bool Standby { get; set; }

    [Parameter("shared_key", "The shared key for this server, instead of the <security> one.", Secret = true)]
    public string? SharedKey { get; set; }

    [Parameter("username", "The user to log in as, when the server requires user authentication.")]
    public string? Username { get; set; }

    [Parameter("password", "The password of username.", Secret = true)]
    public string? Password { get; set; }

    public void Configure(ConfigSection section)
    {
        if (Port is < 1 or > 65535) throw new ConfigException($"port must be between 1 and 65535, got {Port}", section.Find("port")!);
        if (Weight < 0) throw new ConfigException($"weight must not be negative, got {Weight}", section.Find("weight")!);
    }
}
