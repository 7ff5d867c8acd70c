using LogAgent.Core.Prometheus;

namespace LogAgent.Tests.Prometheus;

/// <summary>The text exposition format 0.0.4 as the prometheus input writes it, and the instruments behind it.</summary>
public class PrometheusTextTests
{
    private static KeyValuePair<string, string> L(string name, string value) => KeyValuePair.Create(name, value);

    [Fact]
    public void Each_family_has_a_HELP_and_a_TYPE_line_before_its_samples()
    {
        var text = PrometheusText.Write(new[]
        {
            new MetricFamily("records", MetricType.Counter, "Records seen.", new[] { MetricSample.Of(new[] { L("tag", "a") }, 3) }),
            new MetricFamily("queue", MetricType.Gauge, "Queue length.", new[] { MetricSample.Of(Array.Empty<KeyValuePair<string, string>>(), 1.5) }),
        });

        Assert.Equal("""
            # HELP records Records seen.
            # TYPE records counter
            records{tag="a"} 3
            # HELP queue Queue length.
            # TYPE queue gauge
            queue 1.5

            """.Replace("\r\n", "\n"), text);
    }

    [Fact]
    public void Label_values_escape_backslash_double_quote_and_line_feed()
    {
        var text = PrometheusText.Write(new[]
        {
            new MetricFamily("m", MetricType.Gauge, "h", new[] { MetricSample.Of(new[] { L("id", "a\\b\"c\nd{é}") }, 1) }),
        });

        Assert.Contains("m{id=\"a\\\\b\\\"c\\nd{é}\"} 1\n", text);
    }

    [Fact]
    public void Help_text_escapes_backslash_and_line_feed_but_not_double_quote()
    {
        var text = PrometheusText.Write(new[] { new MetricFamily("m", MetricType.Gauge, "a \\ \"b\"\nc", Array.Empty<MetricSample>()) });

        Assert.StartsWith("# HELP m a \\\\ \"b\"\\nc\n", text);
    }

    [Fact]
    public void Families_of_one_name_are_written_as_one_and_a_later_one_of_another_type_is_left_out()
    {
        var text = PrometheusText.Write(new[]
        {
            new MetricFamily("m", MetricType.Counter, "first", new[] { MetricSample.Of(new[] { L("a", "1") }, 1) }),
            new MetricFamily("other", MetricType.Gauge, "o", new[] { MetricSample.Of(new[] { L("a", "1") }, 5) }),
            new MetricFamily("m", MetricType.Counter, "second", new[] { MetricSample.Of(new[] { L("a", "2") }, 2) }),
            new MetricFamily("m", MetricType.Gauge, "third", new[] { MetricSample.Of(new[] { L("a", "3") }, 3) }),
        });

        Assert.Equal(1, CountOf(text, "# TYPE m "));
        Assert.Equal(1, CountOf(text, "# HELP m "));
        Assert.Contains("# HELP m first\n# TYPE m counter\nm{a=\"1\"} 1\nm{a=\"2\"} 2\n# HELP other", text);
        Assert.DoesNotContain("a=\"3\"", text);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(12345678.0, "12345678")]
    [InlineData(0.25, "0.25")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Values_are_written_in_Go_float_syntax(double value, string expected) => Assert.Equal(expected, PrometheusText.FormatValue(value));

    [Fact]
    public void A_counter_adds_per_label_set_and_refuses_to_go_down()
    {
        var counter = new Instrument("c", MetricType.Counter, "h", new[] { "tag" });
        counter.Update(new[] { "a" }, 1);
        counter.Update(new[] { "b" }, 2);
        counter.Update(new[] { "a" }, 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => counter.Update(new[] { "a" }, -1));
        var samples = counter.Collect().Samples;
        Assert.Equal(new[] { ("a", 5.0), ("b", 2.0) }, samples.Select(s => (s.Labels[0].Value, s.Value)));
    }

    [Fact]
    public void A_gauge_keeps_the_last_value()
    {
        var gauge = new Instrument("g", MetricType.Gauge, "h", Array.Empty<string>());
        gauge.Update(Array.Empty<string>(), 7);
        gauge.Update(Array.Empty<string>(), 3);

        Assert.Equal(3, gauge.Collect().Samples.Single().Value);
    }

    [Fact]
    public void A_histogram_writes_cumulative_buckets_with_le_then_sum_and_count()
    {
        var histogram = new Instrument("h", MetricType.Histogram, "help", new[] { "k" }, new[] { 10.0, 1.0 });
        foreach (var v in new[] { 0.5, 5, 50 }) histogram.Update(new[] { "x" }, v);

        var text = PrometheusText.Write(new[] { histogram.Collect() });

        Assert.Contains("""
            # TYPE h histogram
            h_bucket{k="x",le="1"} 1
            h_bucket{k="x",le="10"} 2
            h_bucket{k="x",le="+Inf"} 3
            h_sum{k="x"} 55.5
            h_count{k="x"} 3

            """.Replace("\r\n", "\n"), text);
    }

    [Fact]
    public void A_summary_writes_sum_and_count()
    {
        var summary = new Instrument("s", MetricType.Summary, "help", Array.Empty<string>());
        summary.Update(Array.Empty<string>(), 2);
        summary.Update(Array.Empty<string>(), 3);

        Assert.Equal(new[] { ("_sum", 5.0), ("_count", 2.0) }, summary.Collect().Samples.Select(s => (s.Suffix, s.Value)));
    }

    [Fact]
    public void A_metric_with_a_series_limit_refuses_new_label_sets_but_keeps_updating_known_ones()
    {
        var counter = new Instrument("c", MetricType.Counter, "h", new[] { "k" }) { SeriesLimit = 1 };
        counter.Update(new[] { "a" }, 1);

        Assert.Throws<SeriesLimitException>(() => counter.Update(new[] { "b" }, 1));
        counter.Update(new[] { "a" }, 1);
        Assert.Equal(2, counter.Collect().Samples.Single().Value);
    }

    [Fact]
    public void The_registry_shares_one_instrument_per_name_and_refuses_a_second_type_or_help()
    {
        var registry = new PrometheusRegistry();
        var first = registry.Instrument("m", MetricType.Counter, "h", new[] { "a" });

        Assert.Same(first, registry.Instrument("m", MetricType.Counter, "h", new[] { "a" }));
        Assert.Contains("already been registered as counter", Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() => registry.Instrument("m", MetricType.Gauge, "h", new[] { "a" })).Message);
        Assert.Contains("different docstring", Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() => registry.Instrument("m", MetricType.Counter, "other", new[] { "a" })).Message);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
