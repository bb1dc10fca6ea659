#!/usr/bin/env python3
"""What `logan ship --follow --checkpoint` and `--exactly-once` cost, against librdkafka's mock
cluster (build/tests/kafka/kafka_mock_cluster, 3 brokers, topic of 4 partitions).

    bench/kafka/checkpoint_bench.py [--build DIR] [--lines N] [--runs R]

N lines (default 2,000,000) of `logan gen --seed 1 --format combined` are written to a file; then,
R times each (default 3, best kept, a fresh mock cluster every time):
  - throughput: the file shipped whole by `logan ship FILE` (no position kept: the baseline),
    and followed by `logan ship --follow --checkpoint DIR` with and without `--exactly-once`,
    timed until the checkpoint says every byte was acknowledged (the shipper is then stopped;
    the checkpoint is read with a small decoder of its layout, docs/kafka.md);
  - start-up after a crash: `--exactly-once` (`--checkpoint-interval 200ms`) killed with kill -9
    while it ships (half an interval after a save), then started again: the time until it has read the
    topic back (its "resuming after an unclean stop" line), and how many messages that read
    took. (The mock keeps about the last 5 MB of a partition, so a read-back reads at most
    that.)
Prints a Markdown table. Standard library only.
"""
from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def say(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


class Reader:
    """Varints and length-prefixed strings, as src/stats/serial.h writes them."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def u64(self) -> int:
        shift = value = 0
        while True:
            b = self.data[self.pos]
            self.pos += 1
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def i64(self) -> int:
        v = self.u64()
        return (v >> 1) ^ -(v & 1)

    def bytes(self) -> bytes:
        n = self.u64()
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


def acked_bytes(checkpoint: Path) -> int:
    """The sum of every file's acknowledged offset in a ship checkpoint (0 when there is none)."""
    try:
        data = checkpoint.read_bytes()
    except FileNotFoundError:
        return 0
    if not data.startswith(b"LOGANSH\x01"):
        return 0
    r = Reader(data[8:-4])
    r.u64(), r.i64(), r.bytes(), r.bytes(), r.u64(), r.u64()  # version .. flags
    total = 0
    for _ in range(r.u64()):
        r.bytes()
        for _ in range(r.u64()):
            r.u64()                                # file id
            r.bytes(), r.u64(), r.u64(), r.u64(), r.u64()  # path, device, inode, fp len, fp
            total += r.u64()                       # offset
            r.u64(), r.u64(), r.u64()              # lines, flags, raw size
            r.u64(), r.u64()                       # sent offset, sent lines
    return total


class Cluster:
    def __init__(self, mock: str):
        self.proc = subprocess.Popen([mock, "--brokers", "3", "--topic", "logs:4"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.bootstrap = self.proc.stdout.readline().strip()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def ship_once(logan: str, mock: str, path: Path) -> float:
    c = Cluster(mock)
    try:
        start = time.monotonic()
        r = subprocess.run([logan, "ship", "--brokers", c.bootstrap, "--topic", "logs", str(path)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.monotonic() - start
        if r.returncode != 0:
            raise SystemExit(f"logan ship failed: {r.stderr.decode()[-500:]}")
        return elapsed
    finally:
        c.close()


def follow_once(logan: str, mock: str, path: Path, tmp: Path, *mode: str) -> float:
    c = Cluster(mock)
    ck = tmp / f"ck-{time.monotonic_ns()}"
    size = path.stat().st_size
    try:
        start = time.monotonic()
        p = subprocess.Popen([logan, "ship", "--brokers", c.bootstrap, "--topic", "logs",
                              "--follow", str(path), "--checkpoint", str(ck),
                              "--checkpoint-interval", "50ms", *mode],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while acked_bytes(ck / "ship.checkpoint") < size:
            if p.poll() is not None:
                raise SystemExit(f"logan ship exited: {p.stderr.read().decode()[-500:]}")
            time.sleep(0.01)
        elapsed = time.monotonic() - start
        p.send_signal(signal.SIGTERM)
        p.wait()
        return elapsed
    finally:
        c.close()


def restart_once(logan: str, mock: str, path: Path, tmp: Path) -> tuple[float, int]:
    """kill -9 with lines in flight, then the time a new start takes to read the topic back."""
    c = Cluster(mock)
    ck = tmp / f"ck-{time.monotonic_ns()}"
    args = [logan, "ship", "--brokers", c.bootstrap, "--topic", "logs", "--follow", str(path),
            "--checkpoint", str(ck), "--checkpoint-interval", "200ms", "--exactly-once"]
    try:
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill it while it ships, half a checkpoint interval (200 ms) after a save showed some
        # of the file acknowledged: what was delivered since that save is read back.
        while acked_bytes(ck / "ship.checkpoint") == 0:
            time.sleep(0.002)
        time.sleep(0.1)
        p.kill()
        p.wait()
        start = time.monotonic()
        q = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        messages = -1
        for line in q.stderr:
            if "resuming after an unclean stop" in line:
                messages = int(line.split("read ")[1].split(" ")[0])
                break
        elapsed = time.monotonic() - start
        q.send_signal(signal.SIGTERM)
        threading.Thread(target=q.stderr.read, daemon=True).start()
        q.wait()
        return elapsed, messages
    finally:
        c.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    build = Path(args.build)
    logan, mock = str(build / "logan"), str(build / "tests" / "kafka" / "kafka_mock_cluster")
    with tempfile.TemporaryDirectory(prefix="checkpoint-bench-") as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "access.log"
        say(f"generating {args.lines} lines")
        with path.open("wb") as f:
            subprocess.run([logan, "gen", "--lines", str(args.lines), "--seed", "1",
                            "--format", "combined"], stdout=f, check=True)
        mb = path.stat().st_size / 1e6
        rows = []
        runs = {
            "logan ship FILE (no position kept)": lambda: ship_once(logan, mock, path),
            "logan ship --follow --checkpoint": lambda: follow_once(logan, mock, path, tmp),
            "logan ship --follow --checkpoint --exactly-once":
                lambda: follow_once(logan, mock, path, tmp, "--exactly-once"),
        }
        for name, run in runs.items():
            times = []
            for i in range(args.runs):
                say(f"{name}, run {i + 1}/{args.runs}")
                times.append(run())
            rows.append((name, min(times)))
        restarts = []
        for i in range(args.runs):
            say(f"restart after kill -9, run {i + 1}/{args.runs}")
            restarts.append(restart_once(logan, mock, path, tmp))
    print(f"`logan ship` positions against librdkafka's mock cluster ({args.lines:,} combined "
          f"lines, {mb:.0f} MB; {os.cpu_count()} cores, {platform.machine()}; best of {args.runs})\n")
    print("| run | wall s | lines/s | vs. no position |")
    print("|---|---:|---:|---:|")
    base = rows[0][1]
    for name, s in rows:
        print(f"| {name} | {s:.2f} | {args.lines / s / 1e6:.2f} M | {s / base:.2f}x |")
    best = min(restarts)
    print(f"\nRestart after kill -9 with `--exactly-once`: read-back of {best[1]} messages done "
          f"{best[0]:.2f} s after start (best of {args.runs}; all: "
          f"{', '.join(f'{s:.2f} s / {m} messages' for s, m in restarts)}).")


if __name__ == "__main__":
    main()
