using LogAgent.Core.Plugins.Outputs;
using LogAgent.Sdk.Events;

namespace LogAgent.Tests.Outputs;

public class StdoutOutputTests
{
    [Fact]
    public void Time_prints_as_formatter_stdout_in_local_time()
    {
        // formatter_stdout.rb: '%Y-%m-%d %H:%M:%S.%N %z', with Time.at in the process's zone.
        var local = DateTimeOffset.FromUnixTimeSeconds(1511837003).ToLocalTime();
        var sign = local.Offset < TimeSpan.Zero ? "-" : "+";
        var expected = $"{local:yyyy-MM-dd HH:mm:ss}.000000057 {sign}{local.Offset.Duration():hhmm}";
        Assert.Equal(expected, StdoutOutput.FormatTime(new EventTime(1511837003, 57)));
    }
}
