#!/usr/bin/env python3
"""`logan stream`: watched directories (new files, growth, rotation by rename and by truncation,
compressed files, skipped temporary names), followed files, sockets (listen and connect), stdin,
processing-time and event-time windows, checkpoints across `kill -9`, the HTML page, invalid
lines, and errors. The all-time total is always compared with `logan batch --json` over the
same lines.

Every test runs logan with short slides and waits on what it publishes (with generous time
limits), never on fixed sleeps, so that a loaded machine only makes it slower.

    LOGAN=build/logan python3 tests/e2e/test_stream.py
"""
from __future__ import annotations

import datetime as dt
import gzip
import html.parser
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import zlib
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import clf, combined, lines, make_log, ref  # noqa: E402

WAIT = 30.0           # seconds to wait for anything logan should do
WINDOW, SLIDE = "1s", "250ms"
WINDOW_MS, SLIDE_MS = 1000, 250
OBJECT_KEYS = ["sequence", "window_start", "window_end", "final", "late_lines", "pending_lines",
               "window", "total"]


def epoch_ms(iso: str) -> int:
    """'2024-03-07T10:00:00Z' or '...:00.250Z' as milliseconds since the epoch."""
    t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return round(t.timestamp() * 1000)


def count_lines(*chunks: bytes) -> int:
    """Lines in the concatenation of chunks that each end with a newline."""
    return sum(c.count(b"\n") for c in chunks)


def write_in_pieces(write, data: bytes, rnd: random.Random, max_piece=200, pause_every=0):
    """Writes `data` through `write` in pieces of random size (lines split anywhere)."""
    i = n = 0
    while i < len(data):
        k = rnd.randint(1, max_piece)
        write(data[i:i + k])
        i += k
        n += 1
        if pause_every and n % pause_every == 0:
            time.sleep(0.001)


def gzip_in_two(data: bytes, cut: int) -> tuple[bytes, bytes]:
    """A gzip stream of data in two pieces, as gzip writes it: the first decodes (sync flush)
    to data[:cut], the second completes it."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as z:
        z.write(data[:cut])
        z.flush(zlib.Z_SYNC_FLUSH)
        first = buf.getvalue()
        z.write(data[cut:])
    return first, buf.getvalue()[len(first):]


class StreamProc:
    """A running `logan stream`: threads collect the JSON objects it prints (one per line) and
    its stderr lines; the wait_* methods block on them with a time limit."""

    def __init__(self, test: "StreamTestCase", args, stdin=False, cwd=None):
        self.test = test
        self.cmd = [test.logan, "stream", *map(str, args)]
        self.proc = subprocess.Popen(self.cmd,
                                     stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
        self.objects: list[dict] = []
        self.bad_lines: list[bytes] = []
        self.err_lines: list[str] = []
        self.cond = threading.Condition()
        self.out_done = self.err_done = False
        self.threads = [threading.Thread(target=self._read_stdout, daemon=True),
                        threading.Thread(target=self._read_stderr, daemon=True)]
        for t in self.threads:
            t.start()
        test.addCleanup(self._cleanup)

    # --- collecting ---------------------------------------------------------------------
    def _read_stdout(self):
        for raw in self.proc.stdout:
            try:
                obj = logan_cli.parse_json_stdout(raw)
            except ValueError:           # UnicodeDecodeError is a ValueError too
                obj = None
            with self.cond:
                if isinstance(obj, dict):
                    self.objects.append(obj)
                else:
                    self.bad_lines.append(raw)
                self.cond.notify_all()
        with self.cond:
            self.out_done = True
            self.cond.notify_all()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self.cond:
                self.err_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.err_done = True
            self.cond.notify_all()

    def _cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=WAIT)
        for t in self.threads:
            t.join(timeout=5)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass

    def describe(self) -> str:
        with self.cond:
            last = self.objects[-1] if self.objects else None
            n = len(self.objects)
            err = "\n    ".join(self.err_lines[-15:])
        total = last["total"]["lines"] if last else None
        return (f"\n  command: {' '.join(self.cmd)}\n  exit status: {self.proc.poll()}"
                f"\n  objects printed: {n}, last total.lines: {total}"
                f"\n  stderr (last lines):\n    {err}")

    # --- waiting --------------------------------------------------------------------------
    def _wait(self, scan, what, timeout=WAIT):
        """Calls scan() under the lock until it returns something other than None."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = scan()
                if found is not None:
                    return found
                if self.out_done and self.err_done:
                    self.test.fail(f"logan ended while waiting for {what}" + self.describe())
                left = deadline - time.monotonic()
                if left <= 0:
                    self.test.fail(f"timed out after {timeout:.0f} s waiting for {what}"
                                   + self.describe())
                self.cond.wait(min(left, 1.0))

    def wait_object(self, pred, what, after=0, timeout=WAIT) -> dict:
        """The first object from index `after` on that satisfies pred."""
        def scan():
            for o in self.objects[after:]:
                if pred(o):
                    return o
            return None
        return self._wait(scan, what, timeout)

    def count(self) -> int:
        with self.cond:
            return len(self.objects)

    def last(self) -> dict | None:
        with self.cond:
            return self.objects[-1] if self.objects else None

    def wait_slides(self, n=1) -> dict:
        """Waits for n more objects; returns the last."""
        start = self.count()
        return self.wait_object(lambda o: True, f"{n} more published slide(s)", after=start + n - 1)

    def settle(self, seconds: float):
        """Waits until logan's published windows have moved on by `seconds` (processing time):
        time for rescans and reads that would reveal a line counted twice or a skipped file."""
        o = self.wait_slides(1)
        end = epoch_ms(o["window_end"]) + seconds * 1000
        self.wait_object(lambda x: epoch_ms(x["window_end"]) >= end,
                         f"windows {seconds} s further on", after=self.count() - 1)

    def wait_total(self, n: int, what="") -> dict:
        """Waits until the all-time total has exactly n lines; fails at once if an object shows
        more (a line counted twice, or one that should have been skipped)."""
        def scan():
            for o in self.objects:
                t = o["total"]["lines"]["total"]
                if t > n:
                    self.test.fail(f"total went past the {n} lines written ({t}) {what}"
                                   + self.describe())
            for o in self.objects:
                if o["total"]["lines"]["total"] == n:
                    return o
            return None
        return self._wait(scan, f"a total of {n} lines {what}")

    def wait_stderr(self, pattern: str, what="") -> re.Match:
        rx = re.compile(pattern)

        def scan():
            for ln in self.err_lines:
                m = rx.search(ln)
                if m:
                    return m
            return None
        return self._wait(scan, what or f"stderr matching {pattern!r}")

    # --- ending ---------------------------------------------------------------------------
    def finish(self, sig=signal.SIGTERM) -> dict:
        """Sends `sig` (None: just wait for logan to end), waits for the exit and checks what a
        clean end looks like: status 0, every stdout line a well-formed object, exactly the
        last one final. Returns the final object."""
        if sig is not None:
            self.proc.send_signal(sig)
        try:
            status = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.test.fail("logan did not exit" + self.describe())
        for t in self.threads:
            t.join(timeout=10)
        self.test.assertEqual(status, 0, "logan stream should exit 0" + self.describe())
        self.test.assertEqual(self.bad_lines, [], "stdout lines that are not JSON objects")
        self.test.assertTrue(self.objects, "no object printed" + self.describe())
        for i, o in enumerate(self.objects):
            self.test.assertEqual(list(o), OBJECT_KEYS, f"object {i} keys")
            self.test.assertEqual(o["sequence"], i + 1, "sequence numbers count from 1")
            self.test.assertIs(o["final"], i == len(self.objects) - 1,
                               f"object {i}: only the last one is final")
            for k in ("late_lines", "pending_lines"):
                self.test.assertIsInt(o[k], k)
            self.test.assertSchema(o["window"])
            self.test.assertSchema(o["total"])
        return self.objects[-1]

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=WAIT)
        for t in self.threads:
            t.join(timeout=10)


