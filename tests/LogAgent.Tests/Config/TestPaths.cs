namespace LogAgent.Tests.Config;

/// <summary>Where test configs live: copied next to the test assembly, and the shared real-world corpus beside the repo.</summary>
internal static class TestPaths
{
    /// <summary>tests/LogAgent.Tests/Configs as copied to the output directory.</summary>
    public static string Configs { get; } = Path.Combine(AppContext.BaseDirectory, "Configs");

    public static string Valid(string name) => Path.Combine(Configs, "valid", name);

    public static string Malformed(string name) => Path.Combine(Configs, "malformed", name);

    /// <summary>The shared corpus of real fluentd configs (../shared/corpus/configs from the repo root).</summary>
    public static string Corpus => LogAgent.Tests.Support.ConfigCorpus.Directory;
}
