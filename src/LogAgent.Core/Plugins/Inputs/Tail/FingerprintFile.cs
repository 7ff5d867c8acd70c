using System.Text;

namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// The first bytes of each file in the pos file, kept beside it as <c>POS_FILE.fingerprints</c> (a LogAgent addition;
/// fluentd's pos file has no room for it). An inode is reused as soon as a file is deleted, so after a restart an
/// offset saved for inode N may belong to a different file now holding N (fluent/fluent-bit#4895): the fingerprint
/// tells the two apart, and the new file is read from its start instead of from a stale offset. Without the file
/// (a td-agent pos file taken over) the inode alone decides, as in fluentd.
/// </summary>
/// <remarks>One line per inode: <c>inode-hex\tbytes-hex</c>. Rewritten whole through a temporary file and a rename, so
/// a crash leaves the old or the new version, never a torn one.</remarks>
public sealed class FingerprintFile
{
    private readonly Dictionary<ulong, byte[]> _prints = new();
    private bool _dirty;

    public FingerprintFile(string posFilePath)
    {
        FilePath = posFilePath + ".fingerprints";
        if (!File.Exists(FilePath)) return;
        foreach (var line in File.ReadAllLines(FilePath))
        {
            var tab = line.IndexOf('\t');
            if (tab <= 0) continue;
            try
            {
                _prints[Convert.ToUInt64(line[..tab], 16)] = Convert.FromHexString(line[(tab + 1)..]);
            }
            catch (FormatException)
            {
                // A damaged line only costs the check for that inode.
            }
        }
    }

    public string FilePath { get; }

    /// <summary>The recorded leading bytes for an inode, or null when none were recorded.</summary>
    public byte[]? Get(ulong inode) => _prints.GetValueOrDefault(inode);

    /// <summary>
    /// True unless a recorded fingerprint contradicts <paramref name="leading"/> (the file's current first bytes):
    /// the recorded prefix must be a prefix of what the file holds now.
    /// </summary>
    public bool Matches(ulong inode, ReadOnlySpan<byte> leading)
    {
        var known = Get(inode);
        if (known is null || known.Length == 0) return true;
        return leading.Length >= known.Length && leading[..known.Length].SequenceEqual(known);
    }

    public void Set(ulong inode, ReadOnlySpan<byte> leading)
    {
        if (_prints.TryGetValue(inode, out var known) && known.AsSpan().SequenceEqual(leading)) return;
        _prints[inode] = leading.ToArray();
        _dirty = true;
    }

    /// <summary>Keeps only the inodes still in use.</summary>
    public void RetainOnly(IReadOnlySet<ulong> inodes)
    {
        foreach (var inode in _prints.Keys.Where(i => !inodes.Contains(i)).ToList())
        {
            _prints.Remove(inode);
            _dirty = true;
        }
    }

    /// <summary>Writes the file if anything changed since the last save.</summary>
    public void SaveIfChanged()
    {
        if (!_dirty) return;
        var text = new StringBuilder();
        foreach (var (inode, bytes) in _prints) text.Append(inode.ToString("x16")).Append('\t').Append(Convert.ToHexString(bytes)).Append('\n');
        var temp = FilePath + ".tmp";
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, FilePath, overwrite: true);
        _dirty = false;
    }
}
