using System.Net;

namespace LogAgent.Core.Config;

/// <summary>
/// What a configuration may read from the machine while it is loaded: environment variables and the host name
/// (for embedded Ruby such as <c>"#{ENV['X']}"</c> and <c>"#{hostname}"</c>), and how missing includes are treated.
/// Tests inject these so a load is deterministic.
/// </summary>
public sealed class ConfigLoadOptions
{
    public static ConfigLoadOptions Default { get; } = new();

    /// <summary>Looks up an environment variable; null when it is not set.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The value of <c>hostname</c> and <c>Socket.gethostname</c>.</summary>
    public Func<string> GetHostName { get; init; } = Dns.GetHostName;

    /// <summary>
    /// The value of <c>worker_id</c>. fluentd evaluates it as <c>ENV['SERVERENGINE_WORKER_ID'] || ''</c>, which is the
    /// worker's number in a running agent (lib/fluent/config/literal_parser.rb, eval_embedded_code).
    /// </summary>
    public int WorkerId { get; init; }

    /// <summary>
    /// When true (the default), <c>@include some/file.conf</c> naming a file that does not exist is an error.
    /// fluentd passes every include path to <c>Dir.glob</c>, so there a missing file silently includes nothing;
    /// set this to false for that behaviour. A pattern with wildcards that matches nothing is empty either way.
    /// </summary>
    public bool MissingIncludeIsError { get; init; } = true;
}
