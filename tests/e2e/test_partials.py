#!/usr/bin/env python3
"""Partial files: `logan batch --emit-partial` on parts of a log and `logan merge` of the parts
give exactly the statistics of one run over the whole; foreign, truncated and corrupt partials
are refused with a message naming the file.

    LOGAN=build/logan python3 tests/e2e/test_partials.py
"""
import os
import json
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import make_log  # noqa: E402


class Partials(logan_cli.LoganTestCase):

    def split_log(self):
        names = []
        for i, seed in enumerate((11, 12, 13)):
            names.append(self.write(f"part{i}.log", make_log(400 + 50 * i, seed)).name)
        return names

    def test_merge_equals_one_run(self):
        names = self.split_log()
        whole = self.batch_json("--format", "common", *names, cwd=self.tmp)
        partials = []
        for name in names:
            r = self.run_logan("batch", "--format", "common", "--emit-partial", name + ".part",
                               name, cwd=self.tmp)
            self.assertEqual(r.returncode, 0, r.describe())
            self.assertEqual(r.stdout, b"", "a partial run prints no report")
            partials.append(name + ".part")
        merged = self.doc_from(self.run_logan("merge", "--json", *partials, cwd=self.tmp))
        self.assertEqual(merged, whole)
        # A tree of merges: merge two, then merge that with the third.
        r = self.run_logan("merge", "--emit-partial", "ab.part", partials[0], partials[1], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.describe())
        tree = self.doc_from(self.run_logan("merge", "--json", "ab.part", partials[2], cwd=self.tmp))
        self.assertEqual(tree, whole)

    def test_query_partials_merge_to_the_answer_of_one_run(self):
        self.gen(self.tmp / "a.log", 20000, 11, "combined_duration", 0.01)
        self.gen(self.tmp / "b.log", 15000, 12, "vhost_combined_duration", 0.0)
        for sql in ["SELECT status / 100 AS class, count(*), sum(size), avg(duration), quantile(duration, 0.99), "
                    "count(DISTINCT client), approx_count_distinct(client), max(time) FROM logs GROUP BY 1",
                    "SELECT source, client, path FROM logs WHERE status = 503 LIMIT 40"]:
            with self.subTest(sql=sql):
                for name in ("a", "b"):
                    r = self.run_logan("query", "--no-progress", "--emit-partial", f"{name}.lgq", sql, f"{name}.log",
                                       cwd=self.tmp)
                    self.assertEqual(r.returncode, 0, r.describe())
                merged = self.run_logan("merge", "--json", "a.lgq", "b.lgq", cwd=self.tmp)
                self.assertEqual(merged.returncode, 0, merged.describe())
                whole = self.run_logan("query", "--json", "--no-progress", sql, "a.log", "b.log", cwd=self.tmp)
                self.assertEqual(json.loads(merged.stdout), json.loads(whole.stdout))
        # A partial of another query, a statistics partial, a corrupt one: refused, exit 2.
        self.run_logan("query", "--no-progress", "--emit-partial", "other.lgq", "SELECT count(*) FROM logs", "a.log",
                       cwd=self.tmp)
        self.run_logan("batch", "--no-progress", "--emit-partial", "stats.lgp", "a.log", cwd=self.tmp)
        data = (self.tmp / "b.lgq").read_bytes()
        (self.tmp / "bad.lgq").write_bytes(data[:-5] + bytes([data[-5] ^ 1]) + data[-4:])
        for pair, says in ((("a.lgq", "other.lgq"), "another query"), (("a.lgq", "stats.lgp"), "cannot merge statistics"),
                           (("a.lgq", "bad.lgq"), "checksum")):
            r = self.run_logan("merge", *pair, cwd=self.tmp)
            self.assertEqual(r.returncode, 2, r.describe())
            self.assertIn(says, r.stderr.decode())
            self.assertEqual(r.stdout, b"")

    def test_partial_through_a_pipe(self):
        names = self.split_log()
        r = self.run_logan("batch", "--format", "common", "--emit-partial", "-", names[0], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.describe())
        merged = self.doc_from(self.run_logan("merge", "--json", "-", stdin=r.stdout, cwd=self.tmp))
        self.assertEqual(merged, self.batch_json("--format", "common", names[0], cwd=self.tmp))

    def test_bad_partials_are_refused(self):
        names = self.split_log()
        self.run_logan("batch", "--format", "common", "--emit-partial", "good.part", names[0], cwd=self.tmp)
        good = (self.tmp / "good.part").read_bytes()
        flipped = bytearray(good)
        flipped[len(good) // 2] ^= 0x01
        cases = {"foreign.part": b"this is not a partial file\n",
                 "truncated.part": good[: len(good) // 2],
                 "corrupt.part": bytes(flipped),
                 "empty.part": b""}
        for name, data in cases.items():
            with self.subTest(name=name):
                self.write(name, data)
                r = self.run_logan("merge", "--json", "good.part", name, cwd=self.tmp)
                self.assertEqual(r.returncode, 2, r.describe())
                self.assertEqual(r.stdout, b"", r.describe())
                self.assertOneLineNaming(r.stderr, name, r)
        r = self.run_logan("merge", "--json", "missing.part", cwd=self.tmp)
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "missing.part", r)

    def test_no_partial_when_inputs_were_skipped(self):
        names = self.split_log()
        r = self.run_logan("batch", "--keep-going", "--emit-partial", "x.part", names[0],
                           "missing.log", cwd=self.tmp)
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertFalse((self.tmp / "x.part").exists())


if __name__ == "__main__":
    unittest.main(verbosity=2)
