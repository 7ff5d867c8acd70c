using LogAgent.Core.Config;

namespace LogAgent.Tests.Config;

/// <summary>Ruby's Float#to_s decides the text of JSON and YAML floats fluentd hands to plugins.</summary>
public class RubyFloatFormatTests
{
    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(100.0, "100.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1.0e-05")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1.0e+16")]
    [InlineData(-2.25e20, "-2.25e+20")]
    [InlineData(0.1, "0.1")]
    public void FormatsAsRubyDoes(double value, string expected) => Assert.Equal(expected, RubyFloatFormat.Format(value));
}
