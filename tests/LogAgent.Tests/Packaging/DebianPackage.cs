using LogAgent.Tests.Support;

namespace LogAgent.Tests.Packaging;

/// <summary>
/// The Debian package, built once for the tests that share it by <c>packaging/build-deb.sh</c> into a temporary
/// directory, and extracted there with <c>dpkg-deb -x</c> (a temporary root: nothing is installed on the machine).
/// </summary>
public sealed class DebianPackage : IAsyncLifetime
{
    public const string Version = "1.2.3~test1";
    public const string Architecture = "amd64";

    private readonly TempDirectory _dir = new();

    /// <summary>The .deb file.</summary>
    public string File { get; private set; } = "";

    /// <summary>The package's file tree, as <c>dpkg-deb -x</c> lays it out: opt/, etc/, lib/, usr/, var/.</summary>
    public string Root => Path.Combine(_dir.Path, "root");

    public string Executable => Path.Combine(Root, "opt", "logagent", "bin", "logagent");

    public string PluginDirectory => Path.Combine(Root, "opt", "logagent", "plugins");

    /// <summary><c>dpkg-deb -c</c>: every entry of the data archive.</summary>
    public IReadOnlyList<PackageEntry> Entries { get; private set; } = Array.Empty<PackageEntry>();

    public async Task InitializeAsync()
    {
        // A single-file ReadyToRun publish: a minute or two alone, more on a loaded machine. No MSBuild or compiler
        // server may outlive the build: it would keep the redirected output open (and run on after the tests).
        var environment = new Dictionary<string, string>
        {
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["UseSharedCompilation"] = "false",
            ["TMPDIR"] = _dir.Path,
        };
        var (code, stdout, stderr) = await ClientProcess.RunAsync("bash",
            new[] { Path.Combine(RepoPaths.Root, "packaging", "build-deb.sh"), "-o", Path.Combine(_dir.Path, "out"), Version, Architecture },
            TimeSpan.FromMinutes(15), RepoPaths.Root, environment);
        if (code != 0) throw new InvalidOperationException($"build-deb.sh exited {code}:\n{stdout}\n{stderr}");
        File = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();

        var list = await Run("dpkg-deb", "-c", File);
        Entries = list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PackageEntry.Parse).ToList();
        await Run("dpkg-deb", "-x", File, Root);
    }

    /// <summary>One control field (<c>dpkg-deb -f</c>).</summary>
    public async Task<string> Field(string name) => (await Run("dpkg-deb", "-f", File, name)).Trim();

    /// <summary>One file of the control archive (<c>dpkg-deb -I DEB NAME</c>): conffiles, md5sums, postinst, …</summary>
    public Task<string> ControlFile(string name) => Run("dpkg-deb", "-I", File, name);

    /// <summary>The control archive's entries (<c>dpkg-deb --ctrl-tarfile | tar -tv</c>).</summary>
    public async Task<IReadOnlyList<PackageEntry>> ControlEntries()
    {
        var list = await Run("sh", "-c", "dpkg-deb --ctrl-tarfile \"$1\" | tar -tv", "sh", File);
        return list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PackageEntry.Parse).ToList();
    }

    /// <summary>The path of a packaged file in the extracted tree: <c>/etc/logagent/logagent.conf</c> → under <see cref="Root"/>.</summary>
    public string Extracted(string absolutePath) => Path.Combine(Root, absolutePath.TrimStart('/'));

    public static async Task<string> Run(string fileName, params string[] arguments)
    {
        var (code, stdout, stderr) = await ClientProcess.RunAsync(fileName, arguments, TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {code}: {stderr}");
        return stdout;
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>One line of <c>dpkg-deb -c</c> or <c>tar -tv</c>: <c>-rwxr-xr-x root/root 93546834 2026-12-07 09:40 ./opt/logagent/bin/logagent</c>.</summary>
public sealed record PackageEntry(string Mode, string Owner, long Size, string Path, string? LinkTarget)
{
    public bool IsDirectory => Mode[0] == 'd';
    public bool IsSymlink => Mode[0] == 'l';
    public bool IsFile => Mode[0] == '-';

    public static PackageEntry Parse(string line)
    {
        var parts = System.Text.RegularExpressions.Regex.Match(line, @"^(\S+)\s+(\S+)\s+(\d+)\s+\S+\s+\S+\s+(.*)$").Groups;
        if (parts[0].Length == 0) throw new FormatException($"not a tar listing line: '{line}'");
        var name = parts[4].Value;
        string? target = null;
        int arrow = name.IndexOf(" -> ", StringComparison.Ordinal);
        if (arrow >= 0) (name, target) = (name[..arrow], name[(arrow + 4)..]);
        // "./opt/logagent/" → "/opt/logagent"; "./" (the root) → "/".
        var path = "/" + name.TrimStart('.').Trim('/');
        return new PackageEntry(parts[1].Value, parts[2].Value, long.Parse(parts[3].Value), path, target);
    }
}

[CollectionDefinition(Name)]
public sealed class DebianPackageCollection : ICollectionFixture<DebianPackage>
{
    public const string Name = "the Debian package";
}
