using Microsoft.Extensions.Logging;

namespace LogAgent.Hosting;

/// <summary>The agent's log level, changeable after start-up: the config's &lt;system&gt; log_level is known only once it is read.</summary>
public sealed class LogLevelSwitch(LogLevel minimum)
{
    public LogLevel Minimum { get; set; } = minimum;
}
