#!/usr/bin/env python3
"""What --sink adds to a `logan batch` run: the same run with no sink, with SQLite, and with a
PostgreSQL server started for the purpose (tests/e2e/pg_server.py; skipped when its binaries
are missing), alternated, the median of each reported with the ratio to no sink. Two cases
for each database: a new run (a job name of its own, as a nightly job stores a new day), and the
same run stored again (the same job and logs: its rows are replaced, the idempotent path).

    python3 bench/sink/sink_bench.py --logan build/logan --lines 5000000 --runs 5
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from pg_server import PgServer, pg_bin  # noqa: E402


def timed(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logan", default=str(REPO / "build" / "logan"))
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="logan-sink-bench-") as tmp:
        log = Path(tmp) / "access.log"
        subprocess.run([a.logan, "gen", "--lines", str(a.lines), "--seed", "1", "-o", log], check=True)
        log.read_bytes()  # warm the page cache
        variants = {"no sink": [], "sqlite, new run": [], "sqlite, run stored again": []}
        urls = {"sqlite": f"sqlite:{Path(tmp) / 'stats.db'}"}
        pg = None
        if pg_bin() is not None:
            pg = PgServer()
            urls["postgresql"] = pg.url()
            variants["postgresql, new run"] = []
            variants["postgresql, run stored again"] = []
        try:
            for i in range(a.runs):
                for name in variants:
                    cmd = [a.logan, "batch", str(log)]
                    if name != "no sink":
                        db, case = name.split(", ")
                        job = f"new-{i}" if case == "new run" else "again"
                        cmd += ["--sink", urls[db], "--job", job]
                    variants[name].append(timed(cmd))
        finally:
            if pg is not None:
                pg.close()
    base = statistics.median(variants["no sink"])
    print(f"logan batch over {a.lines} combined lines, median of {a.runs} runs")
    print("| variant | seconds | vs no sink |")
    print("| --- | --- | --- |")
    for name, times in variants.items():
        m = statistics.median(times)
        print(f"| {name} | {m:.3f} | {m / base:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
