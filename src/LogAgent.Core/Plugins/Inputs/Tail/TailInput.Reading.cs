using System.Buffers;
using LogAgent.Sdk.Events;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs.Tail;

// Reading a file into lines and emitting them: in_tail's IOHandler.
public sealed partial class TailInput
{
    /// <summary>
    /// Reads from the file's read offset to its end (or this turn's share), splits lines, emits them in batches of
    /// read_lines_limit and commits each batch's end. An unterminated last line stays in the file's carry. True when
    /// the turn ended before the end of the file.
    /// </summary>
    private bool ReadFile(PathFollower follower, TailedFile file)
    {
        var emitter = _emitter!;
        var budget = (long)BytesPerTurn;
        if (ReadBytesLimitPerSecond > 0)
        {
            var now = Environment.TickCount64;
            if (now - file.WindowStartTicks >= 1000)
            {
                file.WindowStartTicks = now;
                file.BytesInWindow = 0;
            }
            budget = Math.Min(budget, ReadBytesLimitPerSecond - file.BytesInWindow);
            if (budget <= 0)
            {
                follower.RetryAfterTicks = file.WindowStartTicks + 1000;
                throw new EmitFailedException(); // not a failure: wait for the next second without reading
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(ReadBufferSize, file.CarryLength * 2));
        var have = file.CarryLength;
        file.Carry.AsSpan(0, have).CopyTo(buffer);
        file.ClearCarry();
        long bufferStart = file.ReadOffset - have; // the file offset of buffer[0]
        var maxLine = MaxLineSize ?? long.MaxValue;
        var more = false;
        emitter.Begin(follower.Tag, follower.Path);
        try
        {
            while (true)
            {
                if (budget <= 0) { more = true; break; }
                if (have == buffer.Length)
                {
                    // One line fills the buffer: grow it (max_line_size bounds this when set).
                    var grown = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, have).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }
                var toRead = (int)Math.Min(buffer.Length - have, budget);
                var n = RandomAccess.Read(file.Handle, buffer.AsSpan(have, toRead), file.ReadOffset);
                if (n == 0)
                {
                    file.AtEof = true;
                    break;
                }
                if (file.RotatedAt is null && file.FingerprintLength > 0 && !file.FingerprintStillMatches())
                {
                    // copytruncate while this loop ran: the file was truncated and written again past the read offset,
                    // so the bytes just read are the new file's, not the rest of the old one (which is in the copy).
                    // Drop them and end the turn; CheckPath sees the truncation next and reads the rest from the copy.
                    more = true;
                    break;
                }
                file.AtEof = false;
                var learnFingerprint = file.FingerprintLength < TailedFile.FingerprintSize && file.ReadOffset < TailedFile.FingerprintSize;
                file.ReadOffset += n;
                file.BytesInWindow += n;
                budget -= n;
                have += n;
                if (learnFingerprint)
                {
                    // The first bytes are learnt from the very bytes read when the buffer holds them, not from another
                    // read: a copytruncate between two reads would otherwise pair the new content's first bytes with
                    // the old content's offsets, and the copy holding the old rest would not be recognised.
                    if (bufferStart == 0) file.LearnFingerprint(buffer.AsSpan(0, Math.Min(have, TailedFile.FingerprintSize)));
                    else file.RefreshFingerprint();
                    _fingerprints?.Set(file.Inode, file.Fingerprint);
                    _fingerprints?.SaveIfChanged(); // before this file's offsets reach the pos file (see Begin)
                }
                var time = EventTime.Now;

                var start = 0;
                while (start < have)
                {
                    var nl = buffer.AsSpan(start, have - start).IndexOf((byte)'\n');
                    if (nl < 0) break;
                    var lineEnd = bufferStart + start + nl + 1;
                    if (file.SkippingLongLine)
                    {
                        file.SkippingLongLine = false;
                        file.ConsumedOffset = lineEnd;
                    }
                    else if (nl > maxLine)
                    {
                        Log.LogWarning("received line length is longer than max_line_size ({Length} > {Max} bytes) in {Path}; skipped",
                            nl, maxLine, file.Path);
                        file.ConsumedOffset = lineEnd;
                    }
                    else
                    {
                        emitter.AddLine(file, buffer.AsSpan(start, nl), bufferStart + start, lineEnd, time);
                    }
                    start += nl + 1;
                    if (emitter.Count >= ReadLinesLimit) EmitBatch(follower, file);
                }
                // What is left is the start of an unterminated line: keep it at the front of the buffer.
                var rest = have - start;
                if (file.SkippingLongLine || rest > maxLine)
                {
                    if (!file.SkippingLongLine)
                        Log.LogWarning("received line length is longer than max_line_size ({Max} bytes) in {Path}; skipping to its end", maxLine, file.Path);
                    file.SkippingLongLine = true;
                    bufferStart += have;
                    have = 0;
                    continue;
                }
                if (start > 0 && rest > 0) buffer.AsSpan(start, rest).CopyTo(buffer);
                bufferStart += start;
                have = rest;
            }
            EmitBatch(follower, file);
            file.AppendCarry(buffer.AsSpan(0, have));
            FileOffset.Set(file.Handle, file.ReadOffset);
        }
        catch (EmitFailedException)
        {
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            emitter.Discard();
            Rewind(file);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (OpenOnEveryUpdate && file.RotatedAt is null) file.CloseHandle();
        }
        return more;
    }