class StreamTestCase(logan_cli.LoganTestCase):

    def stream(self, *args, stdin=False, cwd=None) -> StreamProc:
        return StreamProc(self, args, stdin=stdin, cwd=cwd)

    def batch_of(self, chunks, fmt="common") -> dict:
        """`logan batch --json` over the concatenation of chunks (each ends with a newline)."""
        p = self.tmp / "expected-lines.log"
        p.write_bytes(b"".join(chunks))
        return self.batch_json("--format", fmt, p)

    def assertTotalMatches(self, final: dict, chunks, what="", fmt="common"):
        """The final total equals `logan batch --json` over the lines (samples aside: their
        sources and line numbers depend on the files they came from)."""
        want = self.batch_of(chunks, fmt)
        self.assertEqual(final["total"]["lines"], want["lines"], f"{what}: line counts")
        self.assertDocEqual(final["total"], want, what, skip=("invalid_samples",))

    def assertProcessingWindows(self, objs, window_ms=WINDOW_MS, slide_ms=SLIDE_MS):
        """Processing-time windows: aligned to the slide, of the window's length (the final one
        ends when the stream stops, so it may be shorter), ends increasing; each window holds exactly what the total gained since the publication
        that ended one window length before (panes are disjoint and cover all lines)."""
        published = []  # (end, total lines doc, content_size) of non-final objects
        for o in objs:
            start, end = epoch_ms(o["window_start"]), epoch_ms(o["window_end"])
            where = f"object {o['sequence']} ({o['window_start']} .. {o['window_end']})"
            if o["final"]:
                # The last window ends when the stream stopped: it starts where its first
                # pane did and is no longer than a window.
                self.assertEqual(start % slide_ms, 0, f"{where}: final window start aligned")
                self.assertGreaterEqual(end - start, 0, f"{where}: final window length")
                self.assertLessEqual(end - start, window_ms, f"{where}: final window length")
            else:
                self.assertEqual(end - start, window_ms, f"{where}: window length")
            self.assertEqual((o["late_lines"], o["pending_lines"]), (0, 0), where)
            w, t = o["window"], o["total"]
            self.assertLessEqual(w["lines"]["total"], t["lines"]["total"], where)
            if o["final"]:
                if window_ms == slide_ms and published:
                    # Tumbling: the final window is the open pane, what came after the last.
                    lines_before = published[-1][1]
                    for k in ("total", "parsed", "invalid"):
                        self.assertEqual(w["lines"][k], t["lines"][k] - lines_before[k],
                                         f"{where}: final window lines.{k}")
                continue
            self.assertEqual(end % slide_ms, 0, f"{where}: aligned to the slide")
            if published:
                self.assertGreater(end, published[-1][0], f"{where}: windows move forward")
            earlier = [p for p in published if p[0] <= end - window_ms]
            lines_before = earlier[-1][1] if earlier else {"total": 0, "parsed": 0, "invalid": 0}
            cs_before = earlier[-1][2] if earlier else {"count": 0, "sum": 0}
            for k in ("total", "parsed", "invalid"):
                self.assertEqual(w["lines"][k], t["lines"][k] - lines_before[k],
                                 f"{where}: lines.{k} of the window")
            for k in ("count", "sum"):
                self.assertEqual(w["content_size"][k], t["content_size"][k] - cs_before[k],
                                 f"{where}: content_size.{k} of the window")
            published.append((end, t["lines"], t["content_size"]))
        if window_ms == slide_ms:
            self.assertEqual(sum(o["window"]["lines"]["total"] for o in objs),
                             objs[-1]["total"]["lines"]["total"],
                             "tumbling windows: every line in exactly one window")

    def assertOneLineError(self, r: logan_cli.Result, name: str):
        self.assertEqual(r.returncode, 2, "exit status 2" + r.describe())
        self.assertEqual(r.stdout, b"", "nothing on stdout" + r.describe())
        self.assertOneLineNaming(r.stderr, name, r)


# ------------------------------------------------------------------------------------------
# Watched directories and followed files
# ------------------------------------------------------------------------------------------

