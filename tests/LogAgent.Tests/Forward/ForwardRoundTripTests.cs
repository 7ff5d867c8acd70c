namespace LogAgent.Tests.Forward;

/// <summary>LogAgent's forward output sending to LogAgent's forward input, both in this process.</summary>
public class ForwardRoundTripTests
{
    [Theory]
    [InlineData("text")]
    [InlineData("gzip")]
    public async Task A_chunk_written_by_the_output_arrives_as_the_same_100_events_and_is_acked(string compress)
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var (_, entries, _) = ForwardOutputTests.PackedRequestOf("fd-default.bin");
        var output = ForwardOutputTests.Build(harness.Port, ("require_ack_response", "true"), ("ack_response_timeout", "10"), ("compress", compress));

        // WriteAsync returns only after the input acked, and the input acks only after the emit: no waiting needed.
        await output.WriteAsync(new TestChunk("corpus.fd.default", entries, 100), CancellationToken.None);

        ForwardCorpus.AssertEvents(ForwardCorpus.Captures.Single(c => c.Name == "fd-default"), harness.Output.Events);
    }

    [Fact]
    public async Task When_the_receiving_engine_cannot_accept_the_events_the_write_times_out_for_a_retry()
    {
        await using var harness = await ForwardInputHarness.StartAsync(outputParameters: "fail true");
        var (_, entries, _) = ForwardOutputTests.PackedRequestOf("fd-default.bin");
        var output = ForwardOutputTests.Build(harness.Port, ("require_ack_response", "true"), ("ack_response_timeout", "0.5"));
        await Assert.ThrowsAsync<TimeoutException>(() => output.WriteAsync(new TestChunk("t", entries, 100), CancellationToken.None));
    }
}
