#!/usr/bin/env python3
"""Benchmark of `logan stream kafka://...`: lines per second consumed from librdkafka's mock
cluster, next to Debian's kcat reading the same topic.

    bench/kafka/consume_bench.py [--build DIR] [--lines N] [--partitions P]

N lines (default 1,000,000) of `logan gen --seed 1` are shipped with `logan ship --key none
-X sticky.partitioning.linger.ms=0` (several lines per message, each message to a random
partition) to a topic of P partitions (default 64: the mock keeps only ~5 MB per partition and
drops older messages silently, so the topic must be wide enough to hold them all; kcat's count
checks that it did). Then:
  - `logan stream kafka://B/logs?group=bench --json --slide 100ms --window 100ms`: the rate is
    taken from the moment logan says the partitions are assigned (`kafka: assigned ...` on
    stderr) to the first published object whose total reaches N (so the consumer group's join
    is left out); the wall time from start is shown too, and the lines per second of CPU time
    logan used meanwhile (user + system, all threads, from /proc): what one core of logan
    consumes when the brokers are not the limit;
  - `kcat -C -e -q -o beginning -t logs` (no group, all partitions, output to /dev/null): its
    wall time from start to the end of every partition.
The mock runs in another process on the same 2 cores. Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK
GROUP = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--partitions", type=int, default=64)
    ap.add_argument("--ship-args", default="", help='more logan ship options, e.g. "--message-bytes 1MiB"')
    ap.add_argument("--stream-args", default="", help='more logan stream options, e.g. "-X fetch.max.bytes=..."')
    a = ap.parse_args()
    logan = str(Path(a.build) / "logan")
    mock = str(Path(a.build) / "tests" / "kafka" / "kafka_mock_cluster")
    with tempfile.TemporaryDirectory(prefix="logan-consume-bench-") as tmp:
        log = Path(tmp) / "access.log"
        subprocess.run([logan, "gen", "--lines", str(a.lines), "--seed", "1", "-o", log], check=True)
        cluster = subprocess.Popen([mock, "--brokers", "3", "--topic", f"logs:{a.partitions}"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            b = cluster.stdout.readline().strip()
            subprocess.run([logan, "ship", "--brokers", b, "--topic", "logs", "--key", "none",
                            "-X", "sticky.partitioning.linger.ms=0", *a.ship_args.split(), log],
                           check=True)
            start = time.monotonic()
            r = subprocess.run(["kcat", "-b", b, "-t", "logs", "-C", "-e", "-q", "-o", "beginning"],
                               stdout=subprocess.PIPE, check=True)
            kcat_wall = time.monotonic() - start
            kcat_lines = r.stdout.count(b"\n")
            if kcat_lines != a.lines:
                raise SystemExit(f"the topic holds {kcat_lines} lines, not {a.lines}: "
                                 "give it more --partitions")
            start = time.monotonic()
            p = subprocess.Popen([logan, "stream", f"kafka://{b}/logs?group=bench", *GROUP,
                                  "--json", "--slide", "100ms", "--window", "100ms",
                                  *a.stream_args.split()],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assigned: list[float] = []
            cpu_at_assignment: list[float] = []

            def watch_stderr():
                for line in p.stderr:
                    if "kafka: assigned" in line and not assigned:
                        cpu_at_assignment.append(cpu_seconds(p.pid))
                        assigned.append(time.monotonic())

            threading.Thread(target=watch_stderr, daemon=True).start()
            done = None
            for line in p.stdout:
                total = json.loads(line)["total"]["lines"]["total"]
                if total >= a.lines:
                    done = (time.monotonic(), total)
                    cpu = cpu_seconds(p.pid) - cpu_at_assignment[0]
                    break
                if time.monotonic() - start > 300:
                    break
            threading.Thread(target=p.stdout.read, daemon=True).start()  # keep the pipe moving
            p.terminate()
            p.wait()
            if done is None or not assigned:
                raise SystemExit(f"logan stream did not reach {a.lines} lines")
            rate = done[1] / max(done[0] - assigned[0], 1e-9)
            logan_wall = done[0] - start
        finally:
            cluster.stdin.close()
            cluster.wait()
    print(f"{a.lines} lines in a topic of {a.partitions} partitions (mock cluster, 3 brokers)")
    print("| consumer | lines | wall s from start | lines/s | lines per CPU second |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| logan stream kafka:// (rate from the assignment) | {done[1]} | {logan_wall:.2f} | "
          f"{rate / 1e6:.2f} M | {done[1] / max(cpu, 1e-9) / 1e6:.2f} M |")
    print(f"| kcat -C (no group) | {kcat_lines} | {kcat_wall:.2f} | {kcat_lines / kcat_wall / 1e6:.2f} M | |")


if __name__ == "__main__":
    main()
