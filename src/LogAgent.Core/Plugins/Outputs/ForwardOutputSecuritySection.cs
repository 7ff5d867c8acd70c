using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// The forward output's <c>&lt;security&gt;</c>: authenticate to every server with a shared key
/// (fluentd out_forward.rb config_section :security). A <c>&lt;server&gt;</c> may override shared_key, username and
/// password; username and password here are LogAgent's default for servers that set none.
/// </summary>
public sealed class ForwardOutputSecuritySection
{
    [Parameter("self_hostname", "This client's host name, sent in PING and mixed into its digest.", Required = true)]
    public string SelfHostname { get; set; } = "";

    [Parameter("shared_key", "The key shared with the servers.", Required = true, Secret = true)]
    public string SharedKey { get; set; } = "";

    [Parameter("username", "The user to log in as when the server asks (user_auth) and the <server> names none.")]
    public string Username { get; set; } = "";

    [Parameter("password", "The password of username.", Secret = true)]
    public string Password { get; set; } = "";
}
