using LogAgent.Core.Buffers;
using LogAgent.Core.Plugins;
using LogAgent.Sdk.Config;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Buffers;

/// <summary>
/// Ports fluentd's <c>test/plugin_helper/test_retry_state.rb</c>: the clock only moves when a test moves it (fluentd's
/// <c>override_current_time</c>), and randomness is injected, so every schedule is exact.
/// </summary>
public sealed class RetryStateTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(T0);

    private static DateTimeOffset At(double seconds) => T0 + TimeSpan.FromSeconds(seconds);

    private static RetryPolicy Policy(RetryType type, double wait, double timeout, bool randomize = false,
        bool forever = false, int? maxTimes = null, double backoffBase = 2, double? maxInterval = null, double threshold = 0.8) =>
        new()
        {
            RetryType = type,
            RetryWait = TimeSpan.FromSeconds(wait),
            RetryTimeout = TimeSpan.FromSeconds(timeout),
            RetryRandomize = randomize,
            RetryForever = forever,
            RetryMaxTimes = maxTimes,
            RetryExponentialBackoffBase = backoffBase,
            RetryMaxInterval = maxInterval is double m ? TimeSpan.FromSeconds(m) : null,
            RetrySecondaryThreshold = threshold,
        };

    // With retry_randomize false the random source must not even be consulted.
    private static double NoRandom() => throw new InvalidOperationException("randomness used with retry_randomize false");

    private RetryState Create(RetryPolicy policy, bool secondary = false, Func<double>? random = null) =>
        new(policy, secondary, _clock, random ?? NoRandom);

    // fluentd's "override_current_time(s, s.next_time); s.step": the retry happens exactly when it was due.
    private void RetryAtNextTimeAndFail(RetryState s)
    {
        _clock.Now = s.NextTime;
        s.Step();
    }

    [Fact]
    public void Randomize_keeps_the_interval_within_plus_or_minus_12_5_percent()
    {
        var seeded = new Random(12345);
        var s = Create(Policy(RetryType.Periodic, wait: 1000, timeout: 1e9, randomize: true), random: seeded.NextDouble);
        for (int i = 0; i < 500; i++)
        {
            s.Step();
            double interval = (s.NextTime - _clock.Now).TotalSeconds;
            Assert.InRange(interval, 875, 1124.999999);
        }
    }

    [Theory]
    [InlineData(0.0, 875)]
    [InlineData(0.5, 1000)]
    [InlineData(0.75, 1062.5)]
    public void Randomize_maps_rand_onto_the_width(double rand, double expectedSeconds)
    {
        var s = Create(Policy(RetryType.Periodic, wait: 1000, timeout: 1e9, randomize: true), random: () => rand);
        s.Step();
        Assert.Equal(At(expectedSeconds), s.NextTime);
    }

    [Fact]
    public void Randomize_width_can_be_given()
    {
        var s = new RetryState(Policy(RetryType.Periodic, wait: 1000, timeout: 1e9, randomize: true), false, _clock, () => 0.0, randomizeWidth: 0.25);
        s.Step();
        Assert.Equal(At(750), s.NextTime);
    }

    [Fact]
    public void Randomize_width_outside_0_to_0_5_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RetryState(Policy(RetryType.Periodic, 1, 10), false, _clock, NoRandom, randomizeWidth: 0.6));
    }

    [Fact]
    public void First_retry_is_retry_wait_after_the_failure_and_not_randomized()
    {
        // rand 0 would shorten a randomized wait to 0.0875 s.
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 0.1, timeout: 30, randomize: true), random: () => 0.0);

        Assert.Equal(T0, s.Start);
        Assert.Equal(0, s.Steps);
        Assert.Equal(At(0.1), s.NextTime);
        Assert.Equal(At(30), s.TimeoutAt);
        Assert.Null(s.SecondaryTransitionAt);
        Assert.False(s.IsSecondary);
        Assert.False(s.IsLimitReached);
    }

    [Fact]
    public void Periodic_retries_every_retry_wait_until_the_timeout()
    {
        var s = Create(Policy(RetryType.Periodic, wait: 3, timeout: 29));
        Assert.Equal(At(29), s.TimeoutAt);
        Assert.Equal(At(3), s.NextTime);

        for (int i = 1; i < 9; i++)
        {
            RetryAtNextTimeAndFail(s);
            Assert.Equal(i, s.Steps);
            Assert.Equal(_clock.Now + TimeSpan.FromSeconds(3), s.NextTime);
            Assert.False(s.IsLimitReached);
        }

        RetryAtNextTimeAndFail(s); // at 27: 30 is past the timeout
        Assert.Equal(s.TimeoutAt, s.NextTime);
        Assert.False(s.IsLimitReached); // the retry at the timeout itself is still made
        s.Step();
        Assert.True(s.IsLimitReached);
    }

    [Fact]
    public void Periodic_retries_stop_at_retry_max_times()
    {
        var s = Create(Policy(RetryType.Periodic, wait: 3, timeout: 29, maxTimes: 5));
        for (int i = 1; i < 5; i++)
        {
            RetryAtNextTimeAndFail(s);
            Assert.Equal(i, s.Steps);
            Assert.Equal(_clock.Now + TimeSpan.FromSeconds(3), s.NextTime);
            Assert.False(s.IsLimitReached);
        }

        RetryAtNextTimeAndFail(s);
        Assert.True(s.IsLimitReached);
    }

    [Fact]
    public void Periodic_retries_switch_to_the_secondary_at_threshold_times_timeout()
    {
        var s = Create(Policy(RetryType.Periodic, wait: 3, timeout: 100), secondary: true);
        Assert.Equal(At(100), s.TimeoutAt);
        Assert.Equal(At(80), s.SecondaryTransitionAt);
        Assert.Equal(At(3), s.NextTime);
        Assert.False(s.IsSecondary);

        for (int i = 1; i < 26; i++)
        {
            _clock.Now = s.NextTime;
            Assert.False(s.IsSecondary);
            s.Step();
            Assert.Equal(i, s.Steps);
            Assert.Equal(_clock.Now + TimeSpan.FromSeconds(3), s.NextTime);
            Assert.False(s.IsLimitReached);
        }

        _clock.Now = s.NextTime; // 78
        Assert.False(s.IsSecondary);
        s.Step();
        Assert.Equal(26, s.Steps);
        Assert.Equal(s.SecondaryTransitionAt, s.NextTime); // 81 is cut to 80
        Assert.False(s.IsLimitReached);

        _clock.Now = s.NextTime; // 80
        Assert.True(s.IsSecondary);
        s.Step();
        Assert.Equal(At(83), s.NextTime);
        Assert.Equal(s.Steps, s.SecondaryTransitionSteps);
        Assert.False(s.IsLimitReached);

        for (int i = 28; i < 33; i++)
        {
            _clock.Now = s.NextTime;
            Assert.True(s.IsSecondary);
            s.Step();
            Assert.Equal(_clock.Now + TimeSpan.FromSeconds(3), s.NextTime);
            Assert.False(s.IsLimitReached);
        }

        _clock.Now = s.NextTime; // 98
        Assert.True(s.IsSecondary);
        s.Step();
        Assert.Equal(s.TimeoutAt, s.NextTime); // 100
        s.Step();
        Assert.True(s.IsLimitReached);
    }

    [Theory]
    [InlineData(RetryType.Periodic)]
    [InlineData(RetryType.ExponentialBackoff)]
    public void Secondary_threshold_can_be_given(RetryType type)
    {
        var s = Create(Policy(type, wait: 3, timeout: 100, threshold: 0.75), secondary: true);
        Assert.Equal(At(100), s.TimeoutAt);
        Assert.Equal(At(75), s.SecondaryTransitionAt);
    }

    [Fact]
    public void Periodic_secondary_threshold_applies_to_the_max_times_total_when_shorter()
    {
        var s = Create(Policy(RetryType.Periodic, wait: 3, timeout: 100, maxTimes: 5), secondary: true);
        Assert.Equal(At(100), s.TimeoutAt);
        Assert.Equal(At(3 * 5 * 0.8), s.SecondaryTransitionAt);
    }

    [Fact]
    public void Exponential_backoff_forever_doubles_from_retry_wait_and_never_limits()
    {
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 0.1, timeout: 300, forever: true));
        Assert.Equal(0, s.Steps);
        Assert.Equal(At(0.1), s.NextTime);

        // fluentd checks i < 300; 0.1 * 2**42 s is past year 9999, where DateTimeOffset ends (see the saturation test).
        for (int i = 1; i < 42; i++)
        {
            s.Step();
            Assert.Equal(i, s.Steps);
            Assert.Equal(At(0.1 * Math.Pow(2, i)), s.NextTime);
            Assert.False(s.IsLimitReached);
        }
    }

    [Fact]
    public void Exponential_backoff_past_year_9999_saturates_instead_of_overflowing()
    {
        // fluentd's "too big steps (check inf handling)": 2**1025 is Infinity in a double.
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 1, timeout: 300, forever: true));
        for (int i = 1; i < 1027; i++) s.Step();
        Assert.Equal(DateTimeOffset.MaxValue, s.NextTime);
        Assert.False(s.IsLimitReached);
    }

    [Fact]
    public void Exponential_backoff_interval_is_capped_by_retry_max_interval()
    {
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 0.1, timeout: 300, forever: true, maxInterval: 100));
        Assert.Equal(At(0.1), s.NextTime);

        // 0.1 * 2**9 == 51.2; 0.1 * 2**10 == 102.4
        for (int i = 1; i < 10; i++)
        {
            s.Step();
            Assert.Equal(i, s.Steps);
            Assert.Equal(At(0.1 * Math.Pow(2, i)), s.NextTime);
        }

        s.Step();
        Assert.Equal(10, s.Steps);
        Assert.Equal(At(100), s.NextTime);
        s.Step();
        Assert.Equal(11, s.Steps);
        Assert.Equal(At(100), s.NextTime);
    }

    [Fact]
    public void Exponential_backoff_is_cut_at_a_short_timeout_and_then_limited()
    {
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 1, timeout: 12, maxInterval: 10));
        Assert.Equal(At(12), s.TimeoutAt);
        Assert.Equal(At(1), s.NextTime);

        // 1 + 2 + 4 (= 7)
        RetryAtNextTimeAndFail(s);
        Assert.Equal(1, s.Steps);
        Assert.Equal(_clock.Now + TimeSpan.FromSeconds(2), s.NextTime);

        RetryAtNextTimeAndFail(s);
        Assert.Equal(2, s.Steps);
        Assert.Equal(_clock.Now + TimeSpan.FromSeconds(4), s.NextTime);
        Assert.False(s.IsLimitReached);

        // + 8 (= 15) > 12
        RetryAtNextTimeAndFail(s);
        Assert.Equal(3, s.Steps);
        Assert.Equal(s.TimeoutAt, s.NextTime);
        Assert.False(s.IsLimitReached);

        s.Step();
        Assert.True(s.IsLimitReached);
    }

    [Fact]
    public void Exponential_backoff_stops_at_retry_max_times()
    {
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 1, timeout: 120, maxInterval: 10, maxTimes: 6));
        Assert.Equal(At(120), s.TimeoutAt);
        Assert.Equal(At(1), s.NextTime);

        double[] intervals = [2, 4, 8, 10, 10];
        for (int i = 0; i < intervals.Length; i++)
        {
            RetryAtNextTimeAndFail(s);
            Assert.Equal(i + 1, s.Steps);
            Assert.Equal(_clock.Now + TimeSpan.FromSeconds(intervals[i]), s.NextTime);
            Assert.False(s.IsLimitReached);
        }

        RetryAtNextTimeAndFail(s);
        Assert.Equal(6, s.Steps);
        Assert.True(s.IsLimitReached);
    }

    [Fact]
    public void Exponential_backoff_switches_to_the_secondary_and_restarts_the_backoff()
    {
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 1, timeout: 100), secondary: true);
        Assert.Equal(At(100), s.TimeoutAt);
        Assert.Equal(At(80), s.SecondaryTransitionAt);
        Assert.Equal(At(1), s.NextTime);
        Assert.False(s.IsSecondary);

        // primary: 3, 7, 15, 31, 63, 80 (timeout * threshold); secondary: 81, 83, 87, 95, 100
        for (int i = 1; i < 6; i++)
        {
            _clock.Now = s.NextTime;
            Assert.False(s.IsSecondary);
            s.Step();
            Assert.Equal(i, s.Steps);
            Assert.Equal(_clock.Now + TimeSpan.FromSeconds(Math.Pow(2, i)), s.NextTime);
            Assert.False(s.IsLimitReached);
        }

        _clock.Now = s.NextTime; // 63
        Assert.False(s.IsSecondary);
        s.Step();
        Assert.Equal(6, s.Steps);
        Assert.Equal(s.SecondaryTransitionAt, s.NextTime);
        Assert.False(s.IsLimitReached);

        _clock.Now = s.NextTime; // 80
        Assert.True(s.IsSecondary);
        s.Step();
        Assert.Equal(7, s.Steps);
        Assert.Equal(s.Steps, s.SecondaryTransitionSteps);
        Assert.Equal(At(81), s.NextTime);
        Assert.False(s.IsLimitReached);

        for (int j = 1; j < 4; j++) // 83, 87, 95
        {
            _clock.Now = s.NextTime;
            Assert.True(s.IsSecondary);
            s.Step();
            Assert.Equal(7 + j, s.Steps);
            Assert.Equal(_clock.Now + TimeSpan.FromSeconds(Math.Pow(2, j)), s.NextTime);
            Assert.False(s.IsLimitReached);
        }

        _clock.Now = s.NextTime; // 95
        Assert.True(s.IsSecondary);
        s.Step();
        Assert.Equal(s.TimeoutAt, s.NextTime); // 100
        s.Step();
        Assert.True(s.IsLimitReached);
    }

    [Fact]
    public void Exponential_secondary_threshold_applies_to_the_max_times_total_when_shorter()
    {
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 1, timeout: 100, maxTimes: 5), secondary: true);
        Assert.Equal(At(100), s.TimeoutAt);
        Assert.Equal(At((1 + 2 + 4 + 8 + 16) * 0.8), s.SecondaryTransitionAt);
    }

    [Fact]
    public void Retry_forever_never_switches_to_the_secondary()
    {
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 1, timeout: 100, forever: true), secondary: true);
        for (int i = 0; i < 20; i++)
        {
            RetryAtNextTimeAndFail(s);
            Assert.False(s.IsSecondary);
            Assert.False(s.IsLimitReached);
        }
        Assert.True(_clock.Now > s.TimeoutAt);
        Assert.Null(s.SecondaryTransitionSteps);
    }

    [Fact]
    public void Recalculating_the_next_time_counts_no_failure()
    {
        var s = Create(Policy(RetryType.ExponentialBackoff, wait: 1, timeout: 100));
        RetryAtNextTimeAndFail(s); // at 1: next 3
        _clock.Now = At(2);
        s.RecalcNextTime();
        Assert.Equal(1, s.Steps);
        Assert.Equal(At(4), s.NextTime);
    }

    // fluentd's "ExponentialBackOff_ScenarioTests": retry N happens `elapsed` seconds after the first failure, on the
    // secondary from retry `SecondaryFrom` on; after the last one the state is at its limit.
    private sealed record Scenario(double Timeout, int? MaxTimes, double? MaxInterval, bool UseSecondary, double Threshold,
        double Wait, double Base, int? SecondaryFrom, int[] Elapsed);

    private static readonly Dictionary<string, Scenario> Scenarios = new()
    {
        ["Simple timeout"] = new(100, null, null, false, 0.8, 1, 2, null,
            [1, 3, 7, 15, 31, 63, 100]),
        ["Simple timeout with secondary"] = new(100, null, null, true, 0.8, 1, 2, 7,
            [1, 3, 7, 15, 31, 63, 80, 81, 83, 87, 95, 100]),
        ["Simple timeout with custom wait and backoff_base"] = new(1000, null, null, false, 0.8, 2, 3, null,
            [2, 8, 26, 80, 242, 728, 1000]),
        ["Simple timeout with custom wait and backoff_base and secondary"] = new(1000, null, null, true, 0.8, 2, 3, 7,
            [2, 8, 26, 80, 242, 728, 800, 802, 808, 826, 880, 1000]),
        ["Default timeout"] = new(72 * 3600, null, null, false, 0.8, 1, 2, null,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095,
             8191, 16383, 32767, 65535, 131071, 259200]),
        ["Default timeout with secondary"] = new(72 * 3600, null, null, true, 0.8, 1, 2, 18,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095,
             8191, 16383, 32767, 65535, 131071, 207360, 207361, 207363, 207367, 207375, 207391, 207423,
             207487, 207615, 207871, 208383, 209407, 211455, 215551, 223743, 240127, 259200]),
        ["Default timeout with secondary and custom threshold"] = new(72 * 3600, null, null, true, 0.5, 1, 2, 17,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095,
             8191, 16383, 32767, 65535, 129600, 129601, 129603, 129607, 129615, 129631, 129663, 129727,
             129855, 130111, 130623, 131647, 133695, 137791, 145983, 162367, 195135, 259200]),
        ["Simple max_steps"] = new(72 * 3600, 10, null, false, 0.8, 1, 2, null,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023]),
        ["Simple max_steps with secondary"] = new(72 * 3600, 10, null, true, 0.8, 1, 2, 10,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 818]),
        ["Simple interval"] = new(72 * 3600, null, 3600, false, 0.8, 1, 2, null,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095,
             7695, 11295, 14895, 18495, 22095, 25695, 29295, 32895, 36495, 40095, 43695, 47295,
             50895, 54495, 58095, 61695, 65295, 68895, 72495, 76095, 79695, 83295, 86895, 90495,
             94095, 97695, 101295, 104895, 108495, 112095, 115695, 119295, 122895, 126495, 130095, 133695,
             137295, 140895, 144495, 148095, 151695, 155295, 158895, 162495, 166095, 169695, 173295, 176895,
             180495, 184095, 187695, 191295, 194895, 198495, 202095, 205695, 209295, 212895, 216495, 220095,
             223695, 227295, 230895, 234495, 238095, 241695, 245295, 248895, 252495, 256095, 259200]),
        ["Simple interval with secondary"] = new(72 * 3600, null, 3600, true, 0.8, 1, 2, 69,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095,
             7695, 11295, 14895, 18495, 22095, 25695, 29295, 32895, 36495, 40095, 43695, 47295,
             50895, 54495, 58095, 61695, 65295, 68895, 72495, 76095, 79695, 83295, 86895, 90495,
             94095, 97695, 101295, 104895, 108495, 112095, 115695, 119295, 122895, 126495, 130095, 133695,
             137295, 140895, 144495, 148095, 151695, 155295, 158895, 162495, 166095, 169695, 173295, 176895,
             180495, 184095, 187695, 191295, 194895, 198495, 202095, 205695, 207360, 207361, 207363, 207367,
             207375, 207391, 207423, 207487, 207615, 207871, 208383, 209407, 211455, 215055, 218655, 222255,
             225855, 229455, 233055, 236655, 240255, 243855, 247455, 251055, 254655, 258255, 259200]),
        ["Max_steps and max_interval"] = new(72 * 3600, 30, 3600, false, 0.8, 1, 2, null,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095,
             7695, 11295, 14895, 18495, 22095, 25695, 29295, 32895, 36495, 40095, 43695, 47295,
             50895, 54495, 58095, 61695, 65295, 68895]),
        ["Max_steps and max_interval with secondary"] = new(72 * 3600, 30, 3600, true, 0.8, 1, 2, 27,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095,
             7695, 11295, 14895, 18495, 22095, 25695, 29295, 32895, 36495, 40095, 43695, 47295,
             50895, 54495, 55116, 55117, 55119, 55123]),
        ["Max_steps and max_interval with timeout"] = new(10000, 30, 1000, false, 0.8, 1, 2, null,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2023, 3023,
             4023, 5023, 6023, 7023, 8023, 9023, 10000]),
        ["Max_steps and max_interval with timeout and secondary"] = new(10000, 30, 1000, true, 0.8, 1, 2, 17,
            [1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2023, 3023,
             4023, 5023, 6023, 7023, 8000, 8001, 8003, 8007, 8015, 8031, 8063, 8127,
             8255, 8511, 9023, 10000]),
    };

    public static TheoryData<string> ScenarioNames => new(Scenarios.Keys);

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Exponential_backoff_scenario(string name)
    {
        var d = Scenarios[name];
        var s = Create(Policy(RetryType.ExponentialBackoff, d.Wait, d.Timeout, maxTimes: d.MaxTimes, backoffBase: d.Base,
            maxInterval: d.MaxInterval, threshold: d.Threshold), secondary: d.UseSecondary);

        var actual = new List<(int Retry, int Elapsed, bool Secondary)>();
        for (int retry = 1; retry <= 1000; retry++) // fluentd's trying_count: a bound against an endless loop
        {
            int elapsed = (int)(s.NextTime - s.Start).TotalSeconds; // Ruby's to_i truncates
            _clock.Now = s.NextTime;
            actual.Add((retry, elapsed, s.IsSecondary));
            s.Step();
            if (s.IsLimitReached) break;
        }

        var expected = d.Elapsed.Select((e, i) => (i + 1, e, d.SecondaryFrom is int from && i + 1 >= from)).ToList();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Policy_has_fluentd_defaults()
    {
        var p = new RetryPolicy();
        Assert.False(p.RetryForever);
        Assert.Equal(TimeSpan.FromHours(72), p.RetryTimeout);
        Assert.Null(p.RetryMaxTimes);
        Assert.Equal(0.8, p.RetrySecondaryThreshold);
        Assert.Equal(RetryType.ExponentialBackoff, p.RetryType);
        Assert.Equal(TimeSpan.FromSeconds(1), p.RetryWait);
        Assert.Equal(2, p.RetryExponentialBackoffBase);
        Assert.Null(p.RetryMaxInterval);
        Assert.True(p.RetryRandomize);
    }

    [Fact]
    public void Policy_binds_from_a_buffer_section_by_fluentd_names()
    {
        var section = new ConfigSection("buffer", "", "test.conf", 1);
        foreach (var (k, v) in new[]
        {
            ("retry_forever", "true"), ("retry_timeout", "1h"), ("retry_max_times", "17"),
            ("retry_secondary_threshold", "0.5"), ("retry_type", "periodic"), ("retry_wait", "10s"),
            ("retry_exponential_backoff_base", "3"), ("retry_max_interval", "5m"), ("retry_randomize", "false"),
        })
            section.Add(new ConfigParameter(k, v, "test.conf", 2));

        var p = new RetryPolicy();
        ParameterBinder.Bind(p, section, "test");

        Assert.Equal(new RetryPolicy
        {
            RetryForever = true,
            RetryTimeout = TimeSpan.FromHours(1),
            RetryMaxTimes = 17,
            RetrySecondaryThreshold = 0.5,
            RetryType = RetryType.Periodic,
            RetryWait = TimeSpan.FromSeconds(10),
            RetryExponentialBackoffBase = 3,
            RetryMaxInterval = TimeSpan.FromMinutes(5),
            RetryRandomize = false,
        }, p);
    }

    [Fact]
    public void Retry_type_exponential_backoff_binds_by_its_snake_case_name()
    {
        var section = new ConfigSection("buffer", "", "test.conf", 1);
        section.Add(new ConfigParameter("retry_type", "exponential_backoff", "test.conf", 2));
        var p = new RetryPolicy { RetryType = RetryType.Periodic };
        ParameterBinder.Bind(p, section, "test");
        Assert.Equal(RetryType.ExponentialBackoff, p.RetryType);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(-0.2)]
    public void Secondary_threshold_outside_0_to_1_exclusive_is_a_config_error_with_a_secondary(double threshold)
    {
        var p = new RetryPolicy { RetrySecondaryThreshold = threshold };
        var ex = Assert.Throws<ConfigException>(() => p.Validate(hasSecondary: true, new ConfigSection("buffer", "", "a.conf", 7)));
        Assert.Equal("secondary_transition_threshold MUST be between 0 and 1", ex.Reason);
        Assert.Equal(7, ex.Line);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryState(p, hasSecondary: true, _clock));
    }

    [Theory]
    [InlineData(1.0, false)] // fluentd checks the threshold only when a <secondary> exists
    [InlineData(0.999, true)]
    [InlineData(0.001, true)]
    public void Secondary_threshold_accepted(double threshold, bool hasSecondary)
    {
        var p = new RetryPolicy { RetrySecondaryThreshold = threshold };
        p.Validate(hasSecondary);
        _ = new RetryState(p, hasSecondary, _clock);
    }
}
