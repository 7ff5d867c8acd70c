using LogAgent.Plugins.Kinesis.Aws;
using Microsoft.Extensions.Logging;

namespace LogAgent.Plugins.Kinesis.Pacing;

/// <summary>
/// One output's knowledge of its streams' shards and of what each shard may still be sent: per stream a
/// <see cref="ShardMap"/> (from ListShards) and a <see cref="ShardBudget"/>. The shards are listed when a stream is
/// first written to (the output starts the listing of a fixed stream name at start) and again when a put reports a
/// shard the map does not know or a key no shard covers (the stream was resharded), at most once per refresh
/// interval. When listing fails — kinesis:ListShards denied by the policy, the stream missing — the stream is sent
/// unpaced, as before pacing, with one warning naming why; a later refresh may still succeed.
/// Shared by the output's flush threads: everything on the budgets happens under <see cref="Lock"/>.
/// </summary>
public sealed class ShardPacer(
    Func<string, CancellationToken, Task<IReadOnlyList<KinesisShard>>> listShards,
    double bytesPerSecond, double recordsPerSecond, TimeSpan refreshInterval, ILogger log, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, StreamShards> _streams = new(StringComparer.Ordinal);

    /// <summary>Held while shaping a batch or settling a put, so flush threads share one budget per shard.</summary>
    public object Lock { get; } = new();

    public TimeProvider Clock => _clock;

    /// <summary>A stream's shards as far as they are known, and its budget.</summary>
    public sealed class StreamShards(string stream, ShardBudget budget)
    {
        public string Stream { get; } = stream;
        public ShardBudget Budget { get; } = budget;
        /// <summary>Null until a listing succeeded: the stream is sent unpaced meanwhile.</summary>
        public volatile ShardMap? Map;
        internal Task? Listing;
        internal DateTimeOffset? LastListing;
        internal bool Warned;
    }

    /// <summary>The stream's shards, listing them first if that was never tried (waits for a listing in progress).</summary>
    public async Task<StreamShards> ShardsOfAsync(string stream, CancellationToken cancellationToken)
    {
        Task? listing;
        StreamShards shards;
        lock (Lock)
        {
            shards = Get(stream);
            if (shards.LastListing is null) StartListing(shards);
            listing = shards.Map is null ? shards.Listing : null;
        }
        if (listing is not null) await listing.WaitAsync(cancellationToken).ConfigureAwait(false);
        return shards;
    }

    /// <summary>Starts listing the stream's shards (at the output's start); never throws.</summary>
    public Task StartListingAsync(string stream)
    {
        lock (Lock) return StartListing(Get(stream));
    }

    /// <summary>A put said a record went to <paramref name="shardId"/> (or a key had no shard): when the map does not
    /// know it, list again — at most once per refresh interval — without holding up the put.</summary>
    public void Observe(StreamShards shards, string? shardId)
    {
        var map = shards.Map;
        if (map is not null && (shardId is null || map.Knows(shardId))) return;
        lock (Lock)
        {
            if (shards.Listing is { IsCompleted: false }) return;
            if (shards.LastListing is { } last && _clock.GetUtcNow() - last < refreshInterval) return;
            if (map is not null)
                log.LogInformation("stream {Stream}: shard {Shard} is not in the shard map (resharded?); listing the shards again", shards.Stream, shardId ?? "(none for a key)");
            StartListing(shards);
        }
    }

    private StreamShards Get(string stream)
    {
        if (!_streams.TryGetValue(stream, out var shards))
            _streams[stream] = shards = new StreamShards(stream, new ShardBudget(bytesPerSecond, recordsPerSecond, _clock));
        return shards;
    }

    private Task StartListing(StreamShards shards)
    {
        if (shards.Listing is { IsCompleted: false } running) return running;
        shards.LastListing = _clock.GetUtcNow();
        return shards.Listing = ListAsync(shards);
    }

    private async Task ListAsync(StreamShards shards)
    {
        try
        {
            var list = await listShards(shards.Stream, CancellationToken.None).ConfigureAwait(false);
            var map = new ShardMap(list);
            if (map.Shards.Count == 0) throw new InvalidOperationException("ListShards returned no open shard");
            shards.Map = map;
            log.LogDebug("stream {Stream}: pacing {Count} open shards at {Bytes} bytes/s and {Records} records/s each",
                shards.Stream, map.Shards.Count, bytesPerSecond, recordsPerSecond);
        }
        catch (Exception e)
        {
            // Pacing is an optimisation: without the shard map the records still go, unpaced, and the service's
            // ProvisionedThroughputExceeded answers are retried as they always were.
            var reason = e is AwsApiException api ? api.Message : $"{e.GetType().Name}: {e.Message}";
            if (!shards.Warned)
                log.LogWarning("stream {Stream}: cannot list its shards ({Reason}); sending without shard pacing (kinesis:ListShards must be allowed for it)",
                    shards.Stream, reason);
            else log.LogDebug("stream {Stream}: listing its shards failed again ({Reason})", shards.Stream, reason);
            shards.Warned = true;
        }
    }
}
