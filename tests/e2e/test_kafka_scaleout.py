#!/usr/bin/env python3
"""Scale-out with Kafka: two `logan stream` instances in one consumer group each publish their
per-window partial statistics and their all-time total to a statistics topic
(`--stats-topic`), and `logan combine` merges them; the combined view must equal one instance's
view of the whole topic, that is `logan batch` over every line shipped. Against librdkafka's
mock cluster (tests/kafka/kafka_mock_cluster); the second instance joins mid-run (a
rebalance).

    LOGAN=build/logan KAFKA_MOCK_CLUSTER=build/tests/kafka/kafka_mock_cluster \\
        python3 tests/e2e/test_kafka_scaleout.py
"""
from __future__ import annotations

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_kafka_stream import KafkaStreamCase, wait_until  # noqa: E402

SHIP = ["--key", "none", "--lines-per-message", "100", "-X", "sticky.partitioning.linger.ms=0"]


class ScaleOut(KafkaStreamCase):

    def cluster_with_stats(self):
        return self.cluster(topics=("logs:4", "stats:2"))

    def instance(self, c, name, *args):
        # The statistics topic keeps each instance's checkpoint (no --checkpoint directory).
        return self.stream(c, "g", "--checkpoint-interval", "300ms", "--instance", name,
                           "--stats-topic", f"kafka://{c.bootstrap}/stats", *args)

    def combine(self, c, *args):
        return self.run_logan("combine", f"kafka://{c.bootstrap}/stats", "--timeout", "20s", *args)

    def test_two_instances_combine_into_the_whole_topic(self):
        c = self.cluster_with_stats()
        first, second = self.lines(6000, 80), self.lines(6000, 81)
        a = self.instance(c, "a")
        self.ship_all(c, first, *SHIP)
        wait_until(lambda: a.total_lines() >= 6000, "instance a counted the first part", a)
        time.sleep(1.5)  # a's periodic commits land before b joins (see test_kafka_stream)
        b = self.instance(c, "b")
        wait_until(lambda: b"kafka: assigned logs[" in b.stderr_so_far(), "b assigned partitions", b)
        self.ship_all(c, second, *SHIP)
        wait_until(lambda: a.total_lines() + b.total_lines() >= 12000, "both parts counted")
        time.sleep(1)
        ta, tb = a.stop()["total"], b.stop()["total"]
        self.assertGreater(tb["lines"]["total"], 0, "instance b got partitions")

        r = self.combine(c, "--json")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertIn("combined 2 instances of job logan: a, b", r.stderr_text())
        combined = self.doc_from(r)
        want = self.batch_json("--format", "combined", self.write("all.log", first + second))
        for key in ("lines", "content_size", "response_codes", "unique_clients",
                    "bytes_by_status_class", "endpoints", "methods"):
            if key in want:
                self.assertEqual(combined[key], want[key], f"combined {key}")

        # Every window, each instance's partial merged: tumbling windows add up to the total.
        r = self.combine(c, "--windows")
        self.assertEqual(r.returncode, 0, r.describe())
        windows = [json.loads(line) for line in r.stdout.decode().splitlines()]
        self.assertTrue(windows)
        self.assertEqual(sum(w["window"]["lines"]["total"] for w in windows), 12000)
        self.assertEqual(len({w["window_start"] for w in windows}), len(windows))
        self.assertTrue(any(w["instances"] == ["a", "b"] for w in windows), windows[-1]["instances"])

    def combined_lines(self, c) -> int:
        r = self.combine(c, "--json")
        return self.doc_from(r)["lines"]["total"] if r.returncode == 0 else -1

    def come_go_and_die(self, c, start, counted) -> list[bytes]:
        """a counts alone; b joins (partitions move while both run, with no pause for commits
        to land: the mock coordinator refuses those made during the rebalance); a leaves; c
        joins; b is killed with kill -9 and c takes its partitions over. `start(name)` starts
        an instance, `counted()` is what they have stored together. Returns what was shipped.
        (A database variant, with the furthest offsets read from logan_offsets, stalled in 2
        of 6 runs and is not in this build: see docs/kafka.md.)"""
        parts = [self.lines(3000, 90 + i) for i in range(4)]
        shipped = 0

        def ship(i):
            nonlocal shipped
            self.ship_all(c, parts[i], *SHIP)
            shipped += 3000

        a = start("a")
        ship(0)
        wait_until(lambda: a.total_lines() >= 3000, "a counted the first part", a)
        b = start("b")
        wait_until(lambda: b"kafka: assigned logs[" in b.stderr_so_far(), "b assigned partitions", b)
        ship(1)
        wait_until(lambda: counted() >= shipped, "a and b counted the second part")
        a.stop()
        wait_until(lambda: b.stderr_so_far().count(b"kafka: assigned logs[") >= 2, "b took a's partitions", b)
        ship(2)
        cc = start("c")
        wait_until(lambda: b"kafka: assigned logs[" in cc.stderr_so_far(), "c assigned partitions", cc)
        wait_until(lambda: counted() >= shipped, "b and c counted the third part")
        ship(3)
        time.sleep(0.5)   # b counts some of the fourth part, checkpoints some of it, then dies
        b.kill9()
        wait_until(lambda: cc.stderr_so_far().count(b"kafka: assigned logs[") >= 2,
                   "c took b's partitions after b's session timed out", cc)
        # Generous: under the sanitizers, on a loaded machine, c's catching up has taken over
        # a minute (the exact count below is what matters).
        wait_until(lambda: counted() >= shipped, "everything counted", cc, timeout=180)
        time.sleep(1)
        cc.stop()
        return parts

    def test_instances_that_come_go_and_die_neither_lose_nor_double_count(self):
        c = self.cluster_with_stats()
        parts = self.come_go_and_die(c, lambda name: self.instance(c, name),
                                     lambda: self.combined_lines(c))
        r = self.combine(c, "--json")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertIn("combined 3 instances of job logan: a, b, c", r.stderr_text())
        combined = self.doc_from(r)
        want = self.batch_json("--format", "combined", self.write("all.log", b"".join(parts)))
        for key in ("lines", "content_size", "response_codes", "unique_clients",
                    "bytes_by_status_class"):
            self.assertEqual(combined[key], want[key], f"combined {key}")

    def test_a_statistics_topic_not_made_yet(self):
        # The first run of a job: the topic that will keep its checkpoints does not exist yet
        # (the producer makes it). The instance starts, counts, and a restart resumes from it.
        c = self.cluster()   # "logs" only
        data = self.lines(2000, 95)
        self.ship_all(c, data, *SHIP)
        url = f"kafka://{c.bootstrap}/fresh-stats"
        for run in range(2):
            s = self.stream(c, "g", "--checkpoint-interval", "300ms", "--instance", "a",
                            "--stats-topic", url)
            wait_until(lambda: s.total_lines() >= 2000, f"run {run}: counted", s)
            time.sleep(1)
            final = s.stop()
            self.assertEqual(final["total"]["lines"]["total"], 2000, "the restart resumed")
        r = self.run_logan("combine", url, "--json", "--timeout", "20s")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.doc_from(r)["lines"]["total"], 2000)

    def test_a_checkpoint_directory_beside_the_statistics_topic_is_a_usage_error(self):
        r = self.run_logan("stream", "kafka://127.0.0.1:1/logs?group=g", "--checkpoint",
                           self.tmp / "ck", "--stats-topic", "kafka://127.0.0.1:1/stats")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "--checkpoint", r)

    def test_jobs_are_kept_apart_and_bad_input_is_refused(self):
        c = self.cluster_with_stats()
        data = self.lines(2000, 82)
        self.ship_all(c, data, *SHIP)
        for job in ("one", "two"):
            s = self.stream(c, f"g-{job}", "--job", job, "--stats-topic", f"kafka://{c.bootstrap}/stats")
            wait_until(lambda: s.total_lines() >= 2000, f"job {job} counted", s)
            s.stop()
        r = self.combine(c, "--json")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("--job", r.stderr_text())
        r = self.combine(c, "--json", "--job", "two")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.doc_from(r)["lines"]["total"], 2000)
        # A message that is no statistics: refused, naming it.
        self.ship_all(c, b"not statistics\n", topic="stats")
        r = self.combine(c, "--job", "two")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("not a logan statistics message", r.stderr_text())
        # Nobody there.
        r = self.run_logan("combine", "kafka://127.0.0.1:1/stats", "--timeout", "2s")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertEqual(len(r.stderr_text().strip().splitlines()), 1, r.describe())
        r = self.run_logan("stream", "-", "--stats-topic", "kafka://no-topic-here")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("kafka://BROKERS/TOPIC", r.stderr_text())

    def test_undeliverable_statistics_are_reported_while_running(self):
        c = self.cluster_with_stats()
        # The producer's own size limit stands in for a topic that takes small messages.
        r = self.run_logan("stream", "-", "--format", "combined", "--json", "--window", "200ms",
                           "--slide", "200ms", "--stats-topic", f"kafka://{c.bootstrap}/stats",
                           "-X", "message.max.bytes=1000", stdin=self.lines(3000, 83))
        err = r.stderr_text()
        self.assertNotEqual(r.returncode, 0, r.describe())
        self.assertRegex(err, r"\d+ statistics messages? not delivered to kafka://.*/stats so far "
                              r"\(.*max\.message\.bytes\)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