class DirectorySources(StreamTestCase):

    def check_directory_monitoring(self, *extra):
        d = self.tmp / "logs"
        d.mkdir()
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                        *extra, d)
        s.wait_slides(1)
        rnd = random.Random(7)
        want: list[bytes] = []

        def add(*chunks):
            want.extend(chunks)
            return count_lines(*want)

        # A new file, written in random pieces.
        a = make_log(150, 1)
        f = open(d / "access.log", "ab", buffering=0)
        self.addCleanup(f.close)
        write_in_pieces(f.write, a, rnd)
        s.wait_total(add(a), "after a new file")

        # A line split across two writes, with a pause between: never half counted.
        split = clf(ip="198.51.100.9", request="GET /split/line HTTP/1.1", size=4321) + b"\n"
        before = count_lines(*want)
        f.write(split[:29])
        s.wait_slides(3)
        self.assertEqual(s.last()["total"]["lines"]["total"], before,
                         "half a line must not be counted" + s.describe())
        f.write(split[29:])
        s.wait_total(add(split), "after the rest of a split line")

        # Rotation by rename: the writer keeps writing to the renamed file; a new file takes
        # the old name.
        os.rename(d / "access.log", d / "access.log.1")
        b = make_log(60, 2)
        f.write(b)
        c = make_log(80, 3)
        g = open(d / "access.log", "ab", buffering=0)
        self.addCleanup(g.close)
        write_in_pieces(g.write, c, rnd)
        s.wait_total(add(b, c), "after rotation by rename")

        # copytruncate: the file is copied elsewhere, truncated in place and written again.
        shutil.copyfile(d / "access.log", self.tmp / "copied-away.log")
        os.truncate(d / "access.log", 0)
        e = make_log(40, 4)
        g.write(e)              # O_APPEND: at the new end
        s.wait_stderr(r"access\.log' was (truncated|rewritten)", "the truncation noticed")
        s.wait_total(add(e), "after copytruncate")

        # A gzip file written elsewhere and moved in whole.
        gz = make_log(120, 5)
        staging = self.tmp / "staging"
        staging.mkdir()
        (staging / "x.gz").write_bytes(logan_cli.gzip_bytes(gz))
        os.rename(staging / "x.gz", d / "old-1.log.gz")
        s.wait_total(add(gz), "after a gzip file moved in")

        # A gzip file written in place, as gzip and cp do: created empty, written later.
        gz2 = make_log(90, 10)
        z = open(d / "old-2.log.gz", "wb", buffering=0)
        self.addCleanup(z.close)
        s.wait_slides(2)       # logan sees it empty
        first, rest = gzip_in_two(gz2, 3000)
        z.write(first)
        s.wait_slides(2)       # and half written
        z.write(rest)
        z.close()
        s.wait_total(add(gz2), "after a gzip file written in place")

        # Dot-files and temporary names are skipped ...
        ignored = make_log(30, 6)
        for name in (".hidden.log", "x.tmp", "y.swp", "z~", "w.part", "v.log.partial"):
            (d / name).write_bytes(ignored)
        # ... but a file written under a temporary name and renamed into place is read.
        h = make_log(50, 7)
        (d / "new.log.tmp").write_bytes(h)
        os.rename(d / "new.log.tmp", d / "new.log")
        s.wait_total(add(h), "after a temporary file renamed into place")
        with open(d / ".hidden.log", "ab") as hidden:
            hidden.write(ignored)

        # More lines in the rotated file and the current one; then the rotated file goes.
        i = make_log(20, 8)
        f.write(i)
        s.wait_total(add(i), "after more lines in the rotated file")
        f.close()
        os.remove(d / "access.log.1")
        j = make_log(20, 9)
        g.write(j)
        s.wait_total(add(j), "after the rotated file was removed")

        s.settle(2.0)    # rescans that would wrongly read skipped names or count twice
        final = s.finish()
        self.assertTotalMatches(final, want, "directory")
        self.assertProcessingWindows(s.objects)

    def test_directory_monitoring(self):
        self.check_directory_monitoring()

    def test_directory_monitoring_by_polling(self):
        self.check_directory_monitoring("--poll", "200ms")

    def test_rotation_with_compression(self):
        """app.log -> app.log.1 (renamed), then app.log.1 -> app.log.1.gz (logrotate's compress:
        written next to it, then app.log.1 removed): nothing counted twice, nothing lost."""
        d = self.tmp / "logs"
        d.mkdir()
        (d / "other.txt").write_bytes(make_log(25, 20))   # not matched by the pattern
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                        f"{d}/app.log*")
        want: list[bytes] = []

        def add(*chunks):
            want.extend(chunks)
            return count_lines(*want)

        f = open(d / "app.log", "ab", buffering=0)
        self.addCleanup(f.close)
        a = make_log(300, 21)
        f.write(a)
        s.wait_total(add(a), "after app.log")
        os.rename(d / "app.log", d / "app.log.1")
        a2 = make_log(30, 22)
        f.write(a2)
        g = open(d / "app.log", "ab", buffering=0)
        self.addCleanup(g.close)
        b = make_log(40, 23)
        g.write(b)
        s.wait_total(add(a2, b), "after the rename")
        f.close()

        # gzip writes the copy in pieces next to the original, then removes the original.
        # (logan waits up to 3 s for the original to go: keep the pause short.)
        first, rest = gzip_in_two(a + a2, 12000)
        with open(d / "app.log.1.gz", "wb", buffering=0) as z:
            z.write(first)
            s.wait_slides(1)
            z.write(rest)
        os.remove(d / "app.log.1")
        c = make_log(20, 24)
        g.write(c)
        s.wait_total(add(c), "after app.log.1 was compressed")
        s.settle(2.0)
        self.assertEqual(s.last()["total"]["lines"]["total"], count_lines(*want),
                         "the compressed copy must not be counted again" + s.describe())

        # The next rotation: app.log.1.gz -> app.log.2.gz, app.log -> app.log.1, more lines
        # into app.log.1 and at once compressed (logan may not have read them yet).
        os.rename(d / "app.log.1.gz", d / "app.log.2.gz")
        os.rename(d / "app.log", d / "app.log.1")
        dd = make_log(50, 25)
        g.write(dd)
        g.close()
        add(dd)
        (d / "app.log.1.gz").write_bytes(logan_cli.gzip_bytes(b + c + dd))
        os.remove(d / "app.log.1")
        e = make_log(10, 26)
        with open(d / "app.log", "ab") as h:
            h.write(e)
        s.wait_total(add(e), "after the second rotation")
        s.settle(2.0)
        final = s.finish()
        self.assertTotalMatches(final, want, "rotation with compression")

    def test_follow_file_like_tail_F(self):
        d = self.tmp / "logs"
        d.mkdir()
        (d / "other.log").write_bytes(make_log(25, 30))   # same directory, not followed
        a0 = make_log(40, 31)
        (d / "app.log").write_bytes(a0)
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                        d / "app.log")
        want = [a0]
        s.wait_total(count_lines(*want), "for the file's lines at the start")
        rnd = random.Random(32)
        f = open(d / "app.log", "ab", buffering=0)
        self.addCleanup(f.close)
        a1 = make_log(70, 33)
        write_in_pieces(f.write, a1, rnd, max_piece=50)
        want.append(a1)
        s.wait_total(count_lines(*want), "after appending")

        # Rotation: the renamed file is read to its end, the new file under the name too.
        os.rename(d / "app.log", d / "app.log.1")
        a2 = make_log(15, 34)
        f.write(a2)
        f.close()
        b = make_log(30, 35)
        (d / "app.log").write_bytes(b)
        (d / "app.log.2").write_bytes(make_log(10, 36))     # another name: not followed
        with open(d / "other.log", "ab") as o:
            o.write(make_log(10, 37))
        want += [a2, b]
        s.wait_total(count_lines(*want), "after rotation")

        # The name disappears for a while, then comes back.
        os.remove(d / "app.log")
        s.wait_slides(2)
        c = make_log(25, 38)
        (d / "app.log").write_bytes(c)
        want.append(c)
        s.wait_total(count_lines(*want), "after the file came back")
        s.settle(1.5)
        final = s.finish(signal.SIGINT)
        self.assertTotalMatches(final, want, "followed file")
        self.assertProcessingWindows(s.objects)

    def test_follow_from_end(self):
        d = self.tmp / "logs"
        d.mkdir()
        (d / "app.log").write_bytes(make_log(40, 40) + b"unfinished")
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                        "--from-end", d / "app.log")
        s.wait_slides(3)
        self.assertEqual(s.last()["total"]["lines"]["total"], 0, "--from-end skips what is there")
        new = make_log(30, 41)
        with open(d / "app.log", "ab") as f:
            f.write(b" line\n" + new)
        want = [b"unfinished line\n", new]   # the line being written at the start is counted
        s.wait_total(count_lines(*want))
        final = s.finish()
        self.assertTotalMatches(final, want, "--from-end")

    def test_a_directory_of_many_files(self):
        # Once every new file was compared with every known one (quadratic: 20,000 files took
        # 72 s, 100,000 froze logan and it ignored SIGTERM), and every file kept a descriptor
        # open (past the limit the rest were never read). Now: counted, and stopped at once.
        d = self.tmp / "many"
        d.mkdir()
        n = 20000
        for i in range(n):
            (d / f"f{i:05d}.log").write_bytes(clf(ip=f"192.0.2.{i % 250}",
                                                  request=f"GET /p/{i} HTTP/1.1", size=i) + b"\n")
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE, d)
        s.wait_total(n)
        final = s.finish()
        self.assertEqual(final["total"]["lines"], {"total": n, "parsed": n, "invalid": 0})
        self.assertEqual(final["total"]["content_size"]["sum"], n * (n - 1) // 2)

    def test_links_out_of_a_watched_directory_are_not_read(self):
        # Whoever can write into a watched directory could link any file logan can read into
        # it (/etc/shadow): its lines would be shown as invalid-line samples. Only links that
        # stay inside the directory are read, unless --follow-symlinks.
        d, outside = self.tmp / "logs", self.tmp / "private"
        d.mkdir()
        outside.mkdir()
        secret = outside / "shadow"
        secret.write_bytes(b"root:$6$secret-hash:19000:0:99999:7:::\n")
        good = make_log(30, 74)
        (d / "a.log").write_bytes(good)
        (d / "shadow.log").symlink_to(secret)
        (d / "inside.log").symlink_to(d / "a.log")   # the same file: counted once
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE, d)
        s.wait_total(count_lines(good))
        s.wait_slides(2)
        final = s.finish()
        self.assertTotalMatches(final, [good], "the link out is not read")
        self.assertNotIn("secret-hash", json.dumps(final))
        with s.cond:
            said = [l for l in s.err_lines if "shadow.log" in l]
        self.assertEqual(len(said), 1, s.describe())
        self.assertIn("--follow-symlinks", said[0])
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                        "--follow-symlinks", d)
        s.wait_total(count_lines(good) + 1)
        final = s.finish()
        self.assertEqual(final["total"]["lines"]["total"], count_lines(good) + 1)

    def test_invalid_lines_counted_and_sampled(self):
        d = self.tmp / "logs"
        d.mkdir()
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE, d)
        good = [clf(ip=f"192.0.2.{i}", request=f"GET /p{i} HTTP/1.1", size=i) for i in range(40)]
        a1 = lines(good[0], b"bad one", good[1], good[2], b"", good[3])          # 2 and 5
        a2 = lines(good[4], good[5], b"bad \xff three", b"", good[6], good[7], good[8],
                   clf(status="abc"), good[9])                                   # 9, 10, 14
        s.wait_slides(1)
        with open(d / "a.log", "ab", buffering=0) as f:
            f.write(a1)
            s.wait_total(count_lines(a1))
            f.write(a2)
            s.wait_total(count_lines(a1, a2))
        overlong = b"x" * (1 << 20) + b"y" * 5000                                # over 1 MiB
        b_lines = [b"first bad", good[10], b"<b>", good[11], overlong, b"\t", good[12],
                   b"five", b"six", b"seven"]
        b_data = lines(*b_lines)
        with open(d / "b.log", "ab", buffering=0) as f:
            for i in range(0, len(b_data), 300_000):
                f.write(b_data[i:i + 300_000])
        s.wait_total(count_lines(a1, a2, b_data))
        final = s.finish()
        want = self.batch_json("--format", "common", f"{d}/a.log", f"{d}/b.log")
        self.assertEqual(final["total"]["lines"], {"total": 25, "parsed": 13, "invalid": 12})
        self.assertDocEqual(final["total"], want, "invalid lines, samples included")
        samples = final["total"]["invalid_samples"]
        self.assertEqual([(Path(x["source"]).name, x["line"]) for x in samples],
                         [("a.log", n) for n in (2, 5, 9, 10, 14)] +
                         [("b.log", n) for n in (1, 3, 5, 6, 8)])
        self.assertEqual(len(samples[7]["text"]), 512, "an overlong line's sample is cut")
        # Windows sample their own invalid lines, numbered within their file.
        every = {(f"{d}/a.log", n) for n in (2, 5, 9, 10, 14)} | \
                {(f"{d}/b.log", n) for n in (1, 3, 5, 6, 8, 9, 10)}
        seen = {(x["source"], x["line"]) for o in s.objects for x in o["window"]["invalid_samples"]}
        self.assertIn((f"{d}/a.log", 9), seen, "a later batch's line keeps its number")
        self.assertLessEqual(seen, every)


