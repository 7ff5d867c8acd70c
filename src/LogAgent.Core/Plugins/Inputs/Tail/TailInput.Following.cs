using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace LogAgent.Core.Plugins.Inputs.Tail;

// Which files are followed: path expansion, where reading starts (pos file, restart recovery), rotation, truncation.
public sealed partial class TailInput
{
    /// <summary>
    /// in_tail.rb <c>expand_paths</c>: strftime placeholders first, then a glob for paths with a <c>*</c> (regular files
    /// only, <c>limit_recently_modified</c> applied); a path without one is kept even while missing. Minus exclude_path.
    /// </summary>
    public IReadOnlyList<(string Path, bool IsStatic)> ExpandPaths(DateTimeOffset now)
    {
        var time = EventTime.FromDateTimeOffset(now);
        var result = new List<(string, bool)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var excluded = ExcludePath.Select(p => Expand(p, time)).ToList();
        foreach (var pattern in _patterns)
        {
            var path = Expand(pattern, time);
            if (!path.Contains('*'))
            {
                if (!IsExcluded(path) && seen.Add(path)) result.Add((path, true));
                continue;
            }
            foreach (var match in PathGlob.Expand(path))
            {
                if (IsExcluded(match) || seen.Contains(match)) continue;
                var status = SafeStat(match);
                if (status is not { IsRegularFile: true }) continue;
                if (LimitRecentlyModified is { } limit && status.Value.ModifiedAt < now.AddSeconds(-limit)) continue;
                seen.Add(match);
                result.Add((match, false));
            }
        }
        return result;

        bool IsExcluded(string p) => excluded.Any(e => e == p || (e.Contains('*') && PathGlob.IsMatch(e, p)));
    }

    private string Expand(string pattern, EventTime time) =>
        pattern.Contains('%') ? RubyTimeFormat.Compile(pattern).Format(time, _pathZone) : pattern;

    private static FileStatus? SafeStat(string path)
    {
        try { return FileStatus.Of(path); }
        catch (IOException) { return null; }
    }

    /// <summary>The tag of a path's events: in_tail.rb replaces a * in the tag with the path, / → . and no leading dot.</summary>
    public string TagFor(string path)
    {
        if (!_tagHasWildcard) return Tag;
        var dotted = System.Text.RegularExpressions.Regex.Replace(path.Replace('/', '.'), @"\.+", ".").TrimStart('.');
        return _tagPrefix + dotted + _tagSuffix;
    }

    private void Refresh(bool startup)
    {
        IReadOnlyList<(string Path, bool IsStatic)> paths;
        try
        {
            paths = ExpandPaths(DateTimeOffset.Now);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogWarning("expanding path {Path} failed: {Error}", Path, e.Message);
            return;
        }
        var current = new HashSet<string>(paths.Select(p => p.Path), StringComparer.Ordinal);
        foreach (var (path, isStatic) in paths)
        {
            PathFollower? existing;
            lock (_followers) _followers.TryGetValue(path, out existing);
            if (existing is not null)
            {
                existing.Removed = false;
                continue;
            }
            var follower = new PathFollower(path, TagFor(path), isStatic);
            try
            {
                Begin(follower, startup);
            }
            catch (UnauthorizedAccessException e)
            {
                ReportUnreadable(path, e);
                continue;
            }
            lock (_followers) _followers[path] = follower;
            Watch(path);
            MarkDirty(follower);
        }
        foreach (var follower in Followers)
        {
            if (current.Contains(follower.Path) || follower.Removed) continue;
            // No longer matched (rotated away, deleted, excluded): finish what is there, then stop following.
            follower.Removed = true;
            if (follower.Current is { } file) file.RotatedAt = DateTimeOffset.UtcNow;
            MarkDirty(follower);
        }
        foreach (var pattern in _patterns) WatchDirectoryOf(pattern);
        ForgetStaleFingerprints();
    }

    /// <summary>The fingerprints of files no longer followed nor in the pos file are dropped, so the file stays small.</summary>
    private void ForgetStaleFingerprints()
    {
        if (_fingerprints is null || _positions is null) return;
        var inUse = Followers.SelectMany(f => f.Files).Select(f => f.Inode)
            .Concat(_positions.Entries.Where(e => !e.IsUnwatched).Select(e => e.Inode)).ToHashSet();
        _fingerprints.RetainOnly(inUse);
        _fingerprints.SaveIfChanged();
    }

