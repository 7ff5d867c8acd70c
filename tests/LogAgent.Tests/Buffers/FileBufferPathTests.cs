using LogAgent.Core.Buffers;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Buffers;

/// <summary>The <c>path</c> rules of fluentd's buf_file.rb <c>configure</c>.</summary>
public class FileBufferPathTests
{
    [Fact]
    public void AnExistingDirectoryHoldsBufferStarLog()
    {
        using var dir = new TempDirectory();
        Assert.Equal(Path.Combine(dir.Path, "buffer.*.log"), FileBufferPath.Resolve(dir.Path, null, "out").Pattern);
    }

    [Fact]
    public void AMissingPathWithoutStarIsADirectory()
    {
        using var dir = new TempDirectory();
        var missing = Path.Combine(dir.Path, "td");
        Assert.Equal(Path.Combine(missing, "buffer.*.log"), FileBufferPath.Resolve(missing, null, "out").Pattern);
    }

    [Theory]
    [InlineData("app.*.buf", "app.*.buf")]
    [InlineData("app.*", "app.*.log")]
    public void APatternIsCompletedWithTheLogSuffix(string setting, string expected)
    {
        using var dir = new TempDirectory();
        var path = FileBufferPath.Resolve(Path.Combine(dir.Path, setting), null, "out");
        Assert.Equal(Path.Combine(dir.Path, expected), path.Pattern);
        Assert.Equal("app", path.Prefix);
    }

    [Fact]
    public void AnExistingFileBecomesAPrefix()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("buf"), "");
        Assert.Equal(dir.File("buf") + ".*.log", FileBufferPath.Resolve(dir.File("buf"), null, "out").Pattern);
    }

    [Fact]
    public void NoPathMeansThePluginRootDir()
    {
        using var dir = new TempDirectory();
        Assert.Equal(Path.Combine(dir.Path, "worker0", "out_fwd", "buffer", "buffer.*.log"), FileBufferPath.Resolve(null, dir.Path, "out_fwd").Pattern);
        Assert.Throws<ArgumentException>(() => FileBufferPath.Resolve(null, null, "out_fwd"));
    }

    [Fact]
    public void BackupsGoUnderRootDirWithASafePluginId()
    {
        Assert.Equal(Path.Combine("/r", "backup", "worker0", "out_a_b"), FileBufferPath.BackupDirectory("/r", "out a/b"));
    }

    [Theory]
    [InlineData("buffer.b660ebdef15c3ad8caa66f2ab2a91bf31.log", true, ChunkState.Staged)]
    [InlineData("buffer.q660ebdef15828c437b6207117955d4cb.log", true, ChunkState.Queued)]
    [InlineData("buffer.q660ebdef15828c437b6207117955d4cb.log.meta", false, ChunkState.Staged)]
    [InlineData("buffer.x660ebdef15828c437b6207117955d4cb.log", false, ChunkState.Staged)]
    [InlineData("buffer.bXYZ.log", false, ChunkState.Staged)]
    [InlineData("other.b660ebdef15828c437b6207117955d4cb.log", false, ChunkState.Staged)]
    [InlineData("buffer.lock", false, ChunkState.Staged)]
    public void ChunkNamesAreParsedLikeAssumeChunkState(string name, bool isChunk, ChunkState state)
    {
        using var dir = new TempDirectory();
        var path = FileBufferPath.Resolve(dir.Path, null, "out");
        Assert.Equal(isChunk, path.TryParseChunkName(name, out var parsed, out var id));
        if (isChunk)
        {
            Assert.Equal(state, parsed);
            Assert.Equal(32, id.Length);
        }
    }
}
