using System.Text.Json;
using LogAgent.Tests.Forward;
using MessagePack;

namespace LogAgent.Tests.Reload;

/// <summary>The event numbers (<c>{"n": i}</c>) that reached a sink: JSON lines of file outputs, or a forward receiver's requests.</summary>
public static class DeliveredEvents
{
    /// <summary>Every "n" in every file under <paramref name="directory"/> (file outputs writing JSON lines), in file order.</summary>
    public static List<long> InFiles(string directory)
    {
        if (!Directory.Exists(directory)) return new List<long>();
        var numbers = new List<long>();
        foreach (var file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order())
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue; // being written; the caller polls again
            }
            // A line being written may be incomplete: only whole lines count.
            foreach (var line in text.Split('\n')[..^1])
                numbers.Add(JsonDocument.Parse(line).RootElement.GetProperty("n").GetInt64());
        }
        return numbers;
    }

    /// <summary>Every "n" in the PackedForward requests a <see cref="TestForwardReceiver"/> got.</summary>
    public static List<long> InRequests(TestForwardReceiver receiver)
    {
        var numbers = new List<long>();
        foreach (var request in receiver.Requests)
        {
            var reader = new MessagePackReader(request.Entries);
            while (!reader.End)
            {
                reader.ReadArrayHeader();
                reader.Skip(); // time
                int fields = reader.ReadMapHeader();
                for (int i = 0; i < fields; i++)
                {
                    if (reader.ReadString() == "n") numbers.Add(reader.ReadInt64());
                    else reader.Skip();
                }
            }
        }
        return numbers;
    }
}
