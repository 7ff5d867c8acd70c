namespace LogAgent.Hosting;

/// <summary>
/// Where the agent looks for plugins when no <c>-p</c> is given: <c>plugins/</c> beside the executable (the build
/// output and a publish directory), and <c>../plugins</c> when it exists (the package: <c>/opt/logagent/bin/logagent</c>
/// with <c>/opt/logagent/plugins/NAME/NAME.dll</c>).
/// </summary>
public static class DefaultPluginDirectories
{
    /// <summary>
    /// The executable's real directory. <see cref="AppContext.BaseDirectory"/> is it for every way the agent runs:
    /// <c>dotnet logagent.dll</c>, the apphost and the single file, also when started through a symlink such as
    /// <c>/usr/bin/logagent</c> (the host resolves the link before it sets the base directory; checked on .NET 10 by
    /// tests/LogAgent.Tests/Host/PublishedExecutableTests). <see cref="Environment.ProcessPath"/> would not do: under
    /// <c>dotnet logagent.dll</c> it is the dotnet muxer.
    /// </summary>
    public static string ExecutableDirectory => AppContext.BaseDirectory;

    public static IReadOnlyList<string> For(string executableDirectory)
    {
        var beside = Path.GetFullPath(Path.Combine(executableDirectory, "plugins"));
        var packaged = Path.GetFullPath(Path.Combine(executableDirectory, "..", "plugins"));
        return Directory.Exists(packaged) && packaged != beside ? [beside, packaged] : [beside];
    }
}
