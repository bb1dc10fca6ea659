#!/usr/bin/env python3
"""`mpirun -np N logan batch`: for N = 1..4 the output equals the single-process output over
many small files, one big file split into byte ranges, skewed inputs and compressed files;
a missing or unreadable input fails the job naming it; --keep-going lists it; partial files
work under MPI. Skipped when mpirun is absent or logan was built without MPI.

    LOGAN=build/logan python3 tests/e2e/test_mpi.py
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import make_log  # noqa: E402

MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    # Open MPI itself leaks at exit; leaks in logan are caught by the non-MPI tests.
    "ASAN_OPTIONS": "detect_leaks=0",
}


class Mpi(logan_cli.LoganTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if shutil.which("mpirun") is None:
            raise unittest.SkipTest("mpirun not found (apt-get install openmpi-bin)")
        version = subprocess.run([cls.logan, "--version"], capture_output=True, text=True).stdout
        if "with MPI" not in version:
            raise unittest.SkipTest("logan was built without MPI")

    def mpirun(self, n, *args):
        env = dict(os.environ, **MPI_ENV)
        cmd = ["mpirun", "--oversubscribe", "-np", str(n), self.logan, *args]
        r = subprocess.run(cmd, cwd=self.tmp, env=env, capture_output=True, timeout=300)
        return logan_cli.Result(cmd, r.returncode, r.stdout, r.stderr)

    def assert_same_for_all_n(self, *args):
        single = self.batch_json(*args, cwd=self.tmp)
        for n in (1, 2, 3, 4):
            with self.subTest(n=n):
                r = self.mpirun(n, "batch", "--json", "--threads", "1", *args)
                self.assertEqual(r.returncode, 0, r.describe())
                self.assertEqual(self.doc_from(r), single)
        return single

    def test_queries_give_the_answer_of_one_process(self):
        self.gen(self.tmp / "a.log", 30000, 3, "combined_duration", 0.01)
        self.gen(self.tmp / "b.log", 20000, 4, "combined_duration", 0.0)
        self.write("c.log", make_log(500, 5))
        queries = [
            "SELECT status, count(*), sum(size), avg(duration), quantile(duration, 0.9), "
            "count(DISTINCT client), approx_count_distinct(path), min(time), max(path) FROM logs GROUP BY 1",
            "SELECT source, date_trunc('minute', time) AS m, count(*) FROM logs GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 20",
            "SELECT source, client, path FROM logs WHERE status = 404 LIMIT 50",  # in the order of the logs
        ]
        for sql in queries:
            single = self.run_logan("query", "--json", "--no-progress", sql, "a.log", "b.log", "c.log",
                                    cwd=self.tmp)
            self.assertEqual(single.returncode, 0, single.describe())
            for n in (2, 3):
                with self.subTest(sql=sql, n=n):
                    r = self.mpirun(n, "query", "--json", "--threads", "1", sql, "a.log", "b.log", "c.log")
                    self.assertEqual(r.returncode, 0, r.describe())
                    self.assertEqual(json.loads(r.stdout), json.loads(single.stdout))
        # --query beside the statistics, in the same document.
        doc = self.assert_same_for_all_n("--query", "e=" + queries[0], "a.log", "b.log")
        self.assertEqual(doc["queries"][0]["name"], "e")

    def test_many_small_files(self):
        for i in range(13):
            self.write(f"logs/day{i:02}.log", make_log(40 + 17 * i, 100 + i))
        doc = self.assert_same_for_all_n("--format", "common", "logs")
        self.assertGreater(doc["lines"]["invalid"], 0)

    def test_one_big_file_split_into_ranges(self):
        self.write("big.log", make_log(30000, 7))
        doc = self.assert_same_for_all_n("--format", "common", "--split-bytes", "100000", "big.log")
        self.assertGreater(len(doc["invalid_samples"]), 0)

    def test_auto_format_on_split_file(self):
        self.gen(self.tmp / "gen.log", 40000, 3, "combined", 0.01)
        self.assert_same_for_all_n("--split-bytes", "1000000", "gen.log")

    def test_skewed_and_compressed_inputs(self):
        self.write("a/huge.log", make_log(20000, 21))
        for i in range(6):
            self.write(f"a/tiny{i}.log", make_log(5, 30 + i))
        self.write("a/zipped.log", gzip.compress(make_log(3000, 40)))
        self.assert_same_for_all_n("--format", "common", "--split-bytes", "200000", "a")

    def test_missing_input_fails_the_job(self):
        self.write("good.log", make_log(100, 1))
        r = self.mpirun(3, "batch", "--json", "good.log", "missing.log")
        self.assertNotEqual(r.returncode, 0, r.describe())
        self.assertEqual(r.stdout, b"", r.describe())
        self.assertIn(b"missing.log", r.stderr, r.describe())

    def test_unreadable_unit_fails_the_job(self):
        self.write("good.log", make_log(2000, 1))
        self.write("cut.log.gz", gzip.compress(make_log(5000, 2))[:4000])
        r = self.mpirun(2, "batch", "--json", "--format", "common", "good.log", "cut.log.gz")
        self.assertNotEqual(r.returncode, 0, r.describe())
        self.assertEqual(r.stdout, b"", r.describe())
        self.assertIn(b"cut.log.gz", r.stderr, r.describe())

    def test_a_rank_that_dies_fails_the_job(self):
        for i in range(8):
            self.write(f"logs/{i}.log", make_log(300, 60 + i))
        for dead in ("0", "1"):
            with self.subTest(dead_rank=dead):
                env = dict(os.environ, **MPI_ENV, LOGAN_FAULT_DIE_RANK=dead)
                cmd = ["mpirun", "--oversubscribe", "-np", "3", self.logan, "batch", "--json",
                       "--format", "common", "logs"]
                r = subprocess.run(cmd, cwd=self.tmp, env=env, capture_output=True, timeout=300)
                self.assertNotEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
                self.assertEqual(r.stdout, b"", "no partial result is printed")

    def test_keep_going_lists_what_is_missing(self):
        self.write("good.log", make_log(100, 1))
        r = self.mpirun(2, "batch", "--json", "--keep-going", "--format", "common",
                        "good.log", "missing.log")
        self.assertEqual(r.returncode, 0, r.describe())
        doc = self.doc_from(r)
        self.assertEqual(len(doc["skipped_inputs"]), 1)
        self.assertIn("missing.log", doc["skipped_inputs"][0])

    def test_partial_files_under_mpi(self):
        self.write("x.log", make_log(5000, 9))
        r = self.mpirun(3, "batch", "--format", "common", "--split-bytes", "50000",
                        "--emit-partial", "x.part", "x.log")
        self.assertEqual(r.returncode, 0, r.describe())
        merged = self.doc_from(self.run_logan("merge", "--json", "x.part", cwd=self.tmp))
        self.assertEqual(merged, self.batch_json("--format", "common", "x.log", cwd=self.tmp))


if __name__ == "__main__":
    unittest.main(verbosity=2)
