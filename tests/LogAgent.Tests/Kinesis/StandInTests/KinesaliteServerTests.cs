using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.StandInTests;

/// <summary>kinesalite as the tests run it: on 127.0.0.1 only, a stream readable back record by record, gone on dispose.</summary>
public class KinesaliteServerTests : IClassFixture<KinesaliteFixture>
{
    private readonly KinesaliteFixture _kinesalite;

    public KinesaliteServerTests(KinesaliteFixture kinesalite) => _kinesalite = kinesalite;

    private static bool Connects(IPAddress address, int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }

    /// <summary>The local addresses of listening TCP sockets on a port, from /proc/net/tcp and tcp6 (hex, as the kernel prints them).</summary>
    private static List<string> ListeningAddresses(int port)
    {
        var found = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] == "0A" && int.Parse(local[1], NumberStyles.HexNumber) == port) found.Add(local[0]);
            }
        }
        return found;
    }

    [Fact]
    public void It_listens_on_127_0_0_1_only()
    {
        int port = _kinesalite.Server.Port;
        Assert.True(Connects(IPAddress.Loopback, port), "kinesalite does not accept on 127.0.0.1");
        // A socket bound to every interface (kinesalite's own CLI) would accept on 127.0.0.2 as well.
        Assert.False(Connects(IPAddress.Parse("127.0.0.2"), port), "kinesalite accepts on 127.0.0.2: it is not bound to 127.0.0.1 alone");
        // 0100007F is 127.0.0.1 in /proc/net/tcp's byte order; 00000000 would be every interface.
        Assert.Equal(new[] { "0100007F" }, ListeningAddresses(port));
    }

    [Fact]
    public async Task A_two_shard_stream_splits_the_hash_key_space_and_returns_each_record_on_the_shard_of_its_key()
    {
        using var client = new KinesisTestClient(_kinesalite.Server.Endpoint);
        var stream = KinesaliteFixture.NewStreamName("direct");
        await client.CreateStreamAsync(stream, 2);

        var shards = await client.ListShardsAsync(stream);
        Assert.Equal(2, shards.Count);
        Assert.Equal(0, shards[0].StartingHashKey);
        Assert.Equal(shards[0].EndingHashKey + 1, shards[1].StartingHashKey);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 128) - 1, shards[1].EndingHashKey);

        var sent = Enumerable.Range(0, 300).Select(i => (PartitionKey: $"key-{i}", Data: Encoding.UTF8.GetBytes($"record {i}"))).ToList();
        var outcome = await client.PutRecordsAsync(stream, sent);
        Assert.Equal(0, outcome.FailedRecordCount);
        for (int i = 0; i < sent.Count; i++)
            Assert.Equal(KinesisHashKey.ShardFor(shards, sent[i].PartitionKey).ShardId, outcome.Records[i].ShardId);

        var read = await client.ReadAllAsync(stream);
        Assert.Equal(sent.Select(s => AwsJsonClient.Utf8(s.Data)).Order(), read.Select(r => AwsJsonClient.Utf8(r.Data)).Order());
        Assert.All(read, r => Assert.Equal(KinesisHashKey.ShardFor(shards, r.PartitionKey).ShardId, r.ShardId));
        Assert.True(read.Any(r => r.ShardId == shards[0].ShardId) && read.Any(r => r.ShardId == shards[1].ShardId), "300 keys all hashed to one shard");
    }

    [Fact]
    public void Disposing_kills_the_process_and_frees_the_port()
    {
        var server = KinesaliteServer.Start();
        int pid = server.ProcessId, port = server.Port;
        Assert.True(Connects(IPAddress.Loopback, port));

        server.Dispose();

        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid)); // no such process any more
        Assert.False(Connects(IPAddress.Loopback, port), "something still listens on kinesalite's port after dispose");
    }

    [Fact]
    public void The_md5_of_a_partition_key_is_read_as_an_unsigned_big_endian_128_bit_integer()
    {
        // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
        Assert.Equal(System.Numerics.BigInteger.Parse("0cc175b9c0f1b6a831c399e269772661", NumberStyles.HexNumber), KinesisHashKey.Of("a"));
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e: top bit set, still positive.
        var empty = KinesisHashKey.Of("");
        Assert.True(empty > System.Numerics.BigInteger.Pow(2, 127));
        Assert.Equal(System.Numerics.BigInteger.Parse("0d41d8cd98f00b204e9800998ecf8427e", NumberStyles.HexNumber), empty);
    }

    [Fact]
    public void Without_kinesalite_installed_starting_fails_naming_ci_run()
    {
        using var empty = new TempDirectory();
        var e = Assert.Throws<InvalidOperationException>(() => KinesaliteServer.Start(serviceDirectory: empty.Path));
        Assert.Contains("kinesalite is not installed", e.Message);
        Assert.Contains(".ci/run", e.Message);
    }
}