    private readonly HashSet<string> _reportedUnreadable = new(StringComparer.Ordinal);

    /// <summary>in_tail's warning for a file it may not read; with ignore_repeated_permission_error, once per path.</summary>
    private void ReportUnreadable(string path, UnauthorizedAccessException e)
    {
        if (_reportedUnreadable.Add(path) || !IgnoreRepeatedPermissionError)
            Log.LogWarning("{Path} unreadable. It is excluded and would be examined next time: {Error}", path, e.Message);
    }

    /// <summary>
    /// Where a newly followed path starts. fluentd's TailWatcher#on_rotate, first call: the pos file's inode equal to
    /// the file's → resume at its offset (from 0 if the file is now shorter); a different inode → the file was rotated
    /// while the agent was down, read the new one from its head; no entry → the end of the file, or its head with
    /// read_from_head. LogAgent adds: the rotated file (found by its inode) and any file rotated after it are read to
    /// their ends first, and a reused inode (other first bytes) starts from 0. A file that appears after startup is
    /// read from its head, as it was created while the agent was watching.
    /// </summary>
    private void Begin(PathFollower follower, bool startup)
    {
        var handle = TryOpen(follower.Path);
        if (handle is null)
        {
            follower.MissingSince ??= DateTimeOffset.UtcNow; // a static path not created yet
            return;
        }
        var status = FileStatus.Of(handle);
        // follow_inodes: a file being drained under its old name that the glob now matches under a new one.
        if (FollowInodes && AdoptRenamed(follower, status, handle)) return;
        var leading = ReadLeading(handle);
        RecoverInFlight(follower, status.Inode);
        PositionEntry? entry = null;
        if (_positions is not null)
            entry = FollowInodes ? _positions.Get(status.Inode) : _positions.Get(follower.Path);

        long offset;
        DateTimeOffset? copiesAfter = null;
        if (entry is null || entry.Inode == 0)
        {
            offset = startup && !ReadFromHead ? status.Size : 0;
        }
        else if (entry.Inode == status.Inode)
        {
            if (!(_fingerprints?.Matches(status.Inode, leading) ?? true))
            {
                // Other first bytes under the same inode: a copytruncate while stopped (then a copy beside it starts
                // with the recorded bytes and holds the rest), or an inode reused by another file.
                copiesAfter = RecoverCopy(follower, status, entry);
                if (copiesAfter is null)
                    Log.LogWarning("{Path}: inode {Inode} now holds another file (its first bytes changed); reading it from the start instead of offset {Offset}",
                        follower.Path, status.Inode, entry.Offset);
                offset = 0;
            }
            else if ((long)entry.Offset > status.Size)
            {
                Log.LogWarning("{Path} is shorter ({Size} bytes) than the saved offset {Offset}: truncated while stopped, reading from the start",
                    follower.Path, status.Size, entry.Offset);
                copiesAfter = RecoverCopy(follower, status, entry);
                offset = 0;
            }
            else offset = (long)entry.Offset;
        }
        else
        {
            RecoverRotated(follower, status, entry);
            offset = 0;
        }
        if (!FollowInodes) follower.Entry = entry;
        var file = new TailedFile(follower.Path, status, offset) { ConsumedOffset = offset, CopiesAfter = copiesAfter };
        file.Open(handle);
        file.LearnFingerprint(leading);
        _fingerprints?.Set(status.Inode, file.Fingerprint);
        // Saved before any offset of this file reaches the pos file: after a crash, the recorded first bytes must be
        // those of the file the saved offset belongs to, or a copytruncated file's copy is not recognised.
        _fingerprints?.SaveIfChanged();
        if (FollowInodes) file.Entry = entry;
        follower.Files.Add(file);
        SaveProgress(follower);
    }

