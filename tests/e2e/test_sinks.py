"""End-to-end tests of the database sinks (--sink): SQLite and a real PostgreSQL server that
the tests start themselves (pg_server.py). What is stored must equal what `logan batch --json`
reports; publications written again replace, never duplicate; a database restarted in the
middle of a stream loses nothing; log content is stored as data, whatever it holds."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import logan_cli  # noqa: E402
from pg_server import PASSWORD, SINK_TABLES, USER, WithPgServer  # noqa: E402


def clf(i: int, path: str = "/p", status: int = 200, size: int = 10) -> bytes:
    return (f'10.0.{i % 7}.{i % 5} - - [07/Mar/2024:10:00:{i % 60:02d} +0000] '
            f'"GET {path} HTTP/1.1" {status} {size}\n').encode()


class SinkChecks(logan_cli.LoganTestCase):
    """Checks shared by SQLite and PostgreSQL: `rows(sql)` answers a query as a list of tuples
    of strings, `url()` names the database."""

    def rows(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def url(self) -> str:
        raise NotImplementedError

    def execute(self, sql: str) -> None:
        """Runs a statement as a dashboard's own maintenance job would."""
        raise NotImplementedError

    def one(self, sql: str) -> str:
        r = self.rows(sql)
        self.assertEqual(len(r), 1, f"{sql}: {r}")
        return r[0][0]

    def start_stream(self, job: str):
        """`logan stream` over a new directory with 1 s tumbling windows into the sink."""
        d = self.tmp / "logs"
        d.mkdir()
        proc = subprocess.Popen([self.logan, "stream", d, "--format", "common", "--window", "1s",
                                 "--slide", "1s", "--json", "--sink", self.url(), "--job", job],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return d, proc

    def sample_log(self, lines=5000) -> Path:
        return self.gen(self.tmp / "access.log", lines, 7, "combined", 0.01)

    def test_batch_run_is_stored_as_reported(self):
        log = self.sample_log()
        doc = self.batch_json(log, "--ip-threshold", "3", "--top", "5")
        r = self.run_logan("batch", log, "--ip-threshold", "3", "--top", "5", "--sink", self.url(),
                           "--job", "nightly", "--instance", "web-1")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.rows("SELECT job, instance, kind, lines_total, lines_parsed, "
                                   "lines_invalid FROM logan_windows"),
                         [("nightly", "web-1", "run", str(doc["lines"]["total"]),
                           str(doc["lines"]["parsed"]), str(doc["lines"]["invalid"]))])
        cs = doc["content_size"]
        got = self.rows("SELECT count, sum, min, max FROM logan_content_size")
        self.assertEqual(got, [(str(cs["count"]), str(cs["sum"]), str(cs["min"]), str(cs["max"]))])
        self.assertEqual(self.rows("SELECT status, count FROM logan_status_counts ORDER BY status"),
                         [(str(c["code"]), str(c["count"])) for c in doc["response_codes"]])
        self.assertEqual(self.rows("SELECT ip, count FROM logan_ip_counts ORDER BY count DESC, ip"),
                         [(c["ip"], str(c["count"])) for c in doc["ip_addresses"]])
        self.assertEqual(
            self.rows("SELECT endpoint, count FROM logan_endpoint_counts ORDER BY count DESC, endpoint"),
            [(c["endpoint"], str(c["count"])) for c in doc["top_endpoints"]])
        self.assertEqual(self.one("SELECT unique_clients FROM logan_windows"), str(doc["unique_clients"]))

    def test_running_the_same_job_again_replaces_its_rows(self):
        log = self.sample_log(2000)
        for _ in range(2):
            r = self.run_logan("batch", log, "--sink", self.url(), "--job", "j", "--instance", "i")
            self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.one("SELECT count(*) FROM logan_windows"), "1")
        self.assertEqual(self.one("SELECT count(*) FROM logan_content_size"), "1")
        # Another job (or instance) is another row.
        r = self.run_logan("batch", log, "--sink", self.url(), "--job", "k", "--instance", "i")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.one("SELECT count(*) FROM logan_windows"), "2")

    def test_log_content_is_stored_as_data(self):
        evil = ["/x');DROP TABLE logan_windows;--", "/q\"uote\\back\tslash", "/caf\xc3\xa9",
                "/bad\xff\xfebytes"]
        data = b"".join(b'10.0.0.1 - - [07/Mar/2024:10:00:00 +0000] "GET ' + p.encode("latin-1") +
                        b' HTTP/1.1" 200 5\n' for p in evil)
        log = self.write("evil.log", data)
        r = self.run_logan("batch", log, "--format", "common", "--sink", self.url())
        self.assertEqual(r.returncode, 0, r.describe())
        got = sorted(e for (e,) in self.rows("SELECT endpoint FROM logan_endpoint_counts"))
        want = sorted(["/x');DROP TABLE logan_windows;--", "/q\"uote\\back\tslash", "/café",
                       "/bad\ufffd\ufffdbytes"])
        self.assertEqual(got, want)
        self.assertEqual(self.one("SELECT count(*) FROM logan_windows"), "1")

    def test_deleting_a_window_deletes_its_counts(self):
        log = self.sample_log(2000)
        for job in ("gone", "kept"):
            r = self.run_logan("batch", log, "--sink", self.url(), "--job", job, "--ip-threshold", "0")
            self.assertEqual(r.returncode, 0, r.describe())
        tables = ["logan_content_size", "logan_status_counts", "logan_ip_counts",
                  "logan_endpoint_counts", "logan_method_counts"]
        before = {t: int(self.one(f"SELECT count(*) FROM {t}")) for t in tables}
        self.execute("DELETE FROM logan_windows WHERE job = 'gone'")  # a retention job, say
        for t in tables:
            orphans = self.one(f"SELECT count(*) FROM {t} WHERE window_id NOT IN (SELECT id FROM logan_windows)")
            self.assertEqual(orphans, "0", t)
            self.assertEqual(int(self.one(f"SELECT count(*) FROM {t}")) * 2, before[t], t)

    def test_an_older_schema_is_migrated(self):
        log = self.sample_log(500)
        env = dict(os.environ, LOGAN_TEST_SCHEMA_VERSION="1")
        p = subprocess.run([self.logan, "batch", log, "--sink", self.url(), "--job", "old"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.one("SELECT version FROM logan_schema"), "1")
        r = self.run_logan("batch", log, "--sink", self.url(), "--job", "new")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.one("SELECT version FROM logan_schema"), "6")
        self.assertEqual(self.rows("SELECT job, lines_total FROM logan_windows ORDER BY job"),
                         [("new", "500"), ("old", "500")])
        self.assertEqual(self.one("SELECT count(DISTINCT window_id) FROM logan_method_counts"), "1")
        self.assertEqual(self.one("SELECT count(*) FROM logan_checkpoints"), "0")  # version 3
        self.assertEqual(self.one("SELECT count(*) FROM logan_group_counts"), "0")  # version 4
        # A database newer than this logan is refused.
        p = subprocess.run([self.logan, "batch", log, "--sink", self.url()], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"newer", p.stderr)

    def test_stream_windows_and_total(self):
        d, proc = self.start_stream("s")
        try:
            with open(d / "a.log", "ab") as f:
                for i in range(300):
                    f.write(clf(i))
                    if i % 100 == 99:
                        f.flush()
                        time.sleep(1.2)
            time.sleep(1.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(self.one("SELECT sum(lines_total) FROM logan_windows WHERE kind = 'window'"), "300")
        self.assertEqual(self.one("SELECT lines_total FROM logan_windows WHERE kind = 'total'"), "300")
        self.assertEqual(self.one("SELECT count(*) - count(DISTINCT window_start) FROM logan_windows "
                                  "WHERE kind = 'window'"), "0")


class SqliteSink(SinkChecks):
    def setUp(self):
        super().setUp()
        self.db = self.tmp / "stats.db"

    def url(self) -> str:
        return f"sqlite:{self.db}"

    def rows(self, sql):
        con = sqlite3.connect(self.db)
        try:
            return [tuple("" if v is None else str(v) for v in row) for row in con.execute(sql)]
        finally:
            con.close()

    def execute(self, sql):
        con = sqlite3.connect(self.db)
        try:
            con.execute("PRAGMA foreign_keys = ON")  # SQLite cascades only when asked to
            con.execute(sql)
            con.commit()
        finally:
            con.close()

    def test_a_file_that_is_not_a_database_is_refused(self):
        self.db.write_text("not a database " * 100)
        r = self.run_logan("batch", self.sample_log(100), "--sink", self.url())
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn(str(self.db), r.stderr_text())
        self.assertEqual(len(r.stderr_text().strip().splitlines()), 1, r.describe())


class PostgresSink(WithPgServer, SinkChecks):
    def setUp(self):
        super().setUp()
        self.server.psql(f"DROP TABLE IF EXISTS {SINK_TABLES} CASCADE")

    def url(self) -> str:
        return self.server.url()

    def rows(self, sql):
        out = self.server.psql(sql)
        return [tuple(line.split("|")) for line in out.splitlines()] if out else []

    def execute(self, sql):
        self.server.psql(sql)

    def test_bad_credentials_are_one_line_and_hide_the_password(self):
        r = self.run_logan("batch", self.sample_log(100), "--sink", self.server.url(password="wrong-pw"))
        self.assertEqual(r.returncode, 2, r.describe())
        err = r.stderr_text()
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("password authentication failed", err)
        self.assertNotIn("wrong-pw", err)

    def test_a_write_blocked_by_a_lock_is_cancelled_at_the_timeout(self):
        log = self.sample_log(200)
        r = self.run_logan("batch", log, "--sink", self.url(), "--job", "first")
        self.assertEqual(r.returncode, 0, r.describe())
        # A dashboard's maintenance holds the table for longer than logan may wait.
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        holder = subprocess.Popen(
            ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(self.server.port), "-U", USER, "-d", "postgres",
             "-c", "BEGIN; LOCK TABLE logan_windows IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for = time.monotonic() + 20
            while self.one("SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                           "AND relation = 'logan_windows'::regclass") != "1":
                self.assertLess(time.monotonic(), wait_for, "the lock was not taken")
                time.sleep(0.1)
            start = time.monotonic()
            r = self.run_logan("batch", log, "--sink", self.url(), "--job", "blocked", "--sink-timeout", "2s")
            took = time.monotonic() - start
            self.assertEqual(r.returncode, 1, r.describe())
            self.assertLess(took, 20, r.describe())
            self.assertIn("1 publication not written to", r.stderr_text())
            self.assertIn("canceling statement due to user request", r.stderr_text())
        finally:
            holder.kill()
            holder.wait()
            self.server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()")
        # Cancelled means not stored: the run is not half there.
        self.assertEqual(self.one("SELECT count(*) FROM logan_windows WHERE job = 'blocked'"), "0")

    def test_a_restarted_server_loses_nothing_and_duplicates_nothing(self):
        d, proc = self.start_stream("r")
        written = 0
        try:
            def write(n):
                nonlocal written
                with open(d / "a.log", "ab") as f:
                    for _ in range(n):
                        f.write(clf(written))
                        written += 1

            write(100)
            time.sleep(2.5)
            self.server.stop()
            for _ in range(3):  # windows published while the server is down
                write(100)
                time.sleep(1.2)
            self.server.start()
            write(100)
            time.sleep(2.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=90)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn(b"retrying", err)
        self.assertIn(b"back", err)
        self.assertEqual(self.one("SELECT sum(lines_total) FROM logan_windows WHERE kind = 'window'"),
                         str(written))
        self.assertEqual(self.one("SELECT lines_total FROM logan_windows WHERE kind = 'total'"),
                         str(written))
        self.assertEqual(self.one("SELECT count(*) - count(DISTINCT window_start) FROM logan_windows "
                                  "WHERE kind = 'window'"), "0")


del SinkChecks  # only its subclasses run

if __name__ == "__main__":
    unittest.main(verbosity=2)
