using System.Security.Cryptography;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Packaging;

/// <summary>
/// What <c>packaging/build-deb.sh</c> puts in the package, read back with dpkg-deb: the file tree, owners and modes,
/// the control fields, conffiles, md5sums and maintainer scripts (issue 11, Deliver 3).
/// </summary>
[Collection(DebianPackageCollection.Name)]
public class DebianPackageContentsTests
{
    private readonly DebianPackage _package;

    public DebianPackageContentsTests(DebianPackage package) => _package = package;

    private IEnumerable<PackageEntry> Files => _package.Entries.Where(e => e.IsFile);

    [Fact]
    public void The_package_file_is_named_logagent_VERSION_ARCH_deb()
    {
        Assert.Equal($"logagent_{DebianPackage.Version}_{DebianPackage.Architecture}.deb", Path.GetFileName(_package.File));
    }

    [Theory]
    [InlineData("/opt/logagent/bin/logagent")]
    [InlineData("/opt/logagent/plugins/LogAgent.Plugins.Kinesis/LogAgent.Plugins.Kinesis.dll")]
    [InlineData("/opt/logagent/plugins/LogAgent.Plugins.Kinesis/AWSSDK.Core.dll")]
    [InlineData("/etc/logagent/logagent.conf")]
    [InlineData("/etc/default/logagent")]
    [InlineData("/etc/logrotate.d/logagent")]
    [InlineData("/lib/systemd/system/logagent.service")]
    [InlineData("/usr/share/doc/logagent/migrating-from-td-agent.md")]
    [InlineData("/usr/share/doc/logagent/configuration.md")]
    public void The_package_holds_the_file(string path)
    {
        Assert.Contains(Files, e => e.Path == path);
    }

    [Theory]
    [InlineData("/etc/logagent/conf.d")]
    [InlineData("/var/lib/logagent")]
    [InlineData("/var/log/logagent")]
    public void The_package_holds_the_directory(string path)
    {
        Assert.Contains(_package.Entries, e => e.IsDirectory && e.Path == path);
    }

    [Fact]
    public void The_plugins_folder_holds_the_Kinesis_plugin_only()
    {
        var plugins = _package.Entries.Where(e => e.IsDirectory && Path.GetDirectoryName(e.Path) == "/opt/logagent/plugins").Select(e => e.Path);
        Assert.Equal(new[] { "/opt/logagent/plugins/LogAgent.Plugins.Kinesis" }, plugins);
    }

    [Fact]
    public void No_debug_symbols_or_build_leftovers_are_packaged()
    {
        Assert.DoesNotContain(Files, e => e.Path.EndsWith(".pdb") || e.Path.EndsWith(".xml") || e.Path.Contains("/obj/"));
        Assert.Equal(new[] { "/opt/logagent/bin/logagent" }, Files.Where(e => e.Path.StartsWith("/opt/logagent/bin/")).Select(e => e.Path));
    }

    [Fact]
    public void usr_bin_logagent_is_an_absolute_link_to_the_executable()
    {
        var link = Assert.Single(_package.Entries, e => e.Path == "/usr/bin/logagent");
        Assert.True(link.IsSymlink, link.Mode);
        Assert.Equal("/opt/logagent/bin/logagent", link.LinkTarget);
    }

    [Fact]
    public void Every_entry_belongs_to_root()
    {
        Assert.All(_package.Entries, e => Assert.Equal("root/root", e.Owner));
    }

    [Fact]
    public void The_executable_and_directories_are_0755_and_every_other_file_0644()
    {
        Assert.All(_package.Entries.Where(e => e.IsDirectory), e => Assert.Equal("drwxr-xr-x", e.Mode));
        Assert.Equal("-rwxr-xr-x", Assert.Single(Files, e => e.Path == "/opt/logagent/bin/logagent").Mode);
        Assert.All(Files.Where(e => e.Path != "/opt/logagent/bin/logagent"), e => Assert.True(e.Mode == "-rw-r--r--", $"{e.Path}: {e.Mode}"));
    }

