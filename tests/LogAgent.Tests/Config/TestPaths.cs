namespace LogAgent.Tests.Config;

/// <summary>Where test configs live: copied next to the test assembly, and the shared real-world corpus beside the repo.</summary>
internal static class TestPaths
{
    /// <summary>tests/LogAgent.Tests/Configs as copied to the output directory.</summary>
    public static string Configs { get; } = Path.Combine(AppContext.BaseDirectory, "Configs");

    public static string Valid(string name) => Path.Combine(Configs, "valid", name);

    public static string Malformed(string name) => Path.Combine(Configs, "malformed", name);

    /// <summary>The directory holding LogAgent.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared corpus of real fluentd configs (../shared/corpus/configs from the repo root).</summary>
    public static string Corpus { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpus", "configs"));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LogAgent.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("LogAgent.sln not found above " + AppContext.BaseDirectory);
    }
}
