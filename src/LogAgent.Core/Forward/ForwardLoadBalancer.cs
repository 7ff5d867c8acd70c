namespace LogAgent.Core.Forward;

/// <summary>
/// Which server a write goes to, as fluentd's out_forward LoadBalancer (lib/fluent/plugin/out_forward/load_balancer.rb):
/// a "weight array" holding each regular server weight/gcd times, shuffled once per rebuild with a seed fixed for the
/// output's life, walked round robin. Detached servers stay in the array and are skipped when their turn comes.
/// Standby servers join the array only while regular servers are detached, and only as many as make up the lost
/// weight; when the regular servers are back, the next rebuild drops them again.
/// </summary>
public sealed class ForwardLoadBalancer
{
    private readonly object _lock = new();
    private readonly int _seed;
    private ForwardNode[] _weightArray = Array.Empty<ForwardNode>();
    private int _rr;

    public ForwardLoadBalancer(int? seed = null)
    {
        // load_balancer.rb: @rand_seed = Random.new.seed, reused on every rebuild so the order only changes with the
        // set of nodes.
        _seed = seed ?? Random.Shared.Next();
    }

    /// <summary>The current rotation (a snapshot).</summary>
    public IReadOnlyList<ForwardNode> WeightArray
    {
        get { lock (_lock) return _weightArray; }
    }

    /// <summary>The standby servers the last rebuild took in, to log when that changes.</summary>
    public IReadOnlyList<ForwardNode> StandbysInUse { get; private set; } = Array.Empty<ForwardNode>();

    /// <summary>Rebuilds the rotation from the nodes' current availability (load_balancer.rb rebuild_weight_array).</summary>
    public void Rebuild(IReadOnlyList<ForwardNode> nodes)
    {
        var regular = nodes.Where(n => !n.Standby).ToList();
        long lostWeight = regular.Where(n => !n.Available).Sum(n => (long)n.Weight);
        var standbys = new List<ForwardNode>();
        if (lostWeight > 0)
        {
            foreach (var n in nodes.Where(n => n.Standby && n.Available))
            {
                standbys.Add(n);
                lostWeight -= n.Weight;
                if (lostWeight <= 0) break;
            }
        }
        regular.AddRange(standbys);

        var array = new List<ForwardNode>();
        int gcd = regular.Aggregate(0, (g, n) => Gcd(g, n.Weight));
        // All weights 0 (gcd 0) means no server may take writes; fluentd would divide by zero here.
        if (gcd > 0)
            foreach (var n in regular)
                for (int i = 0; i < n.Weight / gcd; i++) array.Add(n);

        // load_balancer.rb: "for load balancing during detecting crashed servers" — with few entries the array is
        // repeated, so a write that fails over does not always land on the same neighbour.
        if (array.Count > 0)
        {
            int coe = regular.Count * 6 / array.Count;
            if (coe > 1) array = Enumerable.Repeat(array, coe).SelectMany(a => a).ToList();
        }
        var shuffled = array.ToArray();
        new Random(_seed).Shuffle(shuffled);

        lock (_lock)
        {
            _weightArray = shuffled;
            if (_rr >= shuffled.Length) _rr = 0;
            StandbysInUse = standbys;
        }
    }

    /// <summary>
    /// Tries the next available servers in rotation until <paramref name="send"/> succeeds on one, as
    /// load_balancer.rb select_healthy_node: a failure moves on to the next entry; when every entry failed the last error
    /// is thrown, and with no available server at all a <see cref="ForwardNoNodesAvailableException"/>. Unlike fluentd, a
    /// server already tried for this write is not tried again when it appears further on in the array: the array
    /// repeats servers up to six times, and six connect timeouts to one dead server help nobody.
    /// </summary>
    public async Task<ForwardNode> SelectHealthyNodeAsync(Func<ForwardNode, Task> send)
    {
        ForwardNode[] array;
        int start;
        lock (_lock)
        {
            array = _weightArray;
            start = _rr;
            // Advance the shared cursor by one per write, so concurrent writes spread out as in fluentd.
            if (array.Length > 0) _rr = (_rr + 1) % array.Length;
        }
        Exception? error = null;
        var tried = new HashSet<ForwardNode>();
        for (int i = 0; i < array.Length; i++)
        {
            var node = array[(start + 1 + i) % array.Length];
            if (!node.Available || !tried.Add(node)) continue;
            try
            {
                await send(node);
                if (i > 0)
                    lock (_lock) if (_weightArray == array) _rr = (start + 1 + i) % array.Length;
                return node;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e; // load_balancer.rb: "use the latest error"
            }
        }
        if (error is not null) throw error;
        throw new ForwardNoNodesAvailableException("no nodes are available");
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return Math.Abs(a);
    }
}
