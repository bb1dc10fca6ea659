#!/usr/bin/env python3
"""`logan ship`: lines piped in (as Apache's piped logs do), files read once and followed, go to a
Kafka topic of librdkafka's mock cluster (tests/kafka/kafka_mock_cluster) and are read back with
kcat: every line arrives exactly once, whatever the compression, the key or the message size,
also across a broker outage and injected produce errors. With no broker to talk to, `--on-full
drop` drops and says how many lines, `--on-full block` stops reading (back-pressure on the
writer) until SIGTERM, and both report what they could not deliver and exit non-zero.

Waits are generous and poll for what should happen; nothing asserts how long anything took.

    LOGAN=build/logan KAFKA_MOCK_CLUSTER=build/tests/kafka/kafka_mock_cluster \\
        python3 tests/e2e/test_ship.py
"""
from __future__ import annotations

import collections
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402

WAIT = 60.0  # seconds to wait for anything that should happen
FAST_RECONNECT = ["-X", "reconnect.backoff.max.ms=200"]


def numbered_lines(n: int, tag: str = "line", start: int = 0) -> bytes:
    """n distinct lines (with an access-log look), each ending with a newline."""
    return b"".join(
        f'192.0.2.{i % 250} - - [07/Mar/2024:10:00:00 +0000] "GET /{tag}/{i} HTTP/1.1" 200 {i}\n'
        .encode() for i in range(start, start + n))


def as_lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")


