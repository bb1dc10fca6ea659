"""A throw-away PostgreSQL server for the end-to-end tests: initdb into a temporary directory,
pg_ctl on a free loopback port, torn down at the end. Uses Debian's PostgreSQL 15 binaries
(/usr/lib/postgresql/15/bin); as root, the server runs as the `postgres` user, since PostgreSQL
refuses to run as root. Password authentication over TCP, so bad credentials can be tested.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "logan"
PASSWORD = "s3cret-pw"


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self):
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="logan-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.as_root:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run([self.bin / "initdb", "-D", self.data, "-U", USER, f"--pwfile={pwfile}",
                   "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8",
                   "--locale=C.UTF-8"])
        self.start()

    def _run(self, cmd, check=True):
        cmd = [str(c) for c in cmd]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stdout.decode(errors='replace')}")
        return p

    def start(self):
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c max_connections=20 -c shared_buffers=16MB")
        self._run([self.bin / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.dir / "log",
                   "-w", "-t", "60", "start"])

    def stop(self):
        self._run([self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop"],
                  check=False)

    def url(self, password=PASSWORD, db="postgres") -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{db}"

    def psql(self, sql: str) -> str:
        """Runs `sql`; the rows as 'a|b' lines."""
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                            "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", "postgres",
                            "-c", sql], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"psql failed: {p.stderr.decode(errors='replace')}")
        return p.stdout.decode().strip()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# Every table of logan's --sink schema (docs/database-schema.md), for tests that start afresh.
SINK_TABLES = ("logan_schema, logan_windows, logan_content_size, logan_status_counts, "
               "logan_ip_counts, logan_endpoint_counts, logan_method_counts, logan_checkpoints, "
               "logan_offsets, logan_group_counts, logan_group_status_counts")


class WithPgServer:
    """A unittest.TestCase mixin: one server for the whole class (`cls.server`), started
    before its first test and torn down after its last. Missing server binaries fail the class
    rather than skip it: CI installs them."""

    server: PgServer | None = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = PgServer()

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.close()
            cls.server = None
        super().tearDownClass()
