using LogAgent.Core.Forward;

namespace LogAgent.Tests.Forward;

/// <summary>
/// The failure detector computes what fluentd's out_forward FailureDetector computes
/// (lib/fluent/plugin/out_forward/failure_detector.rb), with every time injected, and a node detaches and recovers
/// when fluentd's Node#tick and Node#heartbeat would (test/plugin/test_out_forward.rb, "phi_failure_detector").
/// </summary>
public class PhiAccrualFailureDetectorTests
{
    private const double T0 = 1_700_000_000; // a whole second, as Time.now.to_i.to_f
    private static readonly double Ln10 = Math.Log(10.0);

    private static ForwardNode Node(double phiThreshold = 16, bool phi = true, double interval = 1, double recoverWait = 10, double hardTimeout = 60) =>
        new("n", "127.0.0.1", 24224, 60, false, new ForwardNodeHealthOptions
        {
            PhiThreshold = phiThreshold, PhiFailureDetector = phi, HeartbeatInterval = interval, RecoverWait = recoverWait, HardTimeout = hardTimeout,
        }, now: T0);

    [Fact]
    public void A_new_detector_holds_one_gap_of_heartbeat_interval_and_phi_grows_from_zero()
    {
        var d = new PhiAccrualFailureDetector(1, 60, T0);
        Assert.Equal(1, d.SampleSize);
        Assert.Equal(0.0, d.Phi(T0));
        // mean = 1e6 us -> 1 s; t = now - last - 1 + 1; phi = t / mean / ln 10.
        Assert.Equal(1 / Ln10, d.Phi(T0 + 1), 12);
        Assert.Equal(0.5 / Ln10, d.Phi(T0 + 0.5), 12);
    }

    [Fact]
    public void Phi_uses_the_linearly_weighted_mean_of_the_gaps_in_whole_microseconds()
    {
        var d = new PhiAccrualFailureDetector(1, 60, T0);
        d.Add(T0 + 2);       // gap 2 s
        d.Add(T0 + 6);       // gap 4 s
        // gaps [1e6, 2e6, 4e6] weighted 1, 2, 3: (1 + 4 + 12) e6 / 6 = 2833333 us (integer division floors).
        double mean = 2_833_333 / 1e6;
        Assert.Equal(1 / Ln10 / mean, d.Phi(T0 + 7), 12);
    }

    [Fact]
    public void Gaps_are_normalised_so_that_heartbeat_interval_counts_as_one_second()
    {
        var d = new PhiAccrualFailureDetector(0.5, 60, T0);
        for (int i = 1; i <= 5; i++) d.Add(T0 + i * 0.5);
        // mean = 0.5 - 0.5 + 1 = 1; t = 3 - 0.5 + 1 = 3.5.
        Assert.Equal(3.5 / Ln10, d.Phi(T0 + 2.5 + 3), 9);
    }

    [Fact]
    public void The_window_keeps_the_newest_1000_gaps()
    {
        var d = new PhiAccrualFailureDetector(1, 60, T0);
        for (int i = 1; i <= 1500; i++) d.Add(T0 + i);
        Assert.Equal(PhiAccrualFailureDetector.SampleWindow, d.SampleSize);
    }

    [Fact]
    public void Hard_timeout_is_strictly_more_than_hard_timeout_seconds_without_a_heartbeat()
    {
        var d = new PhiAccrualFailureDetector(1, 60, T0);
        Assert.False(d.IsHardTimeout(T0 + 60));
        Assert.True(d.IsHardTimeout(T0 + 60.001));
    }

    [Fact]
    public void After_clear_the_first_heartbeat_records_the_initial_gap_not_the_time_since_zero()
    {
        var d = new PhiAccrualFailureDetector(1, 60, T0);
        d.Clear();
        Assert.Equal(0, d.SampleSize);
        Assert.Equal(0.0, d.Phi(T0 + 100));
        Assert.True(d.IsHardTimeout(T0)); // last is 0 after clear
        d.Add(T0 + 100);
        Assert.Equal(1, d.SampleSize);
        Assert.Equal(1 / Ln10, d.Phi(T0 + 101), 12);
    }