# ------------------------------------------------------------------------------------------
# Sockets and stdin
# ------------------------------------------------------------------------------------------

class SocketAndStdinSources(StreamTestCase):

    def test_listen_many_senders(self):
        s = self.stream("--json", "--format", "common", "--window", "500ms", "--slide", "500ms",
                        "listen://127.0.0.1:0")
        port = int(s.wait_stderr(r"listening on 127\.0\.0\.1:(\d+) \(listen://127\.0\.0\.1:0\)",
                                 "the listening port").group(1))
        rnd = random.Random(50)
        payloads = [make_log(rnd.randint(40, 140), 100 + i) for i in range(20)]
        payloads[3] = payloads[3].rstrip(b"\n")     # the last line ends with the connection
        payloads[7] = b""                            # a sender that sends nothing
        barrier = threading.Barrier(len(payloads))
        errors = []

        def send(i, data):
            try:
                r = random.Random(i)
                with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as c:
                    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    barrier.wait(timeout=WAIT)
                    write_in_pieces(c.sendall, data, r, max_piece=60, pause_every=7)
            except Exception as e:  # noqa: BLE001 (reported by the test)
                errors.append(f"sender {i}: {e!r}")

        senders = [threading.Thread(target=send, args=(i, p)) for i, p in enumerate(payloads)]
        for t in senders:
            t.start()
        for t in senders:
            t.join(timeout=WAIT)
        self.assertEqual(errors, [])
        want = [p if p.endswith(b"\n") or not p else p + b"\n" for p in payloads]
        s.wait_total(count_lines(*want))
        final = s.finish()
        self.assertTotalMatches(final, want, "20 senders")
        self.assertProcessingWindows(s.objects, 500, 500)
        for x in final["total"]["invalid_samples"]:
            self.assertRegex(x["source"], r"^listen://127\.0\.0\.1:0 from 127\.0\.0\.1:\d+$")

    def test_connect_with_retries_and_reconnects(self):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(server.close)
        server.bind(("127.0.0.1", 0))            # bound, not listening yet: refused
        port = server.getsockname()[1]
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                        f"tcp://127.0.0.1:{port}")
        s.wait_stderr(rf"cannot connect to tcp://127\.0\.0\.1:{port}\b.*retrying",
                      "a failed connection reported")
        server.listen(4)
        server.settimeout(WAIT)
        rnd = random.Random(60)
        first, second = make_log(120, 61), make_log(80, 62).rstrip(b"\n")
        for data in (first, second):
            conn, _ = server.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                write_in_pieces(conn.sendall, data, rnd, max_piece=100, pause_every=20)
        want = [first, second + b"\n"]
        s.wait_total(count_lines(*want))
        s.wait_stderr(r"closed; reconnecting", "the reconnection reported")
        final = s.finish()
        self.assertTotalMatches(final, want, "tcp:// source")

    def test_stdin_to_its_end(self):
        rnd = random.Random(70)
        rows = []
        for i in range(400):
            if i % 37 == 36:
                rows.append(b"not a log line %d" % i)
            else:
                rows.append(combined(ip=f"203.0.113.{i % 23}",
                                     request=f"{'GET' if i % 5 else 'POST'} /p/{i % 29} HTTP/1.1",
                                     status=[200, 200, 404, 500, 301][i % 5], size=i * 7,
                                     ts=f"07/Mar/2024:11:{i % 60:02d}:{(i * 7) % 60:02d} +0100",
                                     referer="http://example.com/", agent=f"agent {i % 3}"))
        data = lines(*rows, final_newline=False)
        s = self.stream("--json", "--window", WINDOW, "--slide", SLIDE, "-", stdin=True)
        write_in_pieces(lambda b: (s.proc.stdin.write(b), s.proc.stdin.flush()), data[:20000], rnd,
                        max_piece=500)
        s.wait_slides(2)
        write_in_pieces(lambda b: (s.proc.stdin.write(b), s.proc.stdin.flush()), data[20000:], rnd,
                        max_piece=500)
        s.proc.stdin.close()
        final = s.finish(None)          # stdin's end ends the job
        want = self.batch_json("-", stdin=data)    # format detected in both
        self.assertEqual(final["total"]["lines"]["total"], 400)
        # Samples from stdin name it `stdin` (docs/json-output.md), `logan batch` names it `-`.
        for x in want["invalid_samples"]:
            x["source"] = "stdin"
        self.assertDocEqual(final["total"], want, "stdin, samples included")
        self.assertProcessingWindows(s.objects)

    def test_named_pipe_across_writers_until_stopped(self):
        # A FIFO given as a source is read as it comes (it used to count nothing and say
        # nothing), from every writer that opens it, until the job stops.
        fifo = self.tmp / "access.pipe"
        os.mkfifo(fifo)
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE, fifo)
        first, second = make_log(200, 72), make_log(100, 73)
        for part in (first, second):   # two writers, one after the other, as `cat` does
            with open(fifo, "wb") as w:
                w.write(part)
        wait = time.monotonic() + 60
        while (not s.objects or s.objects[-1]["total"]["lines"]["total"] < 300) and time.monotonic() < wait:
            time.sleep(0.05)
        final = s.finish()
        self.assertTotalMatches(final, [first, second], "a named pipe")

    def test_stdin_text_output(self):
        data = make_log(300, 71)
        r = self.run_logan("stream", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                           "-", stdin=data, timeout=WAIT)
        self.assertEqual(r.returncode, 0, r.describe())
        out = r.stdout.decode("utf-8")
        self.assertIn(" (final) ===\n", out)
        self.assertEqual(out.count("(final)"), 1, out[-3000:])
        all_time = out.split("=== all time ===\n", 1)[1]
        want = self.run_logan("batch", "--format", "common", "-", stdin=data)
        self.assertEqual(want.returncode, 0, want.describe())
        want_text = want.stdout.decode("utf-8").replace("\n  -:", "\n  stdin:")
        self.assertEqual(all_time.rstrip("\n"), want_text.rstrip("\n"),
                         "the final all-time block reads like `logan batch`")

    def test_stdin_is_not_the_only_source(self):
        d = self.tmp / "logs"
        d.mkdir()
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                        "-", d, stdin=True)
        first = make_log(60, 80)
        s.proc.stdin.write(first)
        s.proc.stdin.close()
        s.wait_total(count_lines(first))
        s.wait_slides(2)
        self.assertIsNone(s.proc.poll(),
                          "stdin's end does not end the job while a directory is watched")
        more = make_log(45, 81)
        (d / "a.log").write_bytes(more)
        s.wait_total(count_lines(first, more))
        final = s.finish()
        self.assertTotalMatches(final, [first, more], "stdin and a directory")