    /// <summary>The file at the pos entry's inode, found in the watched file's directory, and every file rotated after it.</summary>
    private void RecoverRotated(PathFollower follower, FileStatus current, PositionEntry entry)
    {
        var candidates = RotatedSiblings(follower.Path, current.Inode);
        var rotated = candidates.FirstOrDefault(c => c.Status.Inode == entry.Inode && c.Status.Size >= (long)entry.Offset
            && (_fingerprints?.Matches(entry.Inode, c.Leading) ?? true));
        DateTimeOffset after;
        if (rotated.Path is not null)
        {
            Log.LogInformation("{Path} was rotated while stopped; reading the rest of {Rotated} from offset {Offset} first",
                follower.Path, rotated.Path, entry.Offset);
            if (!follower.Follows(rotated.Status.Inode)) AddRecovered(follower, rotated.Path, rotated.Status, (long)entry.Offset);
            after = rotated.Status.ModifiedAt;
        }
        else
        {
            // The file itself is gone (deleted, compressed): files changed after the last saved position may still be unread.
            after = _positions is not null ? File.GetLastWriteTimeUtc(_positions.FilePath) : DateTimeOffset.MaxValue;
        }
        foreach (var later in candidates.Where(c => c.Status.Inode != entry.Inode && !follower.Follows(c.Status.Inode) && c.Status.ModifiedAt > after)
                     .OrderBy(c => c.Status.ModifiedAt))
        {
            Log.LogInformation("{Path}: reading {Rotated}, rotated while stopped", follower.Path, later.Path);
            AddRecovered(follower, later.Path, later.Status, 0);
        }
    }

    /// <summary>A copytruncate while stopped: the copy holds what followed the saved offset.</summary>
    /// <returns>The time of the newest copy taken up (see <see cref="TailedFile.CopiesAfter"/>), or null when there was no copy.</returns>
    private DateTimeOffset? RecoverCopy(PathFollower follower, FileStatus current, PositionEntry entry)
    {
        var known = _fingerprints?.Get(current.Inode);
        if (known is null || known.Length == 0) return null;
        var copy = RotatedSiblings(follower.Path, current.Inode)
            .Where(c => !follower.Follows(c.Status.Inode) && c.Status.Size >= (long)entry.Offset && c.Leading.AsSpan().StartsWith(known))
            .OrderByDescending(c => c.Status.ModifiedAt).FirstOrDefault();
        if (copy.Path is null) return null;
        Log.LogInformation("{Path}: reading the rest of its copy {Copy} from offset {Offset}", follower.Path, copy.Path, entry.Offset);
        AddRecovered(follower, copy.Path, copy.Status, (long)entry.Offset);
        // Truncated more than once while stopped: the later copies hold what the file held in between.
        var at = follower.Files.Count;
        return AddRotatedBetween(follower, current.Inode, copy.Status.ModifiedAt, closeAtEof: true, ref at);
    }

    private TailedFile? AddRecovered(PathFollower follower, string path, FileStatus status, long offset, bool closeAtEof = true, int? at = null)
    {
        var handle = TryOpen(path);
        if (handle is null) return null;
        var file = new TailedFile(path, status, offset) { ConsumedOffset = offset, CloseAtEof = closeAtEof, RotatedAt = DateTimeOffset.UtcNow };
        file.Open(handle);
        var leading = ReadLeading(handle);
        file.LearnFingerprint(leading);
        follower.MarkTakenUp(status.Inode, leading);
        follower.Files.Insert(at ?? follower.Files.Count, file);
        return file;
    }

    /// <summary>
    /// Files that came and went at the path between two looks. A writer faster than the reader rotates several times
    /// while one file is being read (1,000,000 lines at full speed, rotated every 50,000: a new file every few tens of
    /// milliseconds), and comparing the path's inode with the file being read only ever sees the first and the last.
    /// The ones in between are the siblings rotation produced (<c>access.log.N</c>, or copytruncate's copies) that changed
    /// after <paramref name="since"/> — the last write to the file being read, or the time of the copy last read — and
    /// that are not followed already; they are read from their start, oldest first, at <paramref name="at"/> in the
    /// path's files. (With timestamps of a coarse clock tick, a sibling written in the very tick of
    /// <paramref name="since"/> is not told apart from the file itself and is left out.)
    /// </summary>
    /// <returns>The newest of <paramref name="since"/> and the times of the files added: later copies are newer than it.</returns>
    private DateTimeOffset AddRotatedBetween(PathFollower follower, ulong currentInode, DateTimeOffset since, bool closeAtEof, ref int at,
        byte[]? notStartingWith = null)
    {
        var missed = RotatedSiblings(follower.Path, currentInode)
            .Where(c => !follower.Follows(c.Status.Inode) && !follower.WasTakenUp(c.Status.Inode, c.Leading) && c.Status.Size > 0 && c.Status.ModifiedAt > since
                && (notStartingWith is null || !c.Leading.AsSpan().StartsWith(notStartingWith)))
            .OrderBy(c => c.Status.ModifiedAt);
        foreach (var (path, status, _) in missed)
        {
            Log.LogInformation("{Path}: reading {Rotated} from its start, rotated before it was seen", follower.Path, path);
            // rename + create: the writer may still append to it until it reopens, so it is read for rotate_wait like
            // any rotated file; a copytruncate copy is complete.
            if (AddRecovered(follower, path, status, 0, closeAtEof, at) is not null) at++;
            since = status.ModifiedAt;
        }
        return since;
    }

