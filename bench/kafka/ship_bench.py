#!/usr/bin/env python3
"""Benchmark of `logan ship`: lines per second produced to librdkafka's mock cluster.

    bench/kafka/ship_bench.py [--build DIR] [--lines N] [--runs R]

N lines (default 2,000,000) of `logan gen --seed 1 --format combined` are written to a file,
then, for each tool, R times (default 3, best kept), a fresh mock cluster
(build/tests/kafka/kafka_mock_cluster, 3 brokers, topic of 4 partitions) is started and the
file is piped to:
  - `logan ship --brokers B --topic logs` (defaults: the host name as key, lz4, 64 KiB messages,
    idempotent), and with `--key none`;
  - `kcat -P -b B -t logs -z lz4 -X enable.idempotence=true` (Debian's kcat: one message per
    line), for scale.
The clock runs from the start of the process to its exit, so it includes the final flush: every
line has been acknowledged by the mock brokers (the mock is in another process on the same 2
cores, and keeps only ~5 MB per partition, which does not slow it down).
Prints a Markdown table. Standard library only.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def say(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


def run_once(mock: str, make_cmd, path: Path) -> float:
    cluster = subprocess.Popen([mock, "--brokers", "3", "--topic", "logs:4"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        bootstrap = cluster.stdout.readline().strip()
        with path.open("rb") as f:
            start = time.monotonic()
            r = subprocess.run(make_cmd(bootstrap), stdin=f, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
            elapsed = time.monotonic() - start
        if r.returncode != 0:
            raise SystemExit(f"failed ({r.returncode}): {r.stderr.decode()[-500:]}")
        return elapsed
    finally:
        cluster.stdin.close()
        cluster.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    build = Path(args.build)
    logan, mock = str(build / "logan"), str(build / "tests" / "kafka" / "kafka_mock_cluster")
    kcat = shutil.which("kcat")
    if not kcat:
        raise SystemExit("kcat is not installed (dev/install-deps installs it)")
    with tempfile.TemporaryDirectory(prefix="ship-bench-") as tmp:
        path = Path(tmp) / "access.log"
        say(f"generating {args.lines} lines")
        with path.open("wb") as f:
            subprocess.run([logan, "gen", "--lines", str(args.lines), "--seed", "1",
                            "--format", "combined"], stdout=f, check=True)
        mb = path.stat().st_size / 1e6
        tools = {
            "logan ship (key: host name)":
                lambda b: [logan, "ship", "--brokers", b, "--topic", "logs"],
            "logan ship --key none":
                lambda b: [logan, "ship", "--brokers", b, "--topic", "logs", "--key", "none"],
            "kcat -P (one message per line)":
                lambda b: [kcat, "-P", "-b", b, "-t", "logs", "-z", "lz4",
                           "-X", "enable.idempotence=true"],
        }
        rows = []
        for name, cmd in tools.items():
            times = []
            for i in range(args.runs):
                say(f"{name}, run {i + 1}/{args.runs}")
                times.append(run_once(mock, cmd, path))
            best = min(times)
            rows.append((name, best, args.lines / best, mb / best))
    print(f"`logan ship` against librdkafka's mock cluster ({args.lines:,} combined lines, "
          f"{mb:.0f} MB; {os.cpu_count()} cores, {platform.machine()}; best of {args.runs})\n")
    print("| producer | wall s | lines/s | MB/s |")
    print("|---|---:|---:|---:|")
    for name, s, lps, mbs in rows:
        print(f"| {name} | {s:.2f} | {lps / 1e6:.2f} M | {mbs:.0f} |")


if __name__ == "__main__":
    main()