    /// <summary>
    /// Emits the batch and commits the file's offset: the end of the last line emitted, or the first line of an open
    /// multiline event. A failed emit (a full buffer with throw_exception, a stopping engine) rewinds the file to its
    /// committed offset, so the lines are read again later — nothing accepted is dropped and nothing skipped.
    /// </summary>
    private void EmitBatch(PathFollower follower, TailedFile file)
    {
        try
        {
            _emitter!.Emit(Context.Router);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogWarning("emit from {Path} failed, reading it again from offset {Offset} in a second: {Error}", file.Path, file.CommittedOffset, e.Message);
            Rewind(file);
            follower.RetryAfterTicks = Environment.TickCount64 + 1000;
            throw new EmitFailedException();
        }
        var committed = file.PendingEvent is not null ? file.PendingEventStart : file.ConsumedOffset;
        if (committed > file.CommittedOffset) file.CommittedOffset = committed;
        SaveProgress(follower);
    }

    private static void Rewind(TailedFile file)
    {
        file.ReadOffset = file.ConsumedOffset = file.CommittedOffset;
        file.ClearCarry();
        file.PendingEvent = null;
        file.SkippingLongLine = false;
        file.AtEof = false;
    }

    /// <summary>
    /// A rotated file read to its end: its unterminated last line and open multiline event are emitted (nothing more
    /// will be written to it), it is closed, and the pos entry moves on to the next file of the path.
    /// </summary>
    private void Close(PathFollower follower, TailedFile file)
    {
        FlushHeld(follower, file);
        file.Dispose();
        follower.Files.Remove(file);
        // A file with an entry of its own (follow_inodes, or a rotated file) is done with: fluentd's unwatch.
        if (_positions is not null && file.Entry is { IsInFile: true, IsUnwatched: false } entry)
        {
            try { _positions.MarkUnwatched(entry); }
            catch (InvalidOperationException) { /* the inode's entry was taken over */ }
        }
        SaveProgress(follower);
    }

    /// <summary>Emits the held unterminated line and open multiline event of a file and commits its end.</summary>
    private void FlushHeld(PathFollower follower, TailedFile file)
    {
        var emitter = _emitter!;
        emitter.Begin(follower.Tag, follower.Path);
        var time = EventTime.Now;
        if (file.CarryLength > 0 && !file.SkippingLongLine)
            emitter.AddLine(file, file.Carry.AsSpan(0, file.CarryLength), file.ReadOffset - file.CarryLength, file.ReadOffset, time);
        file.ClearCarry();
        file.ConsumedOffset = file.ReadOffset;
        emitter.AddPendingEvent(file, time);
        EmitBatch(follower, file);
    }

    /// <summary>multiline_flush_interval: an event whose next first line has not come is emitted as it is.</summary>
    private void FlushPendingEvent(PathFollower follower, TailedFile file)
    {
        try
        {
            _emitter!.Begin(follower.Tag, follower.Path);
            _emitter.AddPendingEvent(file, EventTime.Now);
            EmitBatch(follower, file);
        }
        catch (EmitFailedException)
        {
            MarkDirtyLater(follower);
        }
    }
}