    /// <summary>
    /// Files beside <paramref name="path"/> that rotation may have produced from it (<c>access.log.1</c>,
    /// <c>access.log-20261126</c>): same directory, name starting with the file's name, regular, not compressed, not
    /// the current file and not matched by the path patterns themselves (those are followed in their own right).
    /// </summary>
    private List<(string Path, FileStatus Status, byte[] Leading)> RotatedSiblings(string path, ulong currentInode)
    {
        var result = new List<(string, FileStatus, byte[])>();
        var directory = System.IO.Path.GetDirectoryName(path);
        var name = System.IO.Path.GetFileName(path);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory)) return result;
        foreach (var sibling in Directory.EnumerateFiles(directory, name + "*"))
        {
            if (sibling == path || CompressedSuffixes.Any(s => sibling.EndsWith(s, StringComparison.Ordinal))) continue;
            // A pos file kept beside the log (access.log.pos) and its companions are not rotated logs.
            if (_positions is not null && System.IO.Path.GetFullPath(sibling).StartsWith(_positions.FilePath, StringComparison.Ordinal)) continue;
            lock (_followers) if (_followers.ContainsKey(sibling)) continue;
            if (_patterns.Any(p => PathGlob.HasWildcards(p) && PathGlob.IsMatch(p, sibling))) continue;
            var status = SafeStat(sibling);
            if (status is not { IsRegularFile: true } s || s.Inode == currentInode) continue;
            using var handle = TryOpen(sibling);
            if (handle is null) continue;
            result.Add((sibling, s, ReadLeading(handle)));
        }
        return result;
    }

    private static SafeFileHandle? TryOpen(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    private static byte[] ReadLeading(SafeFileHandle handle)
    {
        var buffer = new byte[TailedFile.FingerprintSize];
        var n = RandomAccess.Read(handle, buffer, 0);
        return buffer.AsSpan(0, n).ToArray();
    }

    /// <summary>
    /// Compares the path with the file being read: a different inode (rename + create, a retargeted symlink) or no
    /// file (deleted, renamed away) makes the current file a rotated one, read on for rotate_wait; a shorter file or
    /// other first bytes under the same inode is a truncation (copytruncate).
    /// </summary>
    private void CheckPath(PathFollower follower)
    {
        var current = follower.Current;
        if (follower.Removed)
        {
            if (current is not null) current.RotatedAt = DateTimeOffset.UtcNow;
            return;
        }
        var status = SafeStat(follower.Path);
        if (status is not { IsRegularFile: true })
        {
            if (current is not null)
            {
                Log.LogInformation("{Path} disappeared (deleted or renamed); reading it to its end", follower.Path);
                current.RotatedAt = DateTimeOffset.UtcNow;
                // Between a rename and the next create the path has no file. Files created and rotated away before the
                // next look were all written after this one's last write: that is where to look for them.
                follower.MissingSince = FileStatus.Of(current.Handle).ModifiedAt;
                // A glob's file is gone: expand again now rather than at the next refresh_interval, so it is let go
                // (its pos entry unwatched) once read, instead of up to a minute later.
                if (!follower.IsStatic) _refreshRequested = true;
            }
            return;
        }
        if (current is null || status.Value.Inode != current.Inode)
        {
            var handle = TryOpen(follower.Path);
            if (handle is null) return;
            var opened = FileStatus.Of(handle);
            if (current is not null && opened.Inode == current.Inode)
            {
                handle.Dispose();
                return; // renamed back before we looked
            }
            if (current is not null)
            {
                Log.LogInformation("{Path} rotated (inode {Old} → {New})", follower.Path, current.Inode, opened.Inode);
                current.RotatedAt = DateTimeOffset.UtcNow;
                if (current.IsOpen) follower.MarkTakenUp(current.Inode, ReadLeading(current.Handle));
                var at = follower.Files.Count;
                if (current.IsOpen) AddRotatedBetween(follower, opened.Inode, FileStatus.Of(current.Handle).ModifiedAt, closeAtEof: false, ref at);
            }
            DateTimeOffset? copiesAfter = null;
            if (current is null && follower.MissingSince is { } missingSince)
            {
                // The path's first file, or its next one after the path was found without a file: any created and
                // rotated away (or copied and truncated) since then came before it.
                var at = follower.Files.Count;
                copiesAfter = AddRotatedBetween(follower, opened.Inode, missingSince, closeAtEof: false, ref at);
            }
            follower.MissingSince = null;
            if (FollowInodes && AdoptRenamed(follower, opened, handle)) return;
            var file = new TailedFile(follower.Path, opened, 0) { CopiesAfter = copiesAfter };
            file.Open(handle);
            follower.Files.Add(file);
            SaveProgress(follower); // the path's entry moves to the new file; the rotated ones get their own
            return;
        }
        var size = FileStatus.Of(current.Handle).Size;
        if (size < current.ReadOffset || !current.FingerprintStillMatches())
            Truncated(follower, current, status.Value);
        else if (current.CopiesAfter is { } after && current.FingerprintLength > 0)
        {
            // The file restarted after a copytruncate has been read from its start: if what it held then was
            // truncated again before that, its copy is newer than the last one read and is read from its start
            // (any copy of what the file holds now is left alone: that is the next truncation's business).
            current.CopiesAfter = null;
            var at = follower.Files.IndexOf(current);
            AddRotatedBetween(follower, current.Inode, after, closeAtEof: true, ref at, current.Fingerprint.ToArray());
        }
    }

    /// <summary>follow_inodes: a file rotated away under one watched path that reappears under another keeps its place.</summary>
    private bool AdoptRenamed(PathFollower follower, FileStatus status, SafeFileHandle handle)
    {
        foreach (var other in Followers)
        {
            var file = other.Files.FirstOrDefault(f => f.Inode == status.Inode);
            if (file is null || ReferenceEquals(other, follower)) continue;
            other.Files.Remove(file);
            handle.Dispose();
            file.Path = follower.Path;
            file.RotatedAt = null;
            file.CloseAtEof = false;
            follower.Files.Add(file);
            return true;
        }
        return false;
    }

    /// <summary>
    /// copytruncate: the file restarts from 0. What had not been read yet went to the copy logrotate made just before
    /// truncating, so a sibling whose first bytes are this file's old first bytes is read from the old offset. Lines
    /// written between the copy and the truncate that were not read in time are lost — logrotate's own window.
    /// </summary>
    private void Truncated(PathFollower follower, TailedFile old, FileStatus status)
    {
        var resumeAt = old.ReadOffset - old.CarryLength;
        var copy = old.FingerprintLength == 0 ? default : RotatedSiblings(follower.Path, old.Inode)
            .Where(c => c.Status.Size >= resumeAt && c.Leading.AsSpan().StartsWith(old.Fingerprint))
            .OrderByDescending(c => c.Status.ModifiedAt).FirstOrDefault();
        var index = follower.Files.IndexOf(old);
        DateTimeOffset? newestCopy = null;
        if (copy.Path is not null && TryOpen(copy.Path) is { } copyHandle)
        {
            Log.LogInformation("{Path} was truncated at offset {Offset}; reading the rest from its copy {Copy}", follower.Path, old.ReadOffset, copy.Path);
            var rest = new TailedFile(copy.Path, copy.Status, resumeAt)
            {
                CommittedOffset = old.CommittedOffset, ConsumedOffset = old.ConsumedOffset, CloseAtEof = true, RotatedAt = DateTimeOffset.UtcNow,
                PendingEvent = old.PendingEvent, PendingEventStart = old.PendingEventStart, PendingEventUpdatedAt = old.PendingEventUpdatedAt,
            };
            rest.Open(copyHandle);
            follower.MarkTakenUp(copy.Status.Inode, copy.Leading);
            rest.LearnFingerprint(old.Fingerprint);
            // The copy holds the same bytes at the same offsets, so what was read of the unterminated line is read again.
            rest.ReadOffset = resumeAt;
            follower.Files.Insert(index, rest);
            index++;
            // Copies of files that were at the path after this one (or, when this one was truncated again before it
            // was first read, after the copy read before it) and were truncated before they were seen.
            newestCopy = AddRotatedBetween(follower, old.Inode, old.CopiesAfter is { } after && after < copy.Status.ModifiedAt ? after : copy.Status.ModifiedAt,
                closeAtEof: true, ref index);
            if (newestCopy < copy.Status.ModifiedAt) newestCopy = copy.Status.ModifiedAt;
        }
        else
        {
            Log.LogWarning("{Path} was truncated at offset {Offset} (copytruncate?) and no copy was found beside it: lines written after what was read may be lost",
                follower.Path, old.ReadOffset);
        }
        var handle = TryOpen(follower.Path);
        old.Dispose();
        follower.Files.RemoveAt(index);
        if (handle is null) return;
        var restarted = new TailedFile(follower.Path, FileStatus.Of(handle), 0) { CopiesAfter = newestCopy };
        restarted.Open(handle);
        follower.Files.Insert(index, restarted);
        SaveProgress(follower);
    }

    /// <summary>
    /// Writes the oldest unfinished file's committed offset to the pos file (fluentd's <c>update_pos</c>); with
    /// follow_inodes every file has its own entry.
    /// </summary>
    private void SaveProgress(PathFollower follower)
    {
        if (_positions is null || follower.Files.Count == 0) return;
        if (FollowInodes)
        {
            foreach (var file in follower.Files)
            {
                file.Entry ??= _positions.GetOrAdd(file.Path, file.Inode);
                if (file.Entry.Offset != (ulong)file.CommittedOffset) _positions.Update(file.Entry, (ulong)file.CommittedOffset, file.Inode);
            }
            return;
        }
        // The path's entry follows its newest file, as fluentd's does after a rotation; each older file still being
        // read has an entry of its own, so a restart (or a crash) resumes every file where it was instead of reading
        // the newest one again from its start.
        var newest = follower.Files[^1];
        if (follower.Entry is null || !follower.Entry.IsInFile || follower.Entry.IsUnwatched)
            follower.Entry = _positions.GetOrAdd(follower.Path, newest.Inode);
        if (follower.Entry.Offset != (ulong)newest.CommittedOffset || follower.Entry.Inode != newest.Inode)
            _positions.Update(follower.Entry, (ulong)newest.CommittedOffset, newest.Inode);
        for (var i = 0; i < follower.Files.Count - 1; i++)
        {
            var file = follower.Files[i];
            if (file.Entry is null || !file.Entry.IsInFile || file.Entry.IsUnwatched)
                file.Entry = _positions.GetOrAdd(RotatedEntryPath(follower.Path, file.Inode), file.Inode);
            if (file.Entry.Offset != (ulong)file.CommittedOffset)
                _positions.Update(file.Entry, (ulong)file.CommittedOffset, file.Inode);
        }
    }

    /// <summary>
    /// The pos file key of a rotated file still being read: <c>PATH.logagent-rotated-INODE</c>. A name of its own (the
    /// file's new name may be taken again by the next rotation, logrotate's .1 → .2); to fluentd it is an entry for a
    /// path that does not exist, which it ignores; it is marked unwatched (<c>ffffffffffffffff</c>) once the file is
    /// closed, and compaction drops it.
    /// </summary>
    internal static string RotatedEntryPath(string path, ulong inode) => $"{path}{RotatedEntryMarker}{inode:x}";

    private const string RotatedEntryMarker = ".logagent-rotated-";

    /// <summary>Rotated files that were being read when the agent stopped, from their own pos entries.</summary>
    private void RecoverInFlight(PathFollower follower, ulong currentInode)
    {
        if (_positions is null || FollowInodes) return;
        var prefix = follower.Path + RotatedEntryMarker;
        var inFlight = _positions.Entries.Where(e => !e.IsUnwatched && e.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (inFlight.Count == 0) return;
        var siblings = RotatedSiblings(follower.Path, currentInode);
        var found = new List<(PositionEntry Entry, string Path, FileStatus Status)>();
        foreach (var entry in inFlight)
        {
            var file = siblings.FirstOrDefault(c => c.Status.Inode == entry.Inode && c.Status.Size >= (long)entry.Offset
                && (_fingerprints?.Matches(entry.Inode, c.Leading) ?? true));
            if (file.Path is not null) found.Add((entry, file.Path, file.Status));
            else
            {
                Log.LogWarning("{Path}: the rotated file with inode {Inode} being read at offset {Offset} is gone", follower.Path, entry.Inode, entry.Offset);
                _positions.MarkUnwatched(entry);
            }
        }
        foreach (var (entry, path, status) in found.OrderBy(f => f.Status.ModifiedAt))
        {
            Log.LogInformation("{Path}: reading the rest of {Rotated} from offset {Offset}", follower.Path, path, entry.Offset);
            if (AddRecovered(follower, path, status, (long)entry.Offset) is { } recovered) recovered.Entry = entry;
        }
    }

    /// <summary>Stops following a path that no longer matches: its pos entry is marked unwatched, as fluentd does.</summary>
    private void Forget(PathFollower follower)
    {
        lock (_followers) _followers.Remove(follower.Path);
        if (_positions is not null && follower.Entry is { IsInFile: true, IsUnwatched: false } entry)
        {
            try { _positions.MarkUnwatched(entry); }
            catch (InvalidOperationException) { /* already replaced by a newer entry */ }
        }
        Log.LogInformation("stopped following {Path}", follower.Path);
    }

    // ---- inotify --------------------------------------------------------------------------------------------------

    private void Watch(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory)) WatchDirectory(directory);
    }

    private void WatchDirectoryOf(string pattern)
    {
        // The deepest directory of the pattern without wildcards: new files matching the glob appear there or below.
        var parts = pattern.Split('/');
        var literal = new List<string>();
        foreach (var part in parts[..^1])
        {
            if (PathGlob.HasWildcards(part) || part.Contains('%')) break;
            literal.Add(part);
        }
        var directory = string.Join('/', literal);
        if (directory.Length == 0) directory = pattern.StartsWith('/') ? "/" : ".";
        if (Directory.Exists(directory)) WatchDirectory(directory);
    }

    private void WatchDirectory(string directory)
    {
        if (!EnableStatWatcher || _stopping) return;
        lock (_watchers)
        {
            if (_watchers.ContainsKey(directory)) return;
            try
            {
                var watcher = new FileSystemWatcher(directory)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName,
                    IncludeSubdirectories = false,
                    InternalBufferSize = 64 * 1024,
                };
                watcher.Changed += (_, e) => OnFileEvent(e.FullPath, created: false);
                watcher.Created += (_, e) => OnFileEvent(e.FullPath, created: true);
                watcher.Deleted += (_, e) => OnFileEvent(e.FullPath, created: false);
                watcher.Renamed += (_, e) =>
                {
                    OnFileEvent(e.OldFullPath, created: false);
                    OnFileEvent(e.FullPath, created: true);
                };
                watcher.Error += (_, _) =>
                {
                    // The inotify queue overflowed: look at everything.
                    _refreshRequested = true;
                    foreach (var f in Followers) MarkDirty(f);
                };
                watcher.EnableRaisingEvents = true;
                _watchers[directory] = watcher;
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                // inotify limits (max_user_watches) or an unreadable directory: the watch timer still covers it.
                Log.LogWarning("cannot watch {Directory} with inotify, relying on the watch timer: {Error}", directory, e.Message);
            }
        }
    }

    private void OnFileEvent(string path, bool created)
    {
        if (_stopping) return;
        PathFollower? follower;
        lock (_followers) _followers.TryGetValue(path, out follower);
        if (follower is not null) MarkDirty(follower);
        else if (created && _started && _patterns.Any(p => PathGlob.HasWildcards(p) || p.Contains('%')))
        {
            _refreshRequested = true;
            _wake.Set();
        }
    }
}
