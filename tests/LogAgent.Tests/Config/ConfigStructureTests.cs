using LogAgent.Core.Config;

namespace LogAgent.Tests.Config;

public class ConfigStructureTests
{
    private static IReadOnlyList<LogAgent.Sdk.Config.ConfigException> Check(string text) =>
        ConfigStructure.Validate(ConfigLoader.Parse(text, "s.conf", "."));

    [Fact]
    public void ASoundConfigHasNoProblems() =>
        Assert.Empty(Check("<system>\n</system>\n<source>\n @type forward\n</source>\n<label @A>\n <match **>\n  type null\n </match>\n</label>\n"));

    [Fact]
    public void ASecondSystemIsReportedAtItsLineNamingTheFirst()
    {
        var problem = Assert.Single(Check("<system>\n</system>\n\n<system>\n</system>\n"));
        Assert.Equal(4, problem.Line);
        Assert.Contains("s.conf:1", problem.Message);
    }

    [Fact]
    public void DirectivesWithoutTypeAreReportedInsideLabelsAndWorkers()
    {
        var problems = Check("<worker 0>\n <source>\n </source>\n</worker>\n<label @L>\n <filter **>\n </filter>\n <match **>\n  @type null\n </match>\n</label>\n");
        Assert.Equal([2, 6], problems.Select(p => p.Line));
        Assert.All(problems, p => Assert.Contains("Missing '@type'", p.Message));
    }

    [Fact]
    public void ALabelWithoutMatchIsReported()
    {
        var problem = Assert.Single(Check("<label @EMPTY>\n # nothing routed\n</label>\n"));
        Assert.Equal(1, problem.Line);
        Assert.Contains("Missing <match> sections in <label @EMPTY>", problem.Message);
    }
}
