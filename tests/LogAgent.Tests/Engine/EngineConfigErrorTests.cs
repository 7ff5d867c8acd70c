using LogAgent.Sdk.Config;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Engine;

public class EngineConfigErrorTests
{
    private static ConfigException Error(string config) => Assert.Throws<ConfigException>(() => EngineFixture.Build(config));

    [Fact]
    public void A_match_without_type_names_its_line()
    {
        var ex = Error("<source>\n  @type test_manual\n</source>\n<match s.**>\n</match>\n");
        Assert.Equal(4, ex.Line);
        Assert.Contains("Missing '@type' parameter on <match> directive", ex.Message);
    }

    [Fact]
    public void An_unknown_plugin_names_itself_and_its_line()
    {
        var ex = Error("<match **>\n  @type test_capture\n</match>\n<match x>\n  @type kinesis_nonexistent\n</match>\n");
        Assert.Equal(4, ex.Line);
        Assert.Contains("Unknown output plugin 'kinesis_nonexistent'", ex.Message);
    }

    [Fact]
    public void A_source_label_that_does_not_exist_is_an_error()
    {
        var ex = Error("<source>\n  @type test_manual\n  @label @NOPE\n</source>\n<match **>\n  @type test_capture\n</match>\n");
        Assert.Equal(1, ex.Line);
        Assert.Contains("unknown label: @NOPE", ex.Message);
    }

    [Fact]
    public void Relabel_to_a_missing_label_names_the_label_line()
    {
        var ex = Error("<match **>\n  @type relabel\n  @label @GONE\n</match>\n");
        Assert.Equal(3, ex.Line);
        Assert.Contains("unknown label: @GONE", ex.Message);
    }

    [Fact]
    public void A_label_without_a_match_is_an_error_as_in_fluentd()
    {
        var ex = Error("<match **>\n  @type test_capture\n</match>\n<label @FLUENT_LOG>\n  # nothing\n</label>\n");
        Assert.Equal(4, ex.Line);
        Assert.Contains("Missing <match> sections in <label @FLUENT_LOG> section", ex.Message);
    }

    [Fact]
    public void A_second_system_directive_is_an_error_naming_both()
    {
        var ex = Error("<system>\n  log_level info\n</system>\n<system>\n  log_level warn\n</system>\n");
        Assert.Equal(4, ex.Line);
        Assert.Contains("<system> is duplicated: it is already defined at test.conf:1", ex.Message);
    }

    [Fact]
    public void A_duplicated_plugin_id_is_an_error()
    {
        var ex = Error("<match a>\n  @type test_capture\n  @id same\n</match>\n<match b>\n  @type test_capture\n  @id same\n</match>\n");
        Assert.Contains("Duplicated plugin id `same`", ex.Message);
    }

    [Fact]
    public void An_unknown_parameter_is_a_warning_naming_the_plugin_and_parameter()
    {
        var engine = EngineFixture.Build("<match **>\n  @type test_capture\n  flush_intreval 5s\n</match>\n<buffer>\n</buffer>\n");
        Assert.Contains(engine.Warnings, w => w.Line == 3 && w.Message.Contains("parameter 'flush_intreval'") && w.Message.Contains("plugin 'test_capture'"));
        Assert.Contains(engine.Warnings, w => w.Line == 5 && w.Message.Contains("section <buffer> is not used"));
    }

    [Fact]
    public void A_bad_value_names_the_parameter_line()
    {
        var ex = Error("<source>\n  @type sample\n  rate often\n</source>\n<match **>\n  @type null\n</match>\n");
        Assert.Equal(3, ex.Line);
        Assert.Contains("invalid value for parameter 'rate' of plugin 'sample'", ex.Message);
    }

    [Fact]
    public void Worker_0_sections_apply_and_other_workers_are_skipped_with_a_warning()
    {
        var engine = EngineFixture.Build("<worker 0>\n<match a>\n  @type test_capture\n  @id w0\n</match>\n</worker>\n<worker 1>\n<match b>\n  @type test_capture\n  @id w1\n</match>\n</worker>\n");
        Assert.Single(engine.Outputs);
        Assert.Contains(engine.Warnings, w => w.Line == 7 && w.Message.Contains("<worker 1> is skipped"));
    }
}