    // test_out_forward.rb 'phi_failure_detector enabled': phi_threshold 0, one tick after configure detaches the node
    // (the detector starts at the whole second, so any later time has phi > 0).
    [Fact]
    public void With_phi_threshold_0_the_first_tick_detaches_the_node_as_in_fluentds_test()
    {
        var node = Node(phiThreshold: 0);
        Assert.True(node.Tick(T0 + 0.25, out var reason));
        Assert.False(node.Available);
        Assert.Contains("phi", reason);
    }

    // test_out_forward.rb 'phi_failure_detector disabled': the same tick leaves it available.
    [Fact]
    public void With_phi_failure_detector_false_the_tick_does_not_detach_as_in_fluentds_test()
    {
        var node = Node(phiThreshold: 0, phi: false);
        Assert.False(node.Tick(T0 + 0.25, out _));
        Assert.True(node.Available);
    }

    [Fact]
    public void With_defaults_a_server_beating_every_second_is_detached_after_16_ln10_seconds_of_silence()
    {
        var node = Node();
        for (int i = 1; i <= 30; i++) node.Heartbeat(T0 + i);
        double last = T0 + 30;
        // phi = t / ln 10 with t = silence: 16 is crossed at 36.841 s.
        Assert.False(node.Tick(last + 36.8, out _));
        Assert.True(node.Available);
        Assert.True(node.Tick(last + 36.9, out _));
        Assert.False(node.Available);
        Assert.Equal(0, node.Failure.SampleSize); // detaching clears the window
    }

    [Fact]
    public void Without_the_phi_detector_hard_timeout_still_detaches()
    {
        var node = Node(phi: false);
        Assert.False(node.Tick(T0 + 60, out _));
        Assert.True(node.Tick(T0 + 60.5, out var reason));
        Assert.Contains("hard_timeout", reason);
    }

    [Fact]
    public void A_detached_server_recovers_once_more_than_recover_wait_over_interval_samples_arrived()
    {
        var node = Node(phiThreshold: 0);
        node.Tick(T0 + 0.5, out _);
        Assert.False(node.Available);
        // recover_sample_size = 10 / 1: the 11th sample (the first heartbeat records the initial gap) recovers.
        for (int i = 1; i <= 10; i++)
        {
            Assert.False(node.Heartbeat(T0 + i));
            Assert.False(node.Available);
        }
        Assert.True(node.Heartbeat(T0 + 11));
        Assert.True(node.Available);
    }

    [Fact]
    public void A_successful_write_is_a_sample_but_never_brings_a_detached_server_back()
    {
        var node = Node(phiThreshold: 0);
        node.Tick(T0 + 0.5, out _);
        for (int i = 1; i <= 20; i++) Assert.False(node.Heartbeat(T0 + i, detect: false));
        Assert.False(node.Available);
        Assert.True(node.Heartbeat(T0 + 21));
    }

    [Fact]
    public void A_detached_server_forgets_its_samples_while_no_heartbeat_comes()
    {
        var node = Node(phiThreshold: 0);
        node.Tick(T0 + 0.5, out _);
        for (int i = 1; i <= 5; i++) node.Heartbeat(T0 + i);
        // Silent for longer than hard_timeout: the next tick clears the window, so recovery starts over.
        Assert.False(node.Tick(T0 + 5 + 61, out _));
        Assert.Equal(0, node.Failure.SampleSize);
    }

    [Fact]
    public void With_heartbeat_type_none_a_node_is_always_available()
    {
        var node = new ForwardNode("n", "127.0.0.1", 1, 60, false, new ForwardNodeHealthOptions { HeartbeatType = ForwardHeartbeatType.None, PhiThreshold = 0 }, now: T0);
        Assert.False(node.Tick(T0 + 1000, out _));
        node.Disable();
        Assert.True(node.Available);
    }
}