def free_port() -> int:
    """A local port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting ({timeout:.0f} s) for {what}")
        time.sleep(0.05)


class MockCluster:
    """A running kafka_mock_cluster; command() sends one fault-injection command."""

    def __init__(self, exe: str, brokers: int = 3, topics=("logs:4",)):
        args = [exe, "--brokers", str(brokers)]
        for t in topics:
            args += ["--topic", t]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.bootstrap = self._reply("the bootstrap address")

    def _reply(self, what: str) -> str:
        box = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(WAIT)
        if not box or not box[0]:
            raise AssertionError(f"kafka_mock_cluster gave no {what}; stderr: "
                                 f"{self.proc.stderr.read() if self.proc.poll() is not None else ''}")
        return box[0].strip()

    def command(self, line: str):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self._reply(f"answer to {line!r}")
        if reply != "ok":
            raise AssertionError(f"kafka_mock_cluster: {line!r} -> {reply!r}")

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


class ShipProc:
    """A running `logan ship`: a thread feeds its stdin (counting the bytes it took) and another
    collects its stderr lines."""

    def __init__(self, logan: str, args, data: bytes | None = None, cwd=None):
        self.cmd = [logan, "ship", *map(str, args)]
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE if data is not None
                                     else subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd)
        self.written = 0
        self.err_lines: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._read_stderr, daemon=True)]
        if data is not None:
            self.threads.append(threading.Thread(target=self._feed, args=(data,), daemon=True))
        for t in self.threads:
            t.start()

    def _feed(self, data: bytes):
        try:
            for i in range(0, len(data), 16384):
                self.proc.stdin.write(data[i:i + 16384])
                self.proc.stdin.flush()
                with self.lock:
                    self.written += len(data[i:i + 16384])
        except (BrokenPipeError, ValueError):
            pass
        finally:
            try:
                self.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self.lock:
                self.err_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def bytes_written(self) -> int:
        with self.lock:
            return self.written

    def stderr_lines(self) -> list[str]:
        with self.lock:
            return list(self.err_lines)

    def wait_for_stderr(self, pattern: str) -> re.Match:
        found = []

        def seen():
            for line in self.stderr_lines():
                if m := re.search(pattern, line):
                    found.append(m)
                    return True
            if self.proc.poll() is not None:
                raise AssertionError(f"logan exited before printing {pattern!r}" + self.describe())
            return False
        wait_until(seen, f"stderr matching {pattern!r}; so far: {self.stderr_lines()}")
        return found[0]

    def finish(self) -> int:
        """Waits for logan to exit (a hang guard, not a timing check); its exit status."""
        try:
            rc = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"logan ship did not exit within {WAIT:.0f} s" + self.describe())
        for t in self.threads:
            t.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def describe(self) -> str:
        return (f"\n  command: {' '.join(self.cmd)}\n  exit status: {self.proc.poll()}"
                f"\n  stderr: {self.stderr_lines()}")


class ShipTestCase(logan_cli.LoganTestCase):
    mock_exe = ""
    kcat = ""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Without LOGAN the suite is skipped (as every e2e suite is); with it, a missing helper
        # or kcat is a failure: dev/install-deps installs kcat and the build makes the helper.
        exe = os.environ.get("KAFKA_MOCK_CLUSTER") or str(
            Path(cls.logan).parent / "tests" / "kafka" / "kafka_mock_cluster")
        if not os.access(exe, os.X_OK):
            raise AssertionError(f"kafka_mock_cluster not found at {exe}: build the "
                                 "kafka_mock_cluster target or set KAFKA_MOCK_CLUSTER")
        cls.mock_exe = exe
        cls.kcat = shutil.which("kcat") or ""
        if not cls.kcat:
            raise AssertionError("kcat is not installed (dev/install-deps installs it)")

    def cluster(self, brokers=3, topics=("logs:4",)) -> MockCluster:
        c = MockCluster(self.mock_exe, brokers, topics)
        self.addCleanup(c.close)
        return c

    def ship(self, args, data: bytes | None = None, cwd=None) -> ShipProc:
        p = ShipProc(self.logan, args, data, cwd)
        self.addCleanup(p.kill)
        return p

    def ship_all(self, cluster: MockCluster, data: bytes, *args, topic="logs") -> ShipProc:
        """Pipes data into `logan ship` and asserts it delivered everything (exit status 0,
        nothing on stderr)."""
        p = self.ship(["--brokers", cluster.bootstrap, "--topic", topic, *args], data)
        rc = p.finish()
        self.assertEqual(rc, 0, "logan ship should deliver everything" + p.describe())
        self.assertEqual(p.stderr_lines(), [], "nothing to report" + p.describe())
        return p

    def consume(self, cluster: MockCluster, topic="logs", fmt="%s\\n") -> bytes:
        """Everything in the topic, from the beginning of every partition, as kcat prints it."""
        r = subprocess.run([self.kcat, "-b", cluster.bootstrap, "-t", topic, "-C", "-e", "-q",
                            "-o", "beginning", "-f", fmt],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=WAIT)
        self.assertEqual(r.returncode, 0, f"kcat failed: {r.stderr!r}")
        return r.stdout

    def assertSameLines(self, got: bytes, want: bytes, what=""):
        """The same lines, each as many times (order across partitions is Kafka's)."""
        g = collections.Counter(as_lines(got))
        w = collections.Counter(as_lines(want))
        if g != w:
            missing = sum((w - g).values())
            extra = sum((g - w).values())
            self.fail(f"{what}: {missing} lines missing, {extra} extra or duplicated "
                      f"(got {sum(g.values())}, want {sum(w.values())}); e.g. missing "
                      f"{list((w - g))[:2]}, extra {list((g - w))[:2]}")


class Delivery(ShipTestCase):

    def test_every_generated_line_arrives_exactly_once(self):
        c = self.cluster()
        data = self.run_logan("gen", "--lines", 15000, "--seed", 7).stdout
        self.ship_all(c, data, "--key", "none")
        self.assertSameLines(self.consume(c), data, "--key none")

    def test_default_key_is_the_host_name_and_keeps_lines_in_one_partition_in_order(self):
        c = self.cluster()
        data = numbered_lines(5000)
        self.ship_all(c, data, "--message-bytes", "2KiB")
        keyed = self.consume(c, fmt="%p %k\\n")
        pairs = set(as_lines(keyed))
        self.assertEqual(len(pairs), 1, f"one partition and one key, got {pairs}")
        self.assertEqual(pairs.pop().split(b" ", 1)[1], socket.gethostname().encode())
        self.assertEqual(as_lines(self.consume(c)), as_lines(data), "one partition: in order")

    def test_explicit_key(self):
        c = self.cluster()
        self.ship_all(c, numbered_lines(100), "--key", "web-7")
        self.assertEqual(set(as_lines(self.consume(c, fmt="%k\\n"))), {b"web-7"})

    def test_every_compression_codec(self):
        codecs = ["none", "gzip", "snappy", "lz4", "zstd"]
        c = self.cluster(topics=[f"c-{k}:2" for k in codecs])
        for k in codecs:
            with self.subTest(compression=k):
                data = numbered_lines(3000, tag=k)
                self.ship_all(c, data, "--compression", k, "--key", "none", topic=f"c-{k}")
                self.assertSameLines(self.consume(c, topic=f"c-{k}"), data, k)

    def test_several_lines_per_message_or_one(self):
        c = self.cluster(topics=["many:1", "one:1", "two:1"])
        data = numbered_lines(1000)
        self.ship_all(c, data, topic="many")
        self.ship_all(c, data, "--lines-per-message", 1, topic="one")
        self.ship_all(c, data, "--lines-per-message", 2, topic="two")
        offsets = {t: len(as_lines(self.consume(c, topic=t, fmt="%o\\n")))
                   for t in ("many", "one", "two")}
        self.assertLess(offsets["many"], 100, "many lines per message by default")
        self.assertEqual(offsets["one"], 1000)
        self.assertEqual(offsets["two"], 500)
        for t in offsets:
            self.assertSameLines(self.consume(c, topic=t), data, t)

    def test_message_bytes_bounds_each_message(self):
        c = self.cluster(topics=["small:1"])
        data = numbered_lines(2000) + b"x" * 3000 + b"\n"   # one line longer than a message
        self.ship_all(c, data, "--message-bytes", "1KiB", topic="small")
        sizes = [int(s) for s in as_lines(self.consume(c, topic="small", fmt="%S\\n"))]
        self.assertEqual(max(sizes), 3000, "the long line goes alone")
        self.assertLessEqual(sorted(sizes)[-2], 1024)
        self.assertSameLines(self.consume(c, topic="small"), data)

    def test_kcat_and_logan_share_a_topic(self):
        c = self.cluster()
        ours = numbered_lines(2000, tag="logan")
        theirs = numbered_lines(2000, tag="kcat")
        r = subprocess.run([self.kcat, "-b", c.bootstrap, "-t", "logs", "-P"], input=theirs,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=WAIT)
        self.assertEqual(r.returncode, 0, f"kcat -P: {r.stderr!r}")
        self.ship_all(c, ours)
        self.assertSameLines(self.consume(c), ours + theirs)

    def test_files_read_once_compressed_or_not_and_stdin_dash(self):
        c = self.cluster()
        a, b, s = numbered_lines(1000, "a"), numbered_lines(1000, "b"), numbered_lines(500, "s")
        self.write("a.log", a + b"last line without newline")
        (self.tmp / "b.log.gz").write_bytes(gzip.compress(b))
        p = self.ship(["--brokers", c.bootstrap, "-t", "logs", "a.log", "b.log.gz", "-"], s,
                      cwd=self.tmp)
        self.assertEqual(p.finish(), 0, p.describe())
        self.assertSameLines(self.consume(c), a + b"last line without newline\n" + b + s)

    def test_follow_a_file_through_rotation_until_sigterm(self):
        c = self.cluster()
        log = self.tmp / "access.log"
        first, second, third = (numbered_lines(500, t) for t in ("one", "two", "three"))
        log.write_bytes(first)
        p = self.ship(["--brokers", c.bootstrap, "-t", "logs", "--follow", log])

        def arrived(n):
            return lambda: len(as_lines(self.consume(c))) >= n
        wait_until(arrived(500), "the lines already in the file")
        with log.open("ab") as f:
            f.write(second)
        wait_until(arrived(1000), "the lines appended")
        log.rename(self.tmp / "access.log.1")
        log.write_bytes(third)
        wait_until(arrived(1500), "the lines of the new file after rotation")
        p.proc.send_signal(signal.SIGTERM)
        self.assertEqual(p.finish(), 0, p.describe())
        self.assertSameLines(self.consume(c), first + second + third)


class Faults(ShipTestCase):

    def test_brokers_down_then_up_nothing_lost_nothing_twice(self):
        c = self.cluster()
        c.command("down all")
        data = numbered_lines(20000)
        p = self.ship(["--brokers", c.bootstrap, "-t", "logs", "--key", "none",
                       *FAST_RECONNECT], data)
        p.wait_for_stderr(r"^logan: kafka: .*\(lines are kept and retried\)$")
        wait_until(lambda: p.bytes_written() == len(data), "logan to read all its input")
        c.command("up all")
        self.assertEqual(p.finish(), 0, p.describe())
        self.assertIn("logan: kafka: delivering again", p.stderr_lines())
        self.assertSameLines(self.consume(c), data)

    def test_one_broker_down_then_up(self):
        c = self.cluster()
        c.command("down 2")
        data = numbered_lines(10000)
        p = self.ship(["--brokers", c.bootstrap, "-t", "logs", "--key", "none",
                       *FAST_RECONNECT], data)
        wait_until(lambda: p.bytes_written() == len(data), "logan to read all its input")
        c.command("up 2")
        self.assertEqual(p.finish(), 0, p.describe())
        self.assertSameLines(self.consume(c), data)

    def test_retried_produce_errors_do_not_duplicate(self):
        c = self.cluster()
        # The next produce requests fail: NOT_ENOUGH_REPLICAS (19, not persisted),
        # REQUEST_TIMED_OUT (7, possibly persisted) and a dropped connection (-195). All are
        # retried, and every line must be written exactly once.
        # One request in flight per connection: the mock cluster of librdkafka 2.0 (Debian 12)
        # does not check producer sequence numbers, so when it drops a connection, requests
        # pipelined behind the failed one that it had already written lose their answers and
        # are written again on retry, where a real broker would recognise them as duplicates
        # (seen in about 1 run in 13 on a loaded machine). With one in flight, every retry
        # here is of a request the mock refused: this checks logan's handling of the errors
        # (nothing lost, nothing produced twice by logan itself), not the brokers'
        # deduplication, which this mock cannot show.
        for errors in ("error 0 19 2", "error 0 7 2", "error 0 -195 2"):
            c.command(errors)
        data = numbered_lines(5000)
        self.ship_all(c, data, "--key", "none", "--message-bytes", "4KiB",
                      "-X", "max.in.flight.requests.per.connection=1")
        self.assertSameLines(self.consume(c), data)

    def test_drop_policy_without_brokers_drops_reports_and_exits(self):
        data = numbered_lines(60000)
        p = self.ship(["--brokers", f"127.0.0.1:{free_port()}", "-t", "logs", "--on-full", "drop",
                       "--buffer", "1MiB", "--flush-timeout", "1s"], data)
        rc = p.finish()
        self.assertNotEqual(rc, 0, "lines were lost" + p.describe())
        err = p.stderr_lines()
        self.assertTrue(any("dropping lines until there is room" in l for l in err), p.describe())
        dropped = [int(m.group(1)) for l in err
                   if (m := re.fullmatch(r"logan: dropped (\d+) lines \(buffer full\)", l))]
        lost = [int(m.group(1)) for l in err
                if (m := re.fullmatch(r"logan: (\d+) lines not delivered within the flush "
                                      r"timeout \(1s\) and lost", l))]
        self.assertEqual(len(dropped), 1, "one final drop summary" + p.describe())
        self.assertEqual(len(lost), 1, "one report of lost lines" + p.describe())
        self.assertGreater(dropped[0], 0)
        self.assertEqual(dropped[0] + lost[0], 60000, "every line dropped or lost, and said so")

    def test_block_policy_stops_reading_and_sigterm_flushes_reports_and_exits(self):
        data = numbered_lines(300000)   # about 25 MB: far more than logan may hold
        p = self.ship(["--brokers", f"127.0.0.1:{free_port()}", "-t", "logs", "--on-full",
                       "block", "--buffer", "1MiB", "--flush-timeout", "2s"], data)
        # logan holds at most the buffer, a read or two and the pipe: once the writer has
        # passed that, logan has blocked with a full buffer.
        wait_until(lambda: p.bytes_written() > (1 << 20), "logan to fill its buffer")
        p.proc.send_signal(signal.SIGTERM)
        rc = p.finish()
        self.assertNotEqual(rc, 0, "lines were not delivered" + p.describe())
        self.assertLess(p.bytes_written(), len(data) // 2,
                        "block stops reading: the writer waits" + p.describe())
        self.assertTrue(any(re.fullmatch(r"logan: \d+ lines not delivered within the flush "
                                         r"timeout \(2s\) and lost", l)
                            for l in p.stderr_lines()), p.describe())
        self.assertFalse(any("dropped" in l for l in p.stderr_lines()), p.describe())


class RotatingWriter:
    """Writes numbered access-log lines into DIR/access.log from a thread of its own, as a web
    server does (appends whole lines), and rotates the log the way logrotate and `nginx -s
    reopen` do: access.log.1 becomes access.log.2, access.log becomes access.log.1, and the
    writer reopens a new access.log."""

    def __init__(self, directory: Path, total: int, per_tick: int = 40, tick: float = 0.01):
        self.dir = directory
        self.total = total
        self.per_tick = per_tick
        self.tick = tick
        self.written = 0
        self.lock = threading.Lock()
        self.rotate_now = threading.Event()
        self.paused = threading.Event()
        self.rotations = 0
        self.all_lines: list[bytes] = []
        self.f = (self.dir / "access.log").open("ab")
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _rotate(self):
        self.f.close()
        if (self.dir / "access.log.1").exists():
            (self.dir / "access.log.1").rename(self.dir / "access.log.2")
        (self.dir / "access.log").rename(self.dir / "access.log.1")
        self.f = (self.dir / "access.log").open("ab")
        self.rotations += 1

    def _run(self):
        while self.written < self.total:
            if self.rotate_now.is_set():
                self._rotate()
                self.rotate_now.clear()
            if self.paused.is_set():
                time.sleep(self.tick)
                continue
            n = min(self.per_tick, self.total - self.written)
            chunk = numbered_lines(n, tag="r", start=self.written)
            self.f.write(chunk)
            self.f.flush()
            with self.lock:
                self.all_lines.extend(as_lines(chunk))
                self.written += n
            time.sleep(self.tick)
        self.f.close()

    def count(self) -> int:
        with self.lock:
            return self.written

    def rotate(self):
        """Rotates at once (between two writes) and waits until it is done."""
        self.rotate_now.set()
        wait_until(lambda: not self.rotate_now.is_set() or not self.thread.is_alive(), "the rotation")

    def join(self):
        self.thread.join(timeout=WAIT)
        return b"".join(l + b"\n" for l in self.all_lines)


class Checkpoint(ShipTestCase):
    """`logan ship --follow --checkpoint`: a log that grows and is rotated twice, once while
    logan is stopped, with logan killed (kill -9) four times while it ships: no line lost, and
    with --exactly-once none twice."""

    def kill_and_restart_scenario(self, *mode) -> tuple[bytes, bytes, list[str]]:
        c = self.cluster()
        d = self.tmp / "logs"
        d.mkdir()
        ck = self.tmp / "ck"
        writer = RotatingWriter(d, total=30000, per_tick=20)
        self.addCleanup(writer.thread.join, 10)
        args = ["--brokers", c.bootstrap, "-t", "logs", "--follow", d / "access.log",
                "--checkpoint", ck, "--checkpoint-interval", "200ms", *mode]
        stderr: list[str] = []
        for kill in range(4):
            before = len(as_lines(self.consume(c)))
            p = self.ship(args)
            start = writer.count()
            # Kill it while it ships: once it has delivered lines of its own (a slow start, as
            # under the sanitizers, must not make a run that never shipped anything) and the
            # writer has gone on meanwhile.
            wait_until(lambda: len(as_lines(self.consume(c))) > before + 200, "this run to ship")
            wait_until(lambda: writer.count() > start + 1000 or writer.count() == writer.total,
                       "the writer to go on")
            time.sleep(0.05 * kill)
            p.proc.kill()
            p.proc.wait()
            p.finish()
            stderr += p.stderr_lines()
            if kill == 1:
                writer.rotate()   # while logan runs it would follow; now it is stopped
                time.sleep(0.2)
            if kill == 2:
                # Lines written while logan is stopped, then the rotation: logrotate's work.
                writer.paused.set()
                writer.rotate()
                writer.paused.clear()
        p = self.ship(args)
        data = writer.join()
        self.assertEqual(writer.rotations, 2)
        want = collections.Counter(as_lines(data))

        def all_there():
            return set(want) <= set(as_lines(self.consume(c)))
        try:
            wait_until(all_there, "every line written to reach the topic")
        except AssertionError as e:
            missing = set(want) - set(as_lines(self.consume(c)))
            raise AssertionError(f"{e}: {len(missing)} missing, e.g. {sorted(missing)[:3]}; "
                                 f"stderr of the runs: {stderr + p.stderr_lines()}") from None
        p.proc.send_signal(signal.SIGTERM)
        self.assertEqual(p.finish(), 0, p.describe())
        stderr += p.stderr_lines()
        return self.consume(c), data, stderr

    def test_at_least_once_loses_nothing_across_kills_and_rotations(self):
        got, data, stderr = self.kill_and_restart_scenario()
        g = collections.Counter(as_lines(got))
        w = collections.Counter(as_lines(data))
        self.assertEqual(w - g, collections.Counter(), "no line lost")
        self.assertEqual(set(g), set(w), "nothing but the lines written")
        self.assertTrue(any("resuming after an unclean stop" in l for l in stderr), stderr)

    def test_exactly_once_ships_every_line_once_across_kills_and_rotations(self):
        got, data, stderr = self.kill_and_restart_scenario("--exactly-once")
        self.assertSameLines(got, data, "--exactly-once after four kill -9 and two rotations")
        self.assertTrue(any("read" in l and "back from the topic" in l for l in stderr), stderr)

    def ship_until(self, c: MockCluster, args, lines: int) -> ShipProc:
        """Runs `logan ship` until the topic holds `lines` lines, stops it with SIGTERM and
        checks that it exits 0."""
        p = self.ship(args)
        wait_until(lambda: len(as_lines(self.consume(c))) >= lines, f"{lines} lines in the topic")
        p.proc.send_signal(signal.SIGTERM)
        self.assertEqual(p.finish(), 0, p.describe())
        return p

    def test_clean_stop_and_restart_sends_nothing_twice(self):
        c = self.cluster()
        log = self.tmp / "access.log"
        log.write_bytes(numbered_lines(1000, "a"))
        args = ["--brokers", c.bootstrap, "-t", "logs", "--follow", log, "--checkpoint",
                self.tmp / "ck"]
        p = self.ship_until(c, args, 1000)
        self.assertEqual(p.stderr_lines(), [], p.describe())
        with log.open("ab") as f:
            f.write(numbered_lines(500, "b"))
        p = self.ship_until(c, args, 1500)
        self.assertEqual(p.stderr_lines(), [], p.describe())
        self.assertSameLines(self.consume(c), numbered_lines(1000, "a") + numbered_lines(500, "b"))

    def test_a_rotated_file_deleted_while_stopped_is_reported(self):
        c = self.cluster()
        log = self.tmp / "access.log"
        log.write_bytes(numbered_lines(300, "a"))
        args = ["--brokers", c.bootstrap, "-t", "logs", "--follow", log, "--checkpoint",
                self.tmp / "ck"]
        self.ship_until(c, args, 300)
        with log.open("ab") as f:
            f.write(numbered_lines(100, "lost"))
        log.unlink()   # rotated and compressed away (or deleted) while logan was stopped
        log.write_bytes(numbered_lines(50, "new"))
        p = self.ship_until(c, args, 350)
        gone = [l for l in p.stderr_lines() if "is gone" in l]
        self.assertEqual(len(gone), 1, p.describe())
        self.assertIn("access.log", gone[0])
        self.assertIn("shipped up to byte", gone[0])
        self.assertSameLines(self.consume(c), numbered_lines(300, "a") + numbered_lines(50, "new"))

    def test_bad_and_foreign_checkpoints_are_refused(self):
        c = self.cluster(topics=("logs:1", "other:1"))
        log = self.tmp / "access.log"
        log.write_bytes(numbered_lines(10))
        ck = self.tmp / "ck"
        args = ["--brokers", c.bootstrap, "--follow", log, "--checkpoint", ck]
        self.ship_until(c, [*args, "-t", "logs"], 10)
        r = self.run_logan("ship", *args, "-t", "other", timeout=WAIT)
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "topic 'logs'", r)
        r = self.run_logan("ship", "--brokers", "127.0.0.1:1", "--follow", log, "--checkpoint", ck,
                           "-t", "logs", timeout=WAIT)
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "brokers", r)
        state = ck / "ship.checkpoint"
        raw = bytearray(state.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        state.write_bytes(bytes(raw))
        r = self.run_logan("ship", *args, "-t", "logs", timeout=WAIT)
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "ship.checkpoint", r)
        self.assertEqual(state.read_bytes(), bytes(raw), "a refused checkpoint is left as it was")

    def test_usage_errors(self):
        b = ["--brokers", "127.0.0.1:9092", "--topic", "t"]
        log = self.write("a.log", numbered_lines(1))
        ck = self.tmp / "ck"
        cases = [
            ([*b, "--checkpoint", ck, log], "--follow"),
            ([*b, "--follow", "--checkpoint", ck, "-"], "stdin"),
            ([*b, "--follow", "--checkpoint", ck], "stdin"),
            ([*b, "--follow", "--exactly-once", log], "--checkpoint"),
            ([*b, "--follow", "--checkpoint", ck, "--exactly-once", "--on-full", "drop", log],
             "--on-full drop"),
            ([*b, "--follow", "--checkpoint", ck, "--exactly-once", "--key", "none", log],
             "--key none"),
            ([*b, "--follow", "--checkpoint", ck, "--checkpoint-interval", "soon", log],
             "--checkpoint-interval"),
        ]
        for args, name in cases:
            with self.subTest(args=args):
                r = self.run_logan("ship", *args, stdin=b"", timeout=WAIT)
                self.assertEqual(r.returncode, 2, r.describe())
                self.assertOneLineNaming(r.stderr, name, r)


