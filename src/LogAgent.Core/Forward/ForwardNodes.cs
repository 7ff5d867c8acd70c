namespace LogAgent.Core.Forward;

/// <summary>
/// Chooses which server a write goes to, as out_forward's load balancer does in spirit: active servers in proportion
/// to their weight (smooth weighted round robin), a server that just failed skipped for recover_wait, and standby
/// servers only when no active server is available. The order returned is the fail-over order for one write.
/// </summary>
public sealed class ForwardNodes
{
    private readonly ForwardNode[] _nodes;
    private readonly TimeSpan _recoverWait;
    private readonly object _lock = new();

    public ForwardNodes(IEnumerable<ForwardNode> nodes, TimeSpan recoverWait)
    {
        _nodes = nodes.ToArray();
        _recoverWait = recoverWait;
    }

    public IReadOnlyList<ForwardNode> All => _nodes;

    /// <summary>The servers to try for one write, best first. Servers that failed recently come last, as a last resort.</summary>
    public IReadOnlyList<ForwardNode> Order(DateTimeOffset now)
    {
        lock (_lock)
        {
            bool Healthy(ForwardNode n) => n.FailedAt is not { } at || now - at >= _recoverWait;
            // weight 0: never chosen (out_forward's weight array holds a node weight times).
            var active = _nodes.Where(n => !n.Standby && n.Weight > 0).ToList();
            var healthy = active.Where(Healthy).ToList();
            var order = new List<ForwardNode>(_nodes.Length);
            if (healthy.Count > 0)
            {
                long total = healthy.Sum(n => (long)n.Weight);
                foreach (var n in healthy) n.CurrentWeight += n.Weight;
                var pick = healthy.MaxBy(n => n.CurrentWeight)!;
                pick.CurrentWeight -= total;
                order.Add(pick);
                order.AddRange(healthy.Where(n => n != pick));
            }
            order.AddRange(_nodes.Where(n => n.Standby && Healthy(n)));
            order.AddRange(active.Where(n => !Healthy(n)));
            order.AddRange(_nodes.Where(n => n.Standby && !Healthy(n)));
            return order;
        }
    }

    public void MarkFailed(ForwardNode node, DateTimeOffset now)
    {
        lock (_lock) node.FailedAt = now;
    }

    public void MarkHealthy(ForwardNode node)
    {
        lock (_lock) node.FailedAt = null;
    }
}
