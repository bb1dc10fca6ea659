#!/usr/bin/env python3
"""Benchmark of `logan query` against DuckDB and lnav, side by side in one run.

    bench/query/query_bench.py [--build DIR] [--lines N] [--runs R] [--lnav-runs R]

N lines (default 5,000,000) of `logan gen --format combined_duration` (combined with %D, the
time taken) are written to bench/out/query/. Each query below is then run R times (default 3,
the fastest kept) by:
  - logan: `logan query --no-progress SQL FILE` (all cores);
  - DuckDB (npm @duckdb/node-api, installed here by `npm ci --prefix bench/query`): the file
    read as one text column and parsed with regexp_extract() in a view `logs`
    (duckdb_query.mjs), then the same SQL (quantile(x, q) is DuckDB's quantile_disc); all cores;
  - lnav 0.11 (Debian): `lnav -n -c ';SELECT ...'` over its access_log table (columns
    cs_uri_stem, sc_status, log_time), first query only (lnav has no quantiles; its
    timestamps are text).
The clock runs from the start of each process to its exit, so it includes reading and parsing
the file. Peak memory of logan is read from /usr/bin/time. Prints a Markdown table.
Standard library only.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

QUERIES = [
    ("errors by path, top 10",
     "SELECT path, count(*) FROM logs WHERE status >= 500 GROUP BY path ORDER BY 2 DESC, 1 LIMIT 10",
     "SELECT path, count(*) FROM logs WHERE status >= 500 GROUP BY path ORDER BY 2 DESC, 1 LIMIT 10",
     "SELECT cs_uri_stem, count(*) FROM access_log WHERE sc_status >= 500 GROUP BY cs_uri_stem "
     "ORDER BY 2 DESC, 1 LIMIT 10"),
    ("p50 and p99 of duration by path",
     "SELECT path, count(*), quantile(duration, 0.5), quantile(duration, 0.99) FROM logs GROUP BY path",
     "SELECT path, count(*), quantile_disc(duration, 0.5), quantile_disc(duration, 0.99) FROM logs GROUP BY path",
     None),
    ("requests by minute and status class",
     "SELECT date_trunc('minute', time), status / 100, count(*) FROM logs GROUP BY 1, 2",
     "SELECT date_trunc('minute', time), status // 100, count(*) FROM logs GROUP BY 1, 2",
     None),
    ("one million groups (client, path)",
     "SELECT client, path, count(*) FROM logs GROUP BY client, path ORDER BY 3 DESC LIMIT 5",
     None,
     None),
]


def say(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


def timed(cmd: list[str], env=None) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one run; exits on failure."""
    with tempfile.NamedTemporaryFile() as t:
        start = time.monotonic()
        r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env=env)
        elapsed = time.monotonic() - start
        if r.returncode != 0:
            raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)[:200]}\n{r.stderr.decode()[-800:]}")
        rss = int(Path(t.name).read_text().split()[-1])
    return elapsed, rss


def best(cmd: list[str], runs: int, env=None) -> tuple[float, int]:
    results = [timed(cmd, env) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lnav-runs", type=int, default=1)
    args = ap.parse_args()
    logan = str(Path(args.build) / "logan")
    out = ROOT / "bench" / "out" / "query"
    out.mkdir(parents=True, exist_ok=True)
    log = out / f"combined_duration_{args.lines}.log"
    if not log.exists():
        say(f"generating {args.lines} lines")
        subprocess.run([logan, "gen", "--seed", "1", "-n", str(args.lines), "-f", "combined_duration",
                        "-o", str(log)], check=True)
    subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)  # into the page cache
    have_duckdb = (HERE / "node_modules" / "@duckdb" / "node-api").exists()
    if not have_duckdb:
        say("DuckDB is not installed: npm ci --prefix bench/query (its column is left empty)")
    lnav = shutil.which("lnav")
    lnav_home = tempfile.mkdtemp()  # lnav keeps state in $HOME/.lnav
    rows = []
    for name, sql, duck_sql, lnav_sql in QUERIES:
        say(f"logan: {name}")
        t_logan, rss = best([logan, "query", "--no-progress", sql, str(log)], args.runs)
        t_duck = t_lnav = None
        if duck_sql and have_duckdb:
            say(f"DuckDB: {name}")
            t_duck, _ = best(["node", str(HERE / "duckdb_query.mjs"), str(log), duck_sql], args.runs)
        if lnav_sql and lnav:
            say(f"lnav: {name}")
            env = dict(os.environ, HOME=lnav_home)
            t_lnav, _ = best([lnav, "-n", "-c", ";" + lnav_sql, str(log)], args.lnav_runs, env)
        rows.append((name, t_logan, rss, t_duck, t_lnav))
    shutil.rmtree(lnav_home, ignore_errors=True)
    n = args.lines
    print(f"\n{n:,} lines of combined + %D ({log.stat().st_size / 1e9:.2f} GB), {os.cpu_count()} cores, "
          f"best of {args.runs} (lnav: {args.lnav_runs})\n")
    print("| query | logan | M lines/s | peak RSS | DuckDB | logan vs DuckDB | lnav | logan vs lnav |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, t, rss, td, tl in rows:
        duck = f"{td:.2f} s" if td else "–"
        vs_duck = f"{td / t:.1f}x" if td else "–"
        lv = f"{tl:.2f} s" if tl else "–"
        vs_lnav = f"{tl / t:.1f}x" if tl else "–"
        print(f"| {name} | {t:.2f} s | {n / t / 1e6:.1f} | {rss / 1024:.0f} MB | {duck} | {vs_duck} | {lv} | {vs_lnav} |")


if __name__ == "__main__":
    main()
