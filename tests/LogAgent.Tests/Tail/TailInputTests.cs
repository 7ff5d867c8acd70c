using LogAgent.Core.Plugins.Inputs.Tail;

namespace LogAgent.Tests.Tail;

public class TailInputTests
{
    [Fact]
    public async Task Reads_existing_lines_from_head_and_follows_appends()
    {
        await using var h = await TailHarness.StartAsync("""
            path {dir}/app.log
            pos_file {dir}/app.pos
            tag app
            read_from_head true
            <parse>
              @type none
            </parse>
            """, PrepareFile("app.log", "one\ntwo\n"));
        await h.WaitForCount(2);
        File.AppendAllText(h.File("app.log"), "three\r\nfour\n");
        await h.WaitForCount(4);
        Assert.Equal(new[] { "one", "two", "three", "four" }, h.Messages());
        Assert.True(h.Input.UsesRawLinePath);
        Assert.All(h.Output.Events, e => Assert.Equal("app", e.Tag));
    }

    private static Support.TempDirectory PrepareFile(string name, string content)
    {
        var dir = new Support.TempDirectory();
        File.WriteAllText(dir.File(name), content);
        return dir;
    }
}
