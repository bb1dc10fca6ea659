"""End-to-end tests of hdfs:// and webhdfs:// inputs against webhdfs_server.py (a namenode and a
datanode port, 307 redirects, RemoteException errors): globs through LISTSTATUS, ranged reads,
user.name and delegation tokens, the Kerberos refusal, retries and resumption, and one run over
local, S3 (when s3rver is installed) and HDFS inputs at once, equal to the same files read
locally."""
from __future__ import annotations

import os
import shutil
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import logan_cli  # noqa: E402
import s3_server  # noqa: E402
from test_s3 import without_sources  # noqa: E402
from webhdfs_server import WebHdfsServer  # noqa: E402


class WebHdfsTest(logan_cli.LoganTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import tempfile
        cls.root = Path(tempfile.mkdtemp(prefix="logan-webhdfs-"))
        ns = cls.root / "ns"
        (ns / "logs" / "2024").mkdir(parents=True)
        (ns / "secret").mkdir()
        (ns / "logs" / ".staging").mkdir()
        cls.files = {}
        for name, lines, seed in (("logs/a.log", 12000, 11), ("logs/b.log", 8000, 12),
                                  ("logs/2024/c.log", 20000, 13)):
            p = ns / name
            r = logan_cli.run(cls.logan, ["gen", "--lines", lines, "--seed", seed, "--malformed",
                                          "0.01", "-o", p])
            assert r.returncode == 0, r.describe()
            cls.files[name] = p
        gz = ns / "logs" / "d.log.gz"
        gz.write_bytes(logan_cli.gzip_bytes(cls.files["logs/b.log"].read_bytes()))
        cls.files["logs/d.log.gz"] = gz
        (ns / "logs" / "notes.txt").write_bytes(b"not a log\n")
        (ns / "logs" / ".staging" / "e.log").write_bytes(logan_cli.clf() + b"\n")
        (ns / "secret" / "s.log").write_bytes(logan_cli.clf() + b"\n")
        cls.server = WebHdfsServer(ns, denied=("/secret",))
        cls.ns = ns

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.root, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        with self.server.lock:
            self.server.requests.clear()
            self.server.fail_reads = self.server.cut_reads = 0

    def env(self, **extra) -> dict:
        e = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HADOOP_"))}
        e.update(extra)
        return e

    def hdfs(self, *args, env=None) -> logan_cli.Result:
        return self.run_logan("batch", "--no-progress", *args, env=env or self.env())

    def hdfs_json(self, *args, env=None) -> dict:
        r = self.hdfs("--json", *args, env=env)
        self.assertEqual(r.returncode, 0, r.describe())
        return self.doc_from(r)

    def local_json(self, *names) -> dict:
        return self.batch_json("--no-progress", *[self.files[n] for n in names])

    def url(self, path: str, scheme="hdfs") -> str:
        return f"{scheme}://{self.server.authority}{path}"

    def assertFailsOneLine(self, r, *needles):
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertEqual(r.stderr_text().count("\n"), 1, r.describe())
        for n in needles:
            self.assertIn(n, r.stderr_text(), r.describe())

    def test_glob_equals_local_files(self):
        got = self.hdfs_json(self.url("/logs/*.log*"))
        self.assertEqual(without_sources(got),
                         without_sources(self.local_json("logs/a.log", "logs/b.log", "logs/d.log.gz")))
        ops = {op for role, op, _ in self.server.requests if role == "namenode"}
        self.assertIn("LISTSTATUS", ops)

    def test_webhdfs_scheme_double_star_and_directory(self):
        want = self.local_json("logs/2024/c.log", "logs/a.log", "logs/b.log", "logs/d.log.gz")
        self.assertEqual(without_sources(self.hdfs_json(self.url("/logs/**/*.log*", "webhdfs"))),
                         without_sources(want))
        # A directory: every file below it, dot-directories skipped, in path order.
        doc = self.hdfs_json("--format", "combined", self.url("/logs"))
        self.assertEqual(doc["lines"]["total"], 12000 + 8000 + 20000 + 8000 + 1)

    def test_single_file_read_as_parallel_ranges_via_datanode_redirects(self):
        got = self.hdfs_json("--s3-part-size", "1", "--s3-connections", "3", self.url("/logs/2024/c.log"))
        self.assertEqual(without_sources(got), without_sources(self.local_json("logs/2024/c.log")))
        reads = [q for role, _, q in self.server.requests if role == "datanode"]
        size = self.files["logs/2024/c.log"].stat().st_size
        self.assertEqual(len(reads), (size + (1 << 20) - 1) >> 20)
        self.assertEqual(sorted(int(q["offset"]) for q in reads),
                         [i << 20 for i in range(len(reads))])
        self.assertTrue(all(q["length"] for q in reads))

    def test_user_name_from_flag_environment_or_login(self):
        self.hdfs_json("--hdfs-user", "alice", self.url("/logs/a.log"))
        self.hdfs_json(self.url("/logs/a.log"), env=self.env(HADOOP_USER_NAME="bob"))
        users = {q.get("user.name") for _, _, q in self.server.requests}
        self.assertEqual(users, {"alice", "bob"})

    def test_delegation_token(self):
        token = "HAAEaGRmcwRoZGZzAIoBjX-secret-token"
        server = WebHdfsServer(self.ns, token=token)
        try:
            url = f"hdfs://{server.authority}/logs/a.log"
            r = self.hdfs("--json", "--verbose", url, env=self.env(HADOOP_TOKEN=token))
            self.assertEqual(r.returncode, 0, r.describe())
            self.assertNotIn(token, r.stderr_text())
            self.assertIn("with a delegation token", r.stderr_text())
            self.assertTrue(all(q.get("delegation") == token and "user.name" not in q
                                for _, _, q in server.requests))
            r = self.hdfs("--hdfs-token", token, url)
            self.assertEqual(r.returncode, 0, r.describe())
            r = self.hdfs("--hdfs-token", "wrong-token", url)
            self.assertFailsOneLine(r, "SecurityException", url)
            self.assertNotIn("wrong-token", r.stderr_text())
        finally:
            server.stop()

    def test_kerberos_is_refused_clearly(self):
        server = WebHdfsServer(self.ns, negotiate=True)
        try:
            r = self.hdfs(f"hdfs://{server.authority}/logs/a.log")
            self.assertFailsOneLine(r, "Kerberos (SPNEGO)", "not support", "delegation token")
        finally:
            server.stop()

    def test_remote_exceptions(self):
        self.assertFailsOneLine(self.hdfs(self.url("/logs/nope.log")), "FileNotFoundException",
                                self.url("/logs/nope.log"))
        self.assertFailsOneLine(self.hdfs(self.url("/secret/s.log")), "AccessControlException",
                                "Permission denied", self.url("/secret/s.log"))
        self.assertFailsOneLine(self.hdfs(self.url("/logs/*.nope")), "no file matches")

    def test_failed_and_cut_reads_are_retried_and_resumed(self):
        self.server.fail_reads = 2
        got = self.hdfs_json(self.url("/logs/a.log"))
        self.assertEqual(without_sources(got), without_sources(self.local_json("logs/a.log")))
        self.server.requests.clear()
        self.server.cut_reads = 1
        self.server.cut_after = 50000
        got = self.hdfs_json("--s3-connections", "1", self.url("/logs/a.log"))
        self.assertEqual(without_sources(got), without_sources(self.local_json("logs/a.log")))
        offsets = [int(q["offset"]) for role, _, q in self.server.requests if role == "datanode"]
        self.assertEqual(offsets[:2], [0, 50000])

    @unittest.skipIf(s3_server.why_unavailable(), s3_server.why_unavailable() or "")
    def test_local_s3_and_hdfs_inputs_in_one_run(self):
        s3 = s3_server.S3rver()
        try:
            s3.create_bucket("mixed")
            s3.put("mixed", "k.log.gz", logan_cli.gzip_bytes(self.files["logs/b.log"].read_bytes()))
            env = self.env(AWS_ACCESS_KEY_ID=s3_server.ACCESS_KEY,
                           AWS_SECRET_ACCESS_KEY=s3_server.SECRET_KEY, HOME=str(self.tmp))
            got = self.hdfs_json("--s3-endpoint", s3.endpoint, self.files["logs/a.log"],
                                 "s3://mixed/k.log.gz", self.url("/logs/2024/c.log"), env=env)
            want = self.local_json("logs/a.log", "logs/b.log", "logs/2024/c.log")
            self.assertEqual(without_sources(got), without_sources(want))
            sources = {s["source"].split("/")[0] for s in got["invalid_samples"]}
            self.assertTrue(sources <= {"", "s3:", "hdfs:"}, sources)
        finally:
            s3.stop()


if __name__ == "__main__":
    unittest.main()
