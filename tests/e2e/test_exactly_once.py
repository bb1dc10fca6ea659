#!/usr/bin/env python3
"""Exactly-once from Kafka into a database: `logan stream kafka://... --sink DB` keeps its
checkpoint (the state and the consumed offsets) in the database, in the transaction of the
statistics it covers, and starts from it. Against librdkafka's mock cluster and a real SQLite
file or PostgreSQL server: kill -9 at moments chosen by what the database holds, and the
PostgreSQL server stopped under a running logan, which is then killed before it could write.
In the end the database counts every line once: its all-time total equals `logan batch` over
the same lines, and its tumbling windows add up to it.

    LOGAN=build/logan KAFKA_MOCK_CLUSTER=build/tests/kafka/kafka_mock_cluster \\
        python3 tests/e2e/test_exactly_once.py
"""
from __future__ import annotations

import os
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_server import SINK_TABLES as TABLES, WithPgServer  # noqa: E402
from test_kafka_stream import KafkaStreamCase, wait_until  # noqa: E402


class ExactlyOnceChecks(KafkaStreamCase):

    def url(self) -> str:
        raise NotImplementedError

    def one(self, sql: str) -> str:
        raise NotImplementedError

    def stored_total(self) -> int:
        v = self.one("SELECT lines_total FROM logan_windows WHERE kind = 'total'")
        return int(v) if v else 0

    def consumer(self, cluster, group, *args):
        return self.stream(cluster, group, "--sink", self.url(), "--checkpoint-interval", "300ms",
                           *args)

    def assertStoredOnce(self, data: bytes, group: str):
        want = self.batch_json("--format", "combined", self.write("all.log", data))["lines"]
        got = self.one("SELECT lines_total || ',' || lines_parsed || ',' || lines_invalid "
                       "FROM logan_windows WHERE kind = 'total'")
        self.assertEqual(got, f"{want['total']},{want['parsed']},{want['invalid']}",
                         "the stored all-time total")
        self.assertEqual(self.one("SELECT sum(lines_total) FROM logan_windows WHERE kind = 'window'"),
                         str(want["total"]), "the tumbling windows add up to the total")
        self.assertEqual(self.one("SELECT count(*) - count(DISTINCT window_start) FROM logan_windows "
                                  "WHERE kind = 'window'"), "0")
        self.assertEqual(self.one("SELECT count(*) FROM logan_checkpoints"), "1")
        self.assertEqual(self.one(f"SELECT count(DISTINCT part) FROM logan_offsets "
                                  f"WHERE source = 'kafka:logs?group={group}'"), "4")

    def test_kill9_mid_stream_stores_every_message_once(self):
        c = self.cluster()
        ship = ["--key", "none", "--lines-per-message", "20", "-X", "sticky.partitioning.linger.ms=0"]
        sent = b""
        for run in range(4):
            s = self.consumer(c, "eo1")
            wait_until(lambda: b"kafka: assigned" in s.stderr_so_far(), f"run {run}: assigned", s)
            if run > 0:
                self.assertIn(b"resuming from the checkpoint in sink", s.stderr_so_far())
            if run == 3:
                wait_until(lambda: self.stored_total() >= sent.count(b"\n"), "everything stored", s)
                s.stop()
                break
            # One part stored; then another shipped and logan killed while it counts it, with
            # lines counted in memory that no transaction holds yet.
            part = self.lines(3000, 50 + 2 * run)
            self.ship_all(c, part, *ship)
            sent += part
            wait_until(lambda: self.stored_total() >= sent.count(b"\n"), f"run {run}: part stored", s)
            part = self.lines(3000, 51 + 2 * run)
            self.ship_all(c, part, *ship)
            sent += part
            time.sleep(0.3 * run)
            s.kill9()
        self.assertStoredOnce(sent, "eo1")

    def test_checkpoint_dir_with_kafka_and_a_sink_is_a_usage_error(self):
        r = self.run_logan("stream", "kafka://127.0.0.1:1/logs?group=g", "--sink", self.url(),
                           "--checkpoint", str(self.tmp / "ck"))
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("kept in the database", r.stderr_text())
        r = self.run_logan("stream", "-", "--checkpoint", "sink")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("--sink", r.stderr_text())


class SqliteExactlyOnce(ExactlyOnceChecks):
    def url(self) -> str:
        return f"sqlite:{self.tmp / 'stats.db'}"

    def one(self, sql: str) -> str:
        path = self.tmp / "stats.db"
        if not path.exists():
            return ""
        with sqlite3.connect(path, timeout=30) as db:
            try:
                row = db.execute(sql).fetchone()
            except sqlite3.OperationalError:  # no tables yet
                return ""
        return "" if row is None or row[0] is None else str(row[0])


    def test_checkpoint_sink_carries_the_total_and_a_corrupt_one_is_refused(self):
        data = self.lines(500, 70)
        args = ["stream", "-", "--format", "combined", "--json", "--sink", self.url(),
                "--checkpoint", "sink"]
        r = self.run_logan(*args, stdin=data)
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.stored_total(), 500)
        r = self.run_logan(*args, stdin=data)
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertIn("resuming from the checkpoint in sink", r.stderr_text())
        self.assertEqual(self.stored_total(), 1000)
        with sqlite3.connect(self.tmp / "stats.db") as db:
            db.execute("UPDATE logan_checkpoints SET checkpoint = x'00ff00ff'")
        r = self.run_logan(*args, stdin=data)
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("refusing the checkpoint in sink", r.stderr_text())
        self.assertEqual(len(r.stderr_text().strip().splitlines()), 1, r.describe())
        self.assertEqual(self.stored_total(), 1000)


class PostgresExactlyOnce(WithPgServer, ExactlyOnceChecks):
    def setUp(self):
        super().setUp()
        self.server.psql(f"DROP TABLE IF EXISTS {TABLES} CASCADE")

    def url(self) -> str:
        return self.server.url()

    def one(self, sql: str) -> str:
        try:
            return self.server.psql(sql)
        except RuntimeError:  # no tables yet
            return ""

    def test_server_stopped_then_logan_killed_loses_nothing(self):
        c = self.cluster()
        first, second = self.lines(4000, 60), self.lines(4000, 61)
        self.ship_all(c, first, "--key", "none", "--lines-per-message", "50",
                      "-X", "sticky.partitioning.linger.ms=0")
        s = self.consumer(c, "eo2")
        wait_until(lambda: self.stored_total() >= 4000, "the first part stored", s)
        self.server.stop()
        try:
            self.ship_all(c, second, "--key", "none", "--lines-per-message", "50",
                          "-X", "sticky.partitioning.linger.ms=0")
            # Counted in memory, held for the database, never stored, and no offset committed
            # past what is stored: a kill now loses nothing.
            wait_until(lambda: s.total_lines() >= 8000, "the second part counted", s)
            time.sleep(1)
            s.kill9()
            self.assertIn(b"retrying", s.stderr)
        finally:
            self.server.start()
        self.assertEqual(self.stored_total(), 4000)
        s = self.consumer(c, "eo2")
        wait_until(lambda: self.stored_total() >= 8000, "everything stored after the restart", s)
        time.sleep(1)
        s.stop()
        self.assertIn(b"resuming from the checkpoint in sink", s.stderr)
        self.assertStoredOnce(first + second, "eo2")


del ExactlyOnceChecks  # only its subclasses run

if __name__ == "__main__":
    unittest.main(verbosity=2)
