using LogAgent.Tests.Support;

namespace LogAgent.Tests.Packaging;

/// <summary>
/// The packaged logagent.service: what issue 11 asks of it, and what <c>systemd-analyze verify</c> (Debian's systemd
/// package, which .ci/run installs where it is missing) makes of it.
/// </summary>
[Collection(DebianPackageCollection.Name)]
public class SystemdUnitTests
{
    private readonly DebianPackage _package;

    public SystemdUnitTests(DebianPackage package) => _package = package;

    private string UnitText => File.ReadAllText(_package.Extracted("/lib/systemd/system/logagent.service"));

    [Fact]
    public async Task Systemd_analyze_verify_finds_nothing_to_say_about_the_unit()
    {
        // verify checks that ExecStart's program exists and is executable, on this machine's file system (--root
        // would look for /bin/kill and systemd's own targets under the temporary root too): so it reads a copy of the
        // unit whose ExecStart names the extracted executable, every other line as packaged.
        using var dir = new TempDirectory();
        const string packagedExecutable = "ExecStart=/opt/logagent/bin/logagent ";
        Assert.Contains(packagedExecutable, UnitText);
        var unit = dir.File("logagent.service");
        File.WriteAllText(unit, UnitText.Replace(packagedExecutable, $"ExecStart={_package.Executable} "));

        var (code, stdout, stderr) = await ClientProcess.RunAsync("systemd-analyze", new[] { "verify", unit }, TimeSpan.FromSeconds(60), dir.Path);

        // verify exits 0 even for a line it ignores ("Failed to parse service type, ignoring"): silence is the pass.
        Assert.True(code == 0 && stdout.Trim() == "" && stderr.Trim() == "", $"exit {code}\n{stdout}\n{stderr}");
    }

    [Theory]
    [InlineData("Type=notify")]
    [InlineData("User=_logagent")]
    [InlineData("Group=_logagent")]
    [InlineData("LimitNOFILE=65536")]
    [InlineData("EnvironmentFile=-/etc/default/logagent")]
    [InlineData("ExecStart=/opt/logagent/bin/logagent -c /etc/logagent/logagent.conf $LOGAGENT_OPTIONS")]
    [InlineData("ExecReload=/bin/kill -HUP $MAINPID")]
    [InlineData("Restart=always")]
    [InlineData("TimeoutStopSec=120")]
    [InlineData("After=network-online.target")]
    [InlineData("Wants=network-online.target")]
    [InlineData("RuntimeDirectory=logagent")]
    [InlineData("WantedBy=multi-user.target")]
    public void The_unit_has_the_setting(string line)
    {
        Assert.Contains(line, UnitText.Split('\n'));
    }

    [Fact]
    public void The_unit_starts_the_packaged_executable_on_the_packaged_config()
    {
        Assert.True(File.Exists(_package.Executable));
        Assert.True(File.Exists(_package.Extracted("/etc/logagent/logagent.conf")));
        Assert.Contains("LOGAGENT_OPTIONS=\"\"", File.ReadAllLines(_package.Extracted("/etc/default/logagent")));
    }
}
