using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using LogAgent.Core.Forward;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;
using MessagePack;

namespace LogAgent.Cat;

/// <summary>One event read by <c>logagent cat</c>: its record as msgpack, stamped when it was read (as fluent-cat does).</summary>
public readonly record struct CatEvent(EventTime Time, byte[] Record);

/// <summary>
/// Turns standard input into events, one at a time as they arrive, so a slow producer (<c>tail -f | logagent cat</c>)
/// has each line sent without waiting for more. Input that is not an event throws <see cref="CatInputException"/>
/// naming its line; what came before it has been yielded already.
/// </summary>
public static class CatEventReader
{
    public static IAsyncEnumerable<CatEvent> ReadAsync(Stream input, CatFormat format, string messageKey, CancellationToken cancellationToken) =>
        format == CatFormat.MessagePack ? ReadMessagePackAsync(input, cancellationToken) : ReadLinesAsync(input, format, messageKey, cancellationToken);

    private static async IAsyncEnumerable<CatEvent> ReadLinesAsync(Stream input, CatFormat format, string messageKey,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(input, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        int lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (format == CatFormat.None)
            {
                yield return new CatEvent(EventTime.Now, RecordCodec.Encode(new Record { [messageKey] = line }));
                continue;
            }
            // Blank lines (a trailing empty line, spacing in a hand-written file) carry no event.
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return new CatEvent(EventTime.Now, RecordCodec.Encode(ParseJsonRecord(line, lineNumber)));
        }
    }

    private static Record ParseJsonRecord(string line, int lineNumber)
    {
        object? value;
        try
        {
            value = RecordJson.Parse(line);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CatInputException($"line {lineNumber}: not valid JSON: {e.Message}");
        }
        return value as Record
            ?? throw new CatInputException($"line {lineNumber}: a record must be a JSON object, got {Describe(value)}");
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string => "a string",
        bool => "a boolean",
        System.Collections.IList => "an array",
        _ => "a number",
    };

    private static async IAsyncEnumerable<CatEvent> ReadMessagePackAsync(Stream input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new ArrayBufferWriter<byte>(64 * 1024);
        int valueNumber = 0;
        long offset = 0;
        while (true)
        {
            int n = await input.ReadAsync(pending.GetMemory(64 * 1024), cancellationToken);
            if (n > 0) pending.Advance(n);
            var buffer = new ReadOnlySequence<byte>(pending.WrittenMemory);
            // The values before a bad one are still events: they are yielded before the error is thrown.
            var events = new List<CatEvent>();
            CatInputException? error = null;
            while (error is null)
            {
                ReadOnlySequence<byte> value;
                try
                {
                    if (!ForwardFraming.TryCutMessagePack(ref buffer, out value)) break;
                }
                catch (ForwardProtocolException e)
                {
                    error = new CatInputException($"msgpack value {valueNumber + 1} (byte {offset}): {e.Message}");
                    break;
                }
                valueNumber++;
                var type = new MessagePackReader(value).NextMessagePackType;
                if (type != MessagePackType.Map)
                    error = new CatInputException($"msgpack value {valueNumber} (byte {offset}): a record must be a map, got {type.ToString().ToLowerInvariant()}");
                else events.Add(new CatEvent(EventTime.Now, value.ToArray()));
                offset += value.Length;
            }
            foreach (var e in events) yield return e;
            if (error is not null) throw error;
            var rest = buffer.ToArray();
            pending.Clear();
            pending.Write(rest);
            if (n == 0)
            {
                if (rest.Length > 0)
                    throw new CatInputException($"msgpack value {valueNumber + 1} (byte {offset}): the input ends in the middle of it");
                yield break;
            }
        }
    }
}
