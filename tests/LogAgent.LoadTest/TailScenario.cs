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
            // The last, partly filled chunk waits for flush_interval, checked every flush_thread_interval: 0.05s and
            // 0.01s rather than the forward scenarios' 1s and 0.05s, so the ~0.5s it takes to deliver a million lines
            // is not mostly that wait. Full chunks are sent at once either way (a queued chunk wakes the flush threads).
            (log, pos, sink, bufferMiB) => Source(log, pos, "none") +
                Scenario.ForwardMatch(sink, bufferMiB, requireAck: false, flushInterval: "0.05s", flushThreadInterval: "0.01")),
        new("tail-nginx", "tail (parse nginx) → null output", false, (log, pos, _, _) => Source(log, pos, "nginx") + """
            <match **>
              @type null
            </match>
            """),
    ];

    /// <summary>Removes a run's pos file and the tail input's sidecar beside it (POS.fingerprints, the first bytes of
    /// each file followed), so runs leave nothing in the temp directory and each starts from the log's head.</summary>
    internal static void DeletePosFile(string posPath)
    {
        File.Delete(posPath);
        File.Delete(posPath + ".fingerprints");
    }

    internal static string Source(string log, string pos, string parser) => $"""
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
