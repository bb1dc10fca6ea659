#!/usr/bin/env python3
"""Benchmark of the end-to-end latency from `logan ship` to `logan stream kafka://` output:
how long after a line is written into `logan ship`'s stdin the slide that counts it is printed.

    bench/kafka/latency_bench.py [--build DIR] [--probes N] [--slide 1s]

A mock cluster (3 brokers, topic of 4 partitions) runs; `logan ship --brokers B --topic logs`
reads a pipe (its defaults: 100 ms linger); `logan stream kafka://B/logs?group=lat --json
--slide S --window S --top 1000` consumes. After the stream says its partitions are assigned,
N probe lines (default 30), each with an endpoint of its own (/probe-I), are written at random
moments spread over the slides; a probe's latency runs from its write to the first printed
object whose window lists its endpoint. The target (issue 4) is under one slide plus 100 ms.
Prints a Markdown table. Standard library only.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GROUP = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]


def seconds(text: str) -> float:
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--probes", type=int, default=30)
    ap.add_argument("--slide", default="1s")
    ap.add_argument("--stream-args", default="", help="more logan stream options, e.g. \"-X fetch.wait.max.ms=100\"")
    ap.add_argument("--ship-args", default="", help="more logan ship options, e.g. \"--linger 5ms\"")
    a = ap.parse_args()
    logan = str(Path(a.build) / "logan")
    mock = str(Path(a.build) / "tests" / "kafka" / "kafka_mock_cluster")
    slide = seconds(a.slide)
    cluster = subprocess.Popen([mock, "--brokers", "3", "--topic", "logs:4"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    b = cluster.stdout.readline().strip()
    ship = subprocess.Popen([logan, "ship", "--brokers", b, "--topic", "logs", *a.ship_args.split()],
                            stdin=subprocess.PIPE)
    stream = subprocess.Popen([logan, "stream", f"kafka://{b}/logs?group=lat", *GROUP, "--json",
                               "--slide", a.slide, "--window", a.slide, "--top", "1000",
                               "--format", "combined", *a.stream_args.split()],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assigned = threading.Event()

    def watch_stderr():
        for line in stream.stderr:
            if "kafka: assigned" in line:
                assigned.set()

    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    lock = threading.Lock()

    def watch_stdout():
        for line in stream.stdout:
            now = time.monotonic()
            o = json.loads(line)
            with lock:
                for e in o["window"]["top_endpoints"]:
                    if e["endpoint"] in sent and e["endpoint"] not in seen:
                        seen[e["endpoint"]] = now

    threading.Thread(target=watch_stderr, daemon=True).start()
    threading.Thread(target=watch_stdout, daemon=True).start()
    try:
        if not assigned.wait(60):
            raise SystemExit("logan stream was not assigned partitions within 60 s")
        time.sleep(2 * slide)
        rng = random.Random(7)
        for i in range(a.probes):
            time.sleep(rng.uniform(0.3, 1.7) * slide)
            endpoint = f"/probe-{i}"
            line = (f'192.0.2.{i % 250 + 1} - - [07/Mar/2024:10:00:00 +0000] "GET {endpoint} '
                    f'HTTP/1.1" 200 512 "-" "latency-bench"\n').encode()
            with lock:
                sent[endpoint] = time.monotonic()
            ship.stdin.write(line)
            ship.stdin.flush()
        deadline = time.monotonic() + 10 * slide + 5
        while time.monotonic() < deadline:
            with lock:
                if len(seen) == len(sent):
                    break
            time.sleep(0.05)
    finally:
        ship.stdin.close()
        ship.wait()
        stream.terminate()
        stream.wait()
        cluster.stdin.close()
        cluster.wait()
    with lock:
        lat = sorted(seen[e] - sent[e] for e in seen)
    if len(lat) != len(sent):
        raise SystemExit(f"only {len(lat)} of {len(sent)} probes were seen")
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]  # noqa: E731
    print(f"{len(lat)} probes, slide {a.slide} (target: under {slide * 1000 + 100:.0f} ms)")
    print("| median ms | p90 ms | max ms |")
    print("| --- | --- | --- |")
    print(f"| {pct(0.5) * 1000:.0f} | {pct(0.9) * 1000:.0f} | {lat[-1] * 1000:.0f} |")


if __name__ == "__main__":
    main()