# ------------------------------------------------------------------------------------------
# Event time
# ------------------------------------------------------------------------------------------

BASE = dt.datetime(2024, 3, 7, 10, 0, 0, tzinfo=dt.timezone.utc)


def at(sec: int, tag: str) -> bytes:
    """A line logged BASE + sec seconds, its endpoint naming it."""
    ts = (BASE + dt.timedelta(seconds=sec)).strftime("%d/%b/%Y:%H:%M:%S +0000")
    return clf(ip=f"192.0.2.{sec % 200 + 1}", request=f"GET /t{sec}/{tag} HTTP/1.1", size=sec + 1,
               ts=ts)


def iso_at(sec: int) -> str:
    return (BASE + dt.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventTime(StreamTestCase):

    def test_event_time_windows_and_late_lines(self):
        """--window 10s --slide 5s --allowed-lateness 5s over logged times (seconds after BASE).
        A window [e-10, e) is published once the watermark (latest time - 5 s) reaches e;
        a line is late when a window holding it has been published (or passed by the watermark
        while empty); a line within the lateness whose window is not passed yet is on time."""
        s = self.stream("--json", "--format", "common", "--event-time", "--window", "10s",
                        "--slide", "5s", "--allowed-lateness", "5s", "-", stdin=True)
        timed: list[tuple[int, bytes]] = []     # every line with a time, in order written
        late: set[bytes] = set()
        written = 0

        def phase(items):
            """Writes [(sec, tag, is_late)] in one write (under PIPE_BUF: read at once)."""
            nonlocal written
            rows = []
            for sec, tag, is_late in items:
                ln = at(sec, tag)
                rows.append(ln)
                timed.append((sec, ln))
                if is_late:
                    late.add(ln)
            data = lines(*rows)
            self.assertLess(len(data), 4096)
            s.proc.stdin.write(data)
            s.proc.stdin.flush()
            written += len(rows)

        def windows_after(n):
            return [(o["window_start"], o["window_end"], o["window"]["lines"]["total"])
                    for o in s.objects[n:]]

        def window_doc(start, end):
            rows = [ln for sec, ln in timed if start <= sec < end and ln not in late]
            return ref.analyze([("-", lines(*rows))], "common") if rows else None

        # Phase 1, a little out of order at the start (not late). Watermark 21 - 5 = 16.
        phase([(3, "a", False), (1, "b", False), (1, "c", False), (7, "d", False),
               (7, "e", False), (7, "f", False), (12, "g", False), (21, "h", False)])
        o = s.wait_object(lambda x: x["window_end"] == iso_at(15), "the window ending at 15 s")
        self.assertEqual(windows_after(0), [(iso_at(-5), iso_at(5), 3), (iso_at(0), iso_at(10), 6),
                                            (iso_at(5), iso_at(15), 4)])
        self.assertEqual((o["late_lines"], o["pending_lines"]), (0, 1), "21 s awaits its window")
        self.assertEqual(o["total"]["lines"]["total"] + o["pending_lines"], written)

        # Phase 2: 4 s and 13 s are late (their windows ending at 5 s and 15 s are out); 16 s
        # is not (the window ending at 20 s is not); 26 s moves the watermark to 21.
        n = s.count()
        s.proc.stdin.write(b"an invalid line\n")
        phase([(4, "i", True), (4, "j", True), (13, "k", True), (16, "l", False),
               (24, "m", False), (26, "n", False)])
        written += 1
        o = s.wait_object(lambda x: x["window_end"] == iso_at(20), "the window ending at 20 s")
        self.assertEqual(windows_after(n), [(iso_at(10), iso_at(20), 2)])
        self.assertEqual((o["late_lines"], o["pending_lines"]), (3, 3))
        self.assertEqual(o["total"]["lines"]["total"] + o["pending_lines"], written)

        # Phase 3: a jump to 60-62 s; watermark 57: the windows ending at 25, 30, 35 s are
        # published, those ending at 40-55 s are empty (not published).
        n = s.count()
        phase([(60, "o", False), (61, "p", False), (62, "q", False)])
        o = s.wait_object(lambda x: x["window_end"] == iso_at(35), "the window ending at 35 s")
        self.assertEqual(windows_after(n), [(iso_at(15), iso_at(25), 3),
                                            (iso_at(20), iso_at(30), 3),
                                            (iso_at(25), iso_at(35), 1)])
        self.assertEqual((o["late_lines"], o["pending_lines"]), (3, 3))
        self.assertEqual(o["total"]["lines"]["total"] + o["pending_lines"], written)

        # Phase 4: 50 s is 12 s behind 62 s (late: the window ending at 55 s is passed);
        # 58 s is 4 s behind, within the allowed lateness: its window ending at 60 s is not
        # passed by the watermark (57 s), so it is on time.
        n = s.count()
        phase([(50, "r", True), (58, "s", False)])
        s.proc.stdin.close()
        final = s.finish(None)
        self.assertEqual(windows_after(n), [(iso_at(50), iso_at(60), 1),
                                            (iso_at(55), iso_at(65), 4),
                                            (iso_at(60), iso_at(70), 3)])
        self.assertEqual((final["late_lines"], final["pending_lines"]), (4, 0))
        self.assertEqual(final["total"]["lines"], {"total": written, "parsed": written - 1,
                                                   "invalid": 1})
        # Every published window holds exactly its on-time lines.
        for o in s.objects:
            start, end = (epoch_ms(o[k]) // 1000 - int(BASE.timestamp())
                          for k in ("window_start", "window_end"))
            want = window_doc(start, end)
            where = f"window {o['window_start']} .. {o['window_end']}"
            self.assertIsNotNone(want, f"{where}: empty windows are not published")
            self.assertDocEqual(o["window"], want, where, skip=("invalid_samples",))
            self.assertEqual(o["window"]["invalid_samples"], [])
        all_rows = [ln for _, ln in timed] + [b"an invalid line"]
        self.assertTotalMatches(final, [lines(*all_rows)], "event time")


# ------------------------------------------------------------------------------------------
# Checkpoints
# ------------------------------------------------------------------------------------------

class Checkpoints(StreamTestCase):

    def test_kill_9_and_restart_counts_every_line_once(self):
        d, ck = self.tmp / "logs", self.tmp / "ck"
        d.mkdir()
        args = ["--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                "--checkpoint", ck, "--checkpoint-interval", "200ms", d]
        data = make_log(9000, 90)
        state = {"pos": 0, "file": open(d / "access.log", "ab", buffering=0)}
        lock = threading.Lock()
        stop = threading.Event()

        def writer():
            rnd = random.Random(91)
            while state["pos"] < len(data) and not stop.is_set():
                with lock:
                    piece = data[state["pos"]:state["pos"] + rnd.randint(1, 400)]
                    state["file"].write(piece)
                    state["pos"] += len(piece)
                time.sleep(0.003)

        t = threading.Thread(target=writer)
        self.addCleanup(lambda: (stop.set(), t.join(timeout=WAIT), state["file"].close()))
        t.start()
        seen = 0
        for round_ in range(3):
            s = self.stream(*args)
            if round_:
                s.wait_stderr(r"resuming from checkpoint", "the checkpoint resumed")
            s.wait_object(lambda x: x["total"]["lines"]["total"] > seen + 100,
                          f"progress in round {round_}")
            deadline = time.monotonic() + WAIT
            while not (ck / "stream.checkpoint").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertTrue((ck / "stream.checkpoint").exists(), "a checkpoint was written")
            s.kill9()
            seen = max(x["total"]["lines"]["total"] for x in s.objects)
            self.assertLessEqual(seen, data[:state["pos"]].count(b"\n"))
            if round_ == 1:
                # Rotation while logan is down: the restarted logan finds the file renamed.
                with lock:    # a server finishes its line before it reopens its log
                    pos = state["pos"]
                    end = data.index(b"\n", pos) + 1 if pos < len(data) else len(data)
                    state["file"].write(data[state["pos"]:end])
                    state["pos"] = end
                    state["file"].close()
                    os.rename(d / "access.log", d / "access.log.1")
                    state["file"] = open(d / "access.log", "ab", buffering=0)
        s = self.stream(*args)
        t.join(timeout=120)
        self.assertFalse(t.is_alive(), "the writer finished")
        self.assertEqual(state["pos"], len(data))
        s.wait_total(count_lines(data), "after the last restart")
        s.settle(1.0)
        final = s.finish()
        self.assertDocEqual(final["total"], self.batch_json("--format", "common", d),
                            "all lines exactly once", skip=("invalid_samples",))

    def test_restart_resumes_totals(self):
        d, ck = self.tmp / "logs", self.tmp / "ck"
        d.mkdir()
        args = ["--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                "--checkpoint", ck, d]
        a = make_log(100, 95)
        (d / "a.log").write_bytes(a)
        s = self.stream(*args)
        s.wait_total(count_lines(a))
        s.finish()
        self.assertTrue((ck / "stream.checkpoint").is_file())
        b = make_log(50, 96)
        with open(d / "a.log", "ab") as f:       # written while logan is down
            f.write(b)
        head = a[: a.index(b"\n", 3000) + 1]      # starts like a.log: still another file
        (d / "b.log").write_bytes(head)
        s = self.stream(*args)
        s.wait_stderr(r"resuming from checkpoint .*\(%d lines so far\)" % count_lines(a))
        s.wait_total(count_lines(a, b, head))
        final = s.finish()
        self.assertTotalMatches(final, [a, b, head], "after a clean restart")


class Errors(StreamTestCase):

    def run_stream(self, *args):
        return self.run_logan("stream", *args, timeout=WAIT)

    def make_checkpoint(self, ck) -> bytes:
        d = self.tmp / "logs"
        d.mkdir(exist_ok=True)
        (d / "a.log").write_bytes(make_log(50, 100))
        s = self.stream("--json", "--format", "common", "--slide", SLIDE, "--window", WINDOW,
                        "--checkpoint", ck, d)
        s.wait_total(50)
        s.finish()
        return (ck / "stream.checkpoint").read_bytes()

    def test_bad_checkpoints(self):
        ck = self.tmp / "ck"
        good = self.make_checkpoint(ck)
        path = ck / "stream.checkpoint"
        args = ["--json", "--format", "common", "--checkpoint", ck, self.tmp / "logs"]
        garbage = random.Random(1).randbytes(300)
        flipped = bytearray(good)
        flipped[len(good) // 2] ^= 0x40
        batch_partial = self.tmp / "partial.bin"
        r = self.run_logan("batch", "--format", "common", "--emit-partial", batch_partial,
                           self.tmp / "logs" / "a.log")
        self.assertEqual(r.returncode, 0, r.describe())
        cases = {"garbage": garbage, "truncated": good[: len(good) // 2],
                 "cut by one byte": good[:-1], "a flipped bit": bytes(flipped), "empty": b"",
                 "a logan batch partial file": batch_partial.read_bytes()}
        for what, content in cases.items():
            with self.subTest(checkpoint=what):
                path.write_bytes(content)
                r = self.run_stream(*args)
                self.assertOneLineError(r, str(path))
                self.assertEqual(path.read_bytes(), content, "a bad checkpoint is left alone")
        # The other time mode's checkpoint is refused too.
        path.write_bytes(good)
        r = self.run_stream("--json", "--format", "common", "--event-time", "--checkpoint", ck,
                            self.tmp / "logs")
        self.assertOneLineError(r, str(path))

    def test_missing_sources(self):
        d = self.tmp / "logs"
        d.mkdir()
        for src in ("missing-dir", "missing-dir/*.log", "logs/missing.log", "logs/sub/x.log"):
            with self.subTest(source=src):
                r = self.run_logan("stream", "--json", src, cwd=self.tmp, timeout=WAIT)
                self.assertOneLineError(r, src)
        for src in ("tcp://no-port", "listen://127.0.0.1:99999", "ftp://example.com/x"):
            with self.subTest(source=src):
                r = self.run_stream("--json", src)
                self.assertOneLineError(r, src)

    def test_bad_window_and_slide(self):
        d = self.tmp / "logs"
        d.mkdir()
        cases = [(["--window", "7s", "--slide", "2s"], "--window"),
                 (["--window", "1s", "--slide", "2s"], "--window"),
                 (["--window", "abc"], "--window"), (["--slide", "0s"], "--slide"),
                 (["--slide", "-5s"], "--slide"), (["--slide", "0.1ms"], "--slide"),
                 (["--window", "1.5s", "--slide", "1s"], "--window"),
                 (["--event-time", "--allowed-lateness", "x"], "--allowed-lateness"),
                 (["--checkpoint-interval", "0ms", "--checkpoint", self.tmp / "ck"],
                  "--checkpoint-interval"),
                 (["--poll", "soon"], "--poll")]
        for extra, name in cases:
            with self.subTest(args=extra):
                r = self.run_stream("--json", *extra, d)
                self.assertOneLineError(r, name)

    def test_two_instances_on_one_checkpoint_directory(self):
        d, ck = self.tmp / "logs", self.tmp / "ck"
        d.mkdir()
        a = make_log(30, 110)
        (d / "a.log").write_bytes(a)
        first = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                            "--checkpoint", ck, d)
        first.wait_total(count_lines(a))
        r = self.run_stream("--json", "--format", "common", "--checkpoint", ck, d)
        self.assertOneLineError(r, str(ck))
        b = make_log(20, 111)
        (d / "b.log").write_bytes(b)
        first.wait_total(count_lines(a, b))
        final = first.finish()
        self.assertTotalMatches(final, [a, b], "the first instance carries on")


# ------------------------------------------------------------------------------------------
# The HTML page
# ------------------------------------------------------------------------------------------

class PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


class HtmlPage(StreamTestCase):

    def test_log_content_is_escaped(self):
        d = self.tmp / "logs<i onclick=alert(7)>"
        d.mkdir()
        page = self.tmp / "page.html"
        hostile = {
            "endpoint": "/<script>alert(1)</script>",
            "invalid line": "<img src=x onerror=alert(1)>",
            "client": "<svg/onload=alert(3)>",
            "quoted endpoint": '/"><script>alert(4)</script>',
            "entity": "/&amp;x<",
        }
        rows = [clf(request=f"GET {hostile['endpoint']} HTTP/1.1")] * 3 + [
            hostile["invalid line"].encode(),
            clf(ip=hostile["client"]), clf(ip=hostile["client"]),
            clf(request=f"GET {hostile['quoted endpoint']} HTTP/1.1"),
            clf(request=f"GET {hostile['entity']} HTTP/1.1")]
        data = lines(*rows)
        s = self.stream("--json", "--format", "common", "--window", WINDOW, "--slide", SLIDE,
                        "--ip-threshold", "0", "--output-html", page, d)
        (d / "a.log").write_bytes(data)
        (d / "<b onmouseover=alert(5)>.log").write_bytes(b"<i>invalid</i>\n")
        s.wait_total(count_lines(data) + 1)
        # The page is replaced atomically: a reader always sees a whole page.
        for i in range(40):
            if i % 10 == 0:
                s.wait_slides(1)
            text = page.read_bytes()
            self.assertTrue(text.rstrip().endswith(b"</html>"), f"a whole page: {text[-200:]!r}")
        s.wait_slides(1)
        running = page.read_text("utf-8")
        final = s.finish()
        self.assertEqual(final["total"]["lines"]["total"], count_lines(data) + 1)
        for what, doc in (("while running", running), ("final", page.read_text("utf-8"))):
            with self.subTest(page=what):
                low = doc.lower()
                for raw in ("<script", "<img", "<svg", "<b onmouseover", "<i onclick", "<i>"):
                    self.assertNotIn(raw, low, f"{raw!r} appears unescaped")
                p = PageParser()
                p.feed(doc)
                p.close()
                names = [t for t, _ in p.tags]
                self.assertNotIn("script", names)
                for tag, attrs in p.tags:
                    for k, _ in attrs:
                        self.assertFalse(k.lower().startswith("on"), f"<{tag} {k}=...>")
                shown = "".join(p.text)
                for what_, v in hostile.items():
                    self.assertIn(v, shown, f"the {what_} is shown as text")
                self.assertIn("<b onmouseover=alert(5)>.log", shown, "file name shown as text")
                self.assertIn("<i>invalid</i>", shown)
                csp = [dict(a) for t, a in p.tags if t == "meta" and
                       dict(a).get("http-equiv", "").lower() == "content-security-policy"]
                self.assertEqual(len(csp), 1, "one Content-Security-Policy meta")
                directives = {}
                for part in csp[0].get("content", "").split(";"):
                    words = part.split()
                    if words:
                        directives[words[0].lower()] = words[1:]
                script = directives.get("script-src", directives.get("default-src"))
                self.assertEqual(script, ["'none'"], f"scripts forbidden: {csp[0]}")


if __name__ == "__main__":
    logan_cli.main()