    [Fact]
    public async Task Conffiles_lists_every_file_under_etc()
    {
        var conffiles = (await _package.ControlFile("conffiles")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var etcFiles = Files.Where(e => e.Path.StartsWith("/etc/")).Select(e => e.Path).Order(StringComparer.Ordinal);
        Assert.Equal(etcFiles, conffiles.Order(StringComparer.Ordinal));
        Assert.Contains("/etc/logagent/logagent.conf", conffiles);
    }

    [Theory]
    [InlineData("Package", "logagent")]
    [InlineData("Version", DebianPackage.Version)]
    [InlineData("Architecture", DebianPackage.Architecture)]
    [InlineData("Section", "net")]
    [InlineData("Pre-Depends", "adduser")]
    public async Task The_control_field_has_its_value(string field, string value)
    {
        Assert.Equal(value, await _package.Field(field));
    }

    [Fact]
    public async Task Depends_names_what_a_self_contained_NET_executable_needs_without_ICU()
    {
        var depends = (await _package.Field("Depends")).Split(',', StringSplitOptions.TrimEntries);
        Assert.Equal(new[] { "libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libssl3 | libssl3t64", "ca-certificates" }, depends);
        Assert.DoesNotContain(depends, d => d.Contains("icu"));
    }

    [Fact]
    public async Task Maintainer_description_and_installed_size_are_filled_in()
    {
        Assert.Matches(@"^.+ <[^@\s]+@[^>\s]+>$", await _package.Field("Maintainer"));
        Assert.NotEmpty(await _package.Field("Description"));
        // Installed-Size is in KiB: at least what the files add up to.
        long kib = long.Parse(await _package.Field("Installed-Size"));
        Assert.InRange(kib, Files.Sum(e => e.Size) / 1024, Files.Sum(e => e.Size) / 1024 + 1024);
    }

    [Fact]
    public async Task Md5sums_holds_every_file_but_the_conffiles_with_its_checksum()
    {
        var lines = (await _package.ControlFile("md5sums")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var sums = lines.ToDictionary(l => "/" + l[34..], l => l[..32]);
        Assert.Equal(Files.Where(e => !e.Path.StartsWith("/etc/")).Select(e => e.Path).Order(StringComparer.Ordinal), sums.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, sum) in sums)
        {
            using var stream = File.OpenRead(_package.Extracted(path));
            Assert.Equal(sum, Convert.ToHexStringLower(MD5.HashData(stream)));
        }
    }

    [Theory]
    [InlineData("postinst")]
    [InlineData("prerm")]
    [InlineData("postrm")]
    public async Task The_maintainer_script_is_executable_and_belongs_to_root(string script)
    {
        var entry = Assert.Single(await _package.ControlEntries(), e => e.Path == "/" + script);
        Assert.Equal("-rwxr-xr-x", entry.Mode);
        Assert.Equal("root/root", entry.Owner);
    }

    [Theory]
    [InlineData("postinst")]
    [InlineData("prerm")]
    [InlineData("postrm")]
    public async Task The_maintainer_script_is_valid_POSIX_sh_with_set_e(string script)
    {
        using var dir = new TempDirectory();
        var text = await _package.ControlFile(script);
        File.WriteAllText(dir.File(script), text);
        Assert.StartsWith("#!/bin/sh\n", text);
        Assert.Contains("\nset -e\n", text);
        // dash is Debian's /bin/sh: POSIX, no bash extensions.
        var (code, _, stderr) = await ClientProcess.RunAsync("sh", new[] { "-n", dir.File(script) }, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public async Task Control_archive_holds_control_conffiles_md5sums_and_the_three_scripts()
    {
        var names = (await _package.ControlEntries()).Where(e => e.IsFile).Select(e => e.Path.TrimStart('/')).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "conffiles", "control", "md5sums", "postinst", "postrm", "prerm" }, names);
    }
}
