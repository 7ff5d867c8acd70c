using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace LogAgent.Tests.Support;

/// <summary>
/// The agent as it ships: `dotnet publish src/LogAgent -c Release -r linux-ARCH`, a single-file, self-contained,
/// ReadyToRun `logagent` with the repository's plugins in `plugins/NAME/` beside it. Published once per test run, on
/// first use, into a temporary directory deleted when the test process exits; every test class that needs it shares
/// the one copy through <see cref="Get"/>. Built with its own artifacts path, so it neither reads nor overwrites the
/// bin/ and obj/ folders of the test run's own build (nor of another build running at the same time).
/// </summary>
public sealed class PublishedAgent
{
    private static readonly Lazy<PublishedAgent> Shared = new(() => new PublishedAgent(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Publishes on the first call (a minute or two), then returns the same published directory.</summary>
    public static PublishedAgent Get() => Shared.Value;

    /// <summary>The publish directory: <c>logagent</c> and <c>plugins/NAME/NAME.dll</c>.</summary>
    public string Directory { get; }

    /// <summary>The single-file executable.</summary>
    public string Executable => Path.Combine(Directory, "logagent");

    /// <summary>The runtime published for: this machine's (<c>linux-x64</c> or <c>linux-arm64</c>).</summary>
    public string RuntimeIdentifier { get; } = $"linux-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";

    public TimeSpan PublishTime { get; }

    private readonly string _root = Path.Combine(Path.GetTempPath(), "logagent-published-" + Guid.NewGuid().ToString("N")[..12]);

    private PublishedAgent()
    {
        Directory = Path.Combine(_root, "publish");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteRoot();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in new[]
                 {
                     "publish", Path.Combine("src", "LogAgent"), "-c", "Release", "-r", RuntimeIdentifier, "-o", Directory,
                     "--artifacts-path", Path.Combine(_root, "artifacts"),
                     // No MSBuild nodes or compiler server left running after the test process.
                     "--disable-build-servers", "-nologo",
                 })
            info.ArgumentList.Add(argument);
        // `dotnet test` runs the tests with variables pointing at its own MSBuild; the nested build must find its own.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish did not finish within 10 minutes:\n{output}");
        }
        process.WaitForExit();
        PublishTime = clock.Elapsed;
        if (process.ExitCode != 0 || !File.Exists(Executable))
            throw new InvalidOperationException($"dotnet publish exited with {process.ExitCode}:\n{output}");
    }

    private void DeleteRoot()
    {
        try { System.IO.Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
