#!/usr/bin/env python3
"""`logan stream kafka://...`: consuming a topic of librdkafka's mock cluster
(tests/kafka/kafka_mock_cluster) in a consumer group. Every message is counted exactly once:
against `logan batch` over the same lines, across kill -9 and restart with a checkpoint, with
two instances sharing the topic (the second joining mid-run: a rebalance), and across all
brokers going down and coming back.

The mock coordinator forgets a member that left only when its session times out, so every
consumer here runs with a short session timeout. Waits poll; nothing asserts how long
anything took.

    LOGAN=build/logan KAFKA_MOCK_CLUSTER=build/tests/kafka/kafka_mock_cluster \\
        python3 tests/e2e/test_kafka_stream.py
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from test_ship import ShipTestCase  # noqa: E402
from test_ship import wait_until as _wait_until  # noqa: E402


def wait_until(predicate, what: str, stream: "StreamProc | None" = None, timeout: float = 60.0):
    try:
        _wait_until(predicate, what, timeout)
    except AssertionError as e:
        if stream is None:
            raise
        raise AssertionError(f"{e}; counted {stream.total_lines()}; stderr so far: "
                             f"{stream.stderr_so_far()!r}") from None

GROUP_SETTINGS = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
                  "-X", "reconnect.backoff.max.ms=200"]


class StreamProc:
    """A running `logan stream --json`; its objects are collected as they come."""

    def __init__(self, logan: str, args):
        self.proc = subprocess.Popen([logan, "stream", "--json", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.objects: list[dict] = []
        self.stderr = b""
        self._lock = threading.Lock()
        self._out = threading.Thread(target=self._read_out, daemon=True)
        self._err = threading.Thread(target=self._read_err, daemon=True)
        self._out.start()
        self._err.start()

    def _read_out(self):
        for line in self.proc.stdout:
            with self._lock:
                self.objects.append(json.loads(line))

    def _read_err(self):
        for line in self.proc.stderr:
            with self._lock:
                self.stderr += line

    def stderr_so_far(self) -> bytes:
        with self._lock:
            return self.stderr[-3000:]

    def total_lines(self) -> int:
        with self._lock:
            return self.objects[-1]["total"]["lines"]["total"] if self.objects else 0

    def stop(self) -> dict:
        """SIGTERM; waits for the exit; the final object."""
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=120)
        self._out.join(30)
        self._err.join(30)
        if rc != 0:
            raise AssertionError(f"logan stream exited {rc}: {self.stderr!r}")
        final = self.objects[-1]
        if not final["final"]:
            raise AssertionError("the last object is not final")
        return final

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=60)
        self._out.join(30)
        self._err.join(30)


class KafkaStreamCase(ShipTestCase):
    """What the tests of `logan stream kafka://...` share: a consumer, test data, checks."""

    def stream(self, cluster, group, *args, topic="logs") -> StreamProc:
        p = StreamProc(self.logan, [f"kafka://{cluster.bootstrap}/{topic}?group={group}",
                                    "--slide", "1s", "--window", "1s", "--format", "combined",
                                    *GROUP_SETTINGS, *args])
        self.addCleanup(lambda: p.proc.poll() is None and p.kill9())
        return p

    def lines(self, n, seed, malformed=0.01) -> bytes:
        path = self.tmp / f"gen-{seed}.log"
        self.gen(path, n, seed, "combined", malformed)
        return path.read_bytes()

    def assertMatchesBatch(self, total: dict, data: bytes, what: str):
        p = self.write("all.log", data)
        want = self.batch_json("--format", "combined", p)
        self.assertEqual(total["lines"], want["lines"], f"{what}: line counts")
        for key in ("content_size", "response_codes", "unique_clients", "bytes_by_status_class"):
            self.assertEqual(total[key], want[key], f"{what}: {key}")


class KafkaStream(KafkaStreamCase):

    def test_counts_what_logan_ship_produced(self):
        c = self.cluster()
        data = self.lines(20000, 1)
        self.ship_all(c, data, "--key", "none")
        s = self.stream(c, "g1")
        wait_until(lambda: s.total_lines() >= 20000, "all lines counted", s)
        self.assertMatchesBatch(s.stop()["total"], data, "one consumer")

    def test_one_line_per_message_from_kcat(self):
        c = self.cluster()
        data = self.lines(3000, 2, malformed=0)  # kcat -P sends no message for an empty line
        r = subprocess.run([self.kcat, "-b", c.bootstrap, "-t", "logs", "-P"], input=data,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        s = self.stream(c, "g2")
        wait_until(lambda: s.total_lines() >= 3000, "all lines counted", s)
        self.assertMatchesBatch(s.stop()["total"], data, "kcat messages")

    def test_kill9_and_restart_counts_every_message_once(self):
        c = self.cluster()
        ck = self.tmp / "ck"
        parts = [self.lines(6000, 10 + i) for i in range(3)]
        produced = 0
        for i, part in enumerate(parts):
            self.ship_all(c, part, "--key", "none")
            produced += part.count(b"\n")
            s = self.stream(c, "g3", "--checkpoint", ck, "--checkpoint-interval", "300ms")
            wait_until(lambda: s.total_lines() >= produced, f"run {i}: {produced} lines counted", s)
            time.sleep(0.5)  # a checkpoint or two, and offsets committed after them
            if i < len(parts) - 1:
                s.kill9()
            else:
                final = s.stop()
        self.assertMatchesBatch(final["total"], b"".join(parts), "after two kill -9")

    def test_two_instances_share_a_topic_and_rebalance(self):
        c = self.cluster()
        first, second = self.lines(8000, 20), self.lines(8000, 21)
        fast = ["--checkpoint-interval", "300ms"]
        a = self.stream(c, "g4", "--checkpoint", self.tmp / "a", *fast)
        self.ship_all(c, first, "--key", "none")
        wait_until(lambda: a.total_lines() >= 8000, "instance A counted the first part", a)
        # A commits the offsets it checkpointed. (It commits again when it gives partitions
        # up, but the mock coordinator refuses commits during a rebalance, which a real one
        # accepts: so the test lets A's periodic commits land before B joins.)
        time.sleep(1.5)
        b = self.stream(c, "g4", "--checkpoint", self.tmp / "b", *fast)  # joins: partitions move
        wait_until(lambda: b"kafka: assigned logs[" in b.stderr_so_far(), "B assigned partitions", b)
        self.assertIn(b"kafka: gave up logs[", a.stderr_so_far(), "A gave partitions up first")
        # Small keyless messages, each to a random partition: some are surely B's.
        self.ship_all(c, second, "--key", "none", "--lines-per-message", "100",
                      "-X", "sticky.partitioning.linger.ms=0")
        wait_until(lambda: a.total_lines() + b.total_lines() >= 16000, "both parts counted")
        time.sleep(1)
        ta, tb = a.stop()["total"], b.stop()["total"]
        self.assertGreater(tb["lines"]["total"], 0, "instance B got partitions")
        combined = {k: ta["lines"][k] + tb["lines"][k] for k in ("total", "parsed", "invalid")}
        want = self.batch_json("--format", "combined", self.write("all.log", first + second))
        self.assertEqual(combined, want["lines"], "the two instances together")
        self.assertEqual(ta["content_size"]["sum"] + tb["content_size"]["sum"],
                         want["content_size"]["sum"])

    def test_sigterm_while_the_group_rebalances_exits_cleanly(self):
        # An instance killed with kill -9 stays a member until its session times out; one
        # started in its place waits for that rebalance. Stopped meanwhile, librdkafka 2.0.2
        # used to abort (cooperative-sticky assignor, librdkafka issue #4312): exit 134 after
        # the final report. Each stop must be clean and lose nothing.
        c = self.cluster()
        data = self.lines(3000, 40)
        self.ship_all(c, data, "--key", "none")
        ck = self.tmp / "ck"
        fast = ["--checkpoint", ck, "--checkpoint-interval", "300ms"]
        a = self.stream(c, "g6", *fast)
        wait_until(lambda: a.total_lines() >= 3000, "the lines counted", a)
        time.sleep(1)   # a checkpoint, and its offsets committed
        a.kill9()
        for delay in (1.0, 4.0, 6.5):
            b = self.stream(c, "g6", *fast)
            time.sleep(delay)  # the dead member's session (6 s) may or may not have timed out
            final = b.stop()   # raises unless it exits 0 with a final object
            self.assertTrue(final["final"])
            self.assertNotIn(b"Assertion", b.stderr)
        s = self.stream(c, "g6", *fast)
        wait_until(lambda: b"kafka: assigned logs[" in s.stderr_so_far(), "the partitions", s)
        time.sleep(1)
        self.assertMatchesBatch(s.stop()["total"], data, "after the interrupted rebalances")

    def test_brokers_down_and_back_nothing_lost(self):
        c = self.cluster()
        first, second = self.lines(4000, 30), self.lines(4000, 31)
        self.ship_all(c, first, "--key", "none")
        s = self.stream(c, "g5", "--checkpoint", self.tmp / "ck", "--checkpoint-interval", "300ms")
        wait_until(lambda: s.total_lines() >= 4000, "the first part counted", s)
        c.command("down all")
        time.sleep(3)
        c.command("up all")
        self.ship_all(c, second, "--key", "none", *GROUP_SETTINGS[-2:])
        wait_until(lambda: s.total_lines() >= 8000, "the second part counted", s)
        time.sleep(1)
        self.assertMatchesBatch(s.stop()["total"], first + second, "across an outage")

    def test_bad_source_and_property_are_usage_errors(self):
        r = self.run_logan("stream", "kafka://127.0.0.1:1/logs")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("group", r.stderr_text())
        r = self.run_logan("stream", "kafka://127.0.0.1:1/logs?group=g", "-X", "no.such.property=1")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("no.such.property", r.stderr_text())


if __name__ == "__main__":
    unittest.main(verbosity=2)
