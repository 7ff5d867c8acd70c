namespace LogAgent.LoadTest;

/// <summary>
/// A tail scenario: the agent reads a pre-generated nginx access log from its head, given the log's path, the pos
/// file's path, the counting sink's port and the forward output's buffer size.
/// </summary>
public sealed record TailScenario(string Name, string Description, bool HasSink, Func<string, string, int, int, string> Config)
{
    public static readonly IReadOnlyList<TailScenario> All =
    [
        new("tail-null", "tail (parse none) → null output", false, (log, pos, _, _) => Source(log, pos, "none") + """
            <match **>
              @type null
            </match>
            """),
        new("tail-forward", "tail (parse none) → forward output (memory buffer, require_ack_response false) → counting sink", true,
            // The last, partly filled chunk waits for flush_interval: 0.1s rather than the forward scenarios' 1s, so
            // the time to deliver a million lines is not mostly that wait.
            (log, pos, sink, bufferMiB) => Source(log, pos, "none") + Scenario.ForwardMatch(sink, bufferMiB, requireAck: false, flushInterval: "0.1s")),
        new("tail-nginx", "tail (parse nginx) → null output", false, (log, pos, _, _) => Source(log, pos, "nginx") + """
            <match **>
              @type null
            </match>
            """),
    ];

    private static string Source(string log, string pos, string parser) => $"""
        <source>
          @type tail
          path {log}
          pos_file {pos}
          read_from_head true
          tag bench.access
          <parse>
            @type {parser}
          </parse>
        </source>

        """;
}