class Usage(ShipTestCase):

    def assertUsageError(self, args, name):
        r = self.run_logan("ship", *args, stdin=b"", timeout=WAIT)
        self.assertEqual(r.returncode, 2, "exit status 2" + r.describe())
        self.assertOneLineNaming(r.stderr, name, r)

    def test_missing_brokers_or_topic(self):
        self.assertUsageError(["--topic", "t"], "--brokers")
        self.assertUsageError(["--brokers", "127.0.0.1:9092"], "--topic")

    def test_bad_properties_and_values(self):
        b = ["--brokers", "127.0.0.1:9092", "--topic", "t"]
        self.assertUsageError([*b, "-X", "no.such.property=1"], "no.such.property")
        self.assertUsageError([*b, "-X", "acks=sometimes"], "acks")
        self.assertUsageError([*b, "-X", "acks"], "acks")
        self.assertUsageError([*b, "--buffer", "lots"], "--buffer")
        self.assertUsageError([*b, "--message-bytes", "0"], "--message-bytes")
        self.assertUsageError([*b, "--compression", "brotli"], "compression")
        self.assertUsageError([*b, "--on-full", "ignore"], "on-full")
        self.assertUsageError([*b, "--flush-timeout", "soon"], "--flush-timeout")
        self.assertUsageError([*b, str(self.tmp / "missing.log")], "missing.log")


if __name__ == "__main__":
    logan_cli.main()
