#!/usr/bin/env python3
"""What `logan export` costs next to `logan batch`, and how fast it loads PostgreSQL: on a
generated combined log (page cache warm), times `logan batch`, `logan export` to JSON Lines with
gzip and with zstd, and `logan export --to postgresql://...` into a server started for the
purpose (tests/e2e/pg_server.py), next to `psql \\copy` of the same records as CSV (the peer).
Best of --runs for each; records/s counts the records exported.

    python3 bench/export/export_bench.py --logan build/logan --lines 5000000 --runs 2
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from pg_server import PASSWORD, USER, PgServer, pg_bin  # noqa: E402


def timed(cmd, env=None) -> tuple[float, str]:
    start = time.perf_counter()
    p = subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start, p.stderr.decode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logan", default=str(REPO / "build" / "logan"))
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="logan-export-bench-") as tmp:
        tmp = Path(tmp)
        log = tmp / "access.log"
        subprocess.run([a.logan, "gen", "--lines", str(a.lines), "--seed", "1", "-o", log], check=True)
        log.read_bytes()  # warm the page cache
        records = None

        def best(name, make_cmd, cleanup=None, env=None):
            nonlocal records
            times = []
            for _ in range(a.runs):
                if cleanup:
                    cleanup()
                t, err = timed(make_cmd(), env)
                m = re.search(r"exported (\d+) records", err)
                if m:
                    records = int(m.group(1))
                times.append(t)
            rows.append((name, min(times)))

        out = tmp / "out"
        clear = lambda: shutil.rmtree(out, ignore_errors=True)  # noqa: E731
        best("logan batch", lambda: [a.logan, "batch", log])
        best("logan export --to-format jsonl --compress gzip",
             lambda: [a.logan, "export", log, "-o", out, "--to-format", "jsonl", "--compress", "gzip"], clear)
        size_gz = sum(f.stat().st_size for f in out.rglob("part-*"))
        best("logan export --to-format jsonl --compress zstd",
             lambda: [a.logan, "export", log, "-o", out, "--to-format", "jsonl", "--compress", "zstd"], clear)
        size_zst = sum(f.stat().st_size for f in out.rglob("part-*"))
        best("logan export --to-format jsonl --compress none",
             lambda: [a.logan, "export", log, "-o", out, "--compress", "none"], clear)
        size_plain = sum(f.stat().st_size for f in out.rglob("part-*"))
        if pg_bin() is not None:
            pg = PgServer()
            try:
                psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                        str(pg.port), "-U", USER, "-d", "postgres"]
                env = dict(os.environ, PGPASSWORD=PASSWORD)
                drop = lambda t: lambda: pg.psql(f"DROP TABLE IF EXISTS {t}")  # noqa: E731
                best("logan export --to postgresql:// (COPY)",
                     lambda: [a.logan, "export", log, "--to", pg.url(), "--table", "records"],
                     drop("records"))
                csv_dir = tmp / "csv"
                subprocess.run([a.logan, "export", log, "-o", csv_dir, "--to-format", "csv",
                                "--compress", "none"], check=True, stderr=subprocess.DEVNULL)
                csv_file = csv_dir / "part-00000.csv"

                def peer_setup():
                    pg.psql("DROP TABLE IF EXISTS peer")
                    pg.psql("CREATE TABLE peer (LIKE records)")
                best("psql \\copy of the same records as CSV (peer)",
                     lambda: psql + ["-c", f"\\copy peer FROM '{csv_file}' WITH (FORMAT csv, HEADER)"],
                     peer_setup, env)
                assert pg.psql("SELECT count(*) FROM records") == pg.psql("SELECT count(*) FROM peer")
            finally:
                pg.close()
    print(f"{a.lines} combined lines ({records} records), best of {a.runs}, {os.cpu_count()} cores")
    print("| command | seconds | records/s | vs logan batch |")
    print("| --- | ---: | ---: | ---: |")
    base = rows[0][1]
    for name, t in rows:
        print(f"| {name} | {t:.2f} | {records / t / 1e6:.2f} M | {base / t:.2f}x |")
    print(f"output bytes: jsonl {size_plain / 1e6:.0f} MB, gzip {size_gz / 1e6:.0f} MB, "
          f"zstd {size_zst / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
