using LogAgent.Sdk.Text;

namespace LogAgent.Tests.Text;

/// <summary>
/// Ruby's Float#to_s, which decides the text of floats in formatter output, filters' interpolation, time_type float
/// and re-serialised JSON/YAML config values (values checked against Ruby 3.2).
/// </summary>
public class RubyFloatTests
{
    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1.0")]
    [InlineData(1.5, "1.5")]
    [InlineData(100.0, "100.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(1272942122.5, "1272942122.5")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    // Fixed notation up to a decimal exponent of 16, with all shortest round-trip digits (not cut to 15).
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1234567890123456.7, "1234567890123456.8")]
    [InlineData(1e16, "1.0e+16")]
    [InlineData(1e20, "1.0e+20")]
    [InlineData(1.5e20, "1.5e+20")]
    [InlineData(-2.25e20, "-2.25e+20")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1.0e-05")]
    [InlineData(1.5e-5, "1.5e-05")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Prints_as_ruby_does(double value, string expected) => Assert.Equal(expected, RubyFloat.ToS(value));
}
