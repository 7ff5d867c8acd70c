namespace LogAgent.Tests.Support;

/// <summary>Locations in the repository and beside it, found from the test binary's directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The team's shared corpus, beside the project root (CI lays it there too).</summary>
    public static string SharedCorpus => Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus"));

    public static string Conf => Path.Combine(Root, "conf");

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static string ExamplePluginBuildOutput =>
        Path.Combine(Root, "plugins", "LogAgent.Plugins.Example", "bin", Configuration, "net10.0");

    public static string KinesisPluginBuildOutput =>
        Path.Combine(Root, "plugins", "LogAgent.Plugins.Kinesis", "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LogAgent.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (LogAgent.sln) above " + AppContext.BaseDirectory);
    }
}
