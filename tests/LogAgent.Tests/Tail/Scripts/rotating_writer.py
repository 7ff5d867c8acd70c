#!/usr/bin/env python3
"""An application that logs numbered lines and rotates its own log, for RotationUnderLoadTests.

    rotating_writer.py --path DIR/access.log --mode rename|copytruncate
                       [--lines 1000000] [--rotate-every 50000] [--rate LINES_PER_SECOND] [--reopen-lag 500]

Line n (1-based) is b"line %07d " followed by padding to 80 bytes with the newline, so a receiver can tell every
line by its number and a torn or misread line by its shape. Lines go through a 64 KiB write buffer, as with stdio,
so the file often ends in the middle of a line. Every --rotate-every lines (never after the last one) the log is
rotated, as logrotate would do it, into DIR/access.log.N (N = 1, 2, ... in order, like dateext: names are never
reused, so the test can tell which generation a line was in):

rename: the file is renamed; --reopen-lag more lines still go to the renamed file (the application has not
        reopened yet, as between logrotate's rename and the postrotate SIGHUP being handled); then the application
        closes it and creates a new file at the path.
copytruncate: the file is copied to access.log.N and then truncated to 0 while the application keeps it open in
        append mode, so its next write lands at offset 0.

One process does both the writing and the rotating, as an application with built-in rotation does, rather than a
separate rotator signalling the writer: the files go through exactly the same states (renamed file still written,
then a new file), but in a deterministic order, and the writer cannot be starved or reordered by a signal race
that would only test this script. --rate paces the writing (in bursts of 1,000 lines at full speed) so that a run
can span the agent's restarts; 0 writes as fast as Python can.

Prints one summary line on stdout: lines, rotations, seconds.
"""
import argparse
import os
import shutil
import sys
import time

LINE_LENGTH = 80  # bytes, newline included
BURST = 1000


def line(n):
    head = b"line %07d " % n
    return head + b"x" * (LINE_LENGTH - 1 - len(head)) + b"\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", required=True)
    parser.add_argument("--mode", required=True, choices=["rename", "copytruncate"])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rotate-every", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=0, help="lines per second; 0: full speed")
    parser.add_argument("--reopen-lag", type=int, default=500, help="rename: lines written to the renamed file before reopening")
    args = parser.parse_args()

    # 'ab': O_APPEND, so after a copytruncate the next write goes to the new end (offset 0), as with any logger.
    log = open(args.path, "ab", buffering=64 * 1024)
    started = time.monotonic()
    rotations = 0
    n = 1
    while n <= args.lines:
        # Up to the next rotation point or the end of a burst, whichever comes first.
        until = min(args.lines, n + BURST - 1, ((n - 1) // args.rotate_every + 1) * args.rotate_every)
        log.write(b"".join(line(i) for i in range(n, until + 1)))
        n = until + 1
        if (n - 1) % args.rotate_every == 0 and n <= args.lines:
            rotations += 1
            rotated = "%s.%d" % (args.path, rotations)
            if args.mode == "rename":
                os.rename(args.path, rotated)
                lag_end = min(args.lines, n + args.reopen_lag - 1)
                log.write(b"".join(line(i) for i in range(n, lag_end + 1)))
                n = lag_end + 1
                log.close()
                log = open(args.path, "ab", buffering=64 * 1024)
            else:
                # logrotate's copytruncate copies and then truncates while the application goes on writing: what is
                # written between the two is in neither file for a tailer that did not read it in that window (the
                # docs say so). Here the application itself does both with no write in between, so every line is in
                # the copy or in the truncated file, and the test can ask for every line exactly once.
                log.flush()
                shutil.copyfile(args.path, rotated)
                os.ftruncate(log.fileno(), 0)
        if args.rate > 0:
            ahead = (n - 1) / args.rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
    log.close()
    print("lines %d rotations %d seconds %.2f" % (args.lines, rotations, time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
