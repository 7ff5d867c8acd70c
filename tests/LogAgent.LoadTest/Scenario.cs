namespace LogAgent.LoadTest;

/// <summary>What the agent under test does with the events: its config, given the ports in use.</summary>
public sealed record Scenario(string Name, string Description, bool HasSink, Func<int, int, int, string> Config)
{
    public static readonly IReadOnlyList<Scenario> All =
    [
        new("forward-null", "forward input → null output", false, (input, _, _) => Source(input) + """
            <match **>
              @type null
            </match>
            """),
        new("forward-forward", "forward input → forward output (memory buffer, require_ack_response false) → counting sink", true,
            (input, sink, bufferMiB) => Source(input) + ForwardMatch(sink, bufferMiB, requireAck: false)),
        new("forward-forward-ack", "forward input → forward output (memory buffer, require_ack_response true) → counting sink", true,
            (input, sink, bufferMiB) => Source(input) + ForwardMatch(sink, bufferMiB, requireAck: true)),
    ];

    private static string Source(int port) => $"""
        <source>
          @type forward
          bind 127.0.0.1
          port {port}
        </source>

        """;

    // Chunks are flushed as soon as they are full (burst interval 0) by two threads over kept connections, and the
    // buffer blocks the input when it holds total_limit_size (--buffer-mib), so memory stays bounded when the sink is slower.
    internal static string ForwardMatch(int sinkPort, int bufferMiB, bool requireAck, string flushInterval = "1s",
        string flushThreadInterval = "0.05") => $"""
        <match **>
          @type forward
          keepalive true
          require_ack_response {(requireAck ? "true" : "false")}
          <server>
            host 127.0.0.1
            port {sinkPort}
          </server>
          <buffer>
            @type memory
            chunk_limit_size 4m
            total_limit_size {bufferMiB}m
            overflow_action block
            flush_mode interval
            flush_interval {flushInterval}
            flush_thread_count 2
            flush_thread_interval {flushThreadInterval}
            flush_thread_burst_interval 0
          </buffer>
        </match>
        """;
}
