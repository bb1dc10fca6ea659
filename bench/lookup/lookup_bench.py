#!/usr/bin/env python3
"""What a CIDR lookup costs `logan batch`: the same run without a lookup and with
`--lookup org=csv:networks.csv?key=network --group-by org.org` over a table of 100,000
networks (nested /16 > /20 > /24 > /28 prefixes and IPv6 /48s, most around the log's own
clients, the rest random; 5,000 organisations), alternated, the median of each, with one and
with two threads. The issue's bound: at most 20% slower.

    python3 bench/lookup/lookup_bench.py --logan build/logan --lines 5000000 --runs 5
"""
from __future__ import annotations

import argparse
import ipaddress
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def timed(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def networks(log: Path, count: int, seed: int) -> list[str]:
    """`count` distinct networks: around the log's clients first, then random ones."""
    rng = random.Random(seed)
    clients = set()
    with open(log, "rb") as f:
        for line in f:
            clients.add(line.split(b" ", 1)[0].decode("latin-1"))
    nets: set[str] = set()
    for c in sorted(clients):
        try:
            a = ipaddress.ip_address(c)
        except ValueError:
            continue
        lengths = (16, 20, 24, 28) if a.version == 4 else (32, 48)
        for length in lengths:
            if rng.random() < 0.5:
                nets.add(str(ipaddress.ip_network(f"{c}/{length}", strict=False)))
        if len(nets) >= count * 0.7:
            break
    while len(nets) < count:
        a = ipaddress.IPv4Address(rng.getrandbits(32))
        nets.add(str(ipaddress.ip_network(f"{a}/{rng.choice((12, 16, 20, 24, 28, 32))}", strict=False)))
    return sorted(nets)[:count]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logan", default=str(REPO / "build" / "logan"))
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument("--networks", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="logan-lookup-bench-") as tmp:
        log = Path(tmp) / "access.log"
        subprocess.run([a.logan, "gen", "--lines", str(a.lines), "--seed", "1", "-o", log], check=True)
        table = Path(tmp) / "networks.csv"
        nets = networks(log, a.networks, 1)
        table.write_text("network,org\n" + "".join(f"{n},org{i % 5000}\n" for i, n in enumerate(nets)))
        log.read_bytes()  # warm the page cache
        lookup = ["--lookup", f"org=csv:{table}?key=network", "--group-by", "org.org"]
        empty = Path(tmp) / "empty.log"
        empty.write_bytes(b"")
        load = statistics.median(timed([a.logan, "batch", "--no-progress", empty, *lookup]) for _ in range(3))
        results = {}
        for threads in ("1", "2"):
            base, with_lookup = [], []
            for _ in range(a.runs):
                cmd = [a.logan, "batch", "--no-progress", "--threads", threads, str(log)]
                base.append(timed(cmd))
                with_lookup.append(timed(cmd + lookup))
            results[threads] = (statistics.median(base), statistics.median(with_lookup))
        grouped = subprocess.run([a.logan, "batch", "--no-progress", "--json", str(log), *lookup],
                                 check=True, stdout=subprocess.PIPE).stdout.decode()
    import json
    g = json.loads(grouped)["groups"][0]
    matched = sum(1 for _ in g["top"])
    print(f"logan batch over {a.lines} combined lines, {len(nets)} networks, median of {a.runs} runs")
    print(f"loading the table alone (an empty log): {load:.3f} s; "
          f"{g['unmatched']['lines']} lines unmatched, {g['distinct_values']} organisations seen "
          f"({matched} listed)")
    print("| threads | no lookup s | lines/s | with lookup s | lines/s | slower by |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for threads, (base, look) in results.items():
        print(f"| {threads} | {base:.3f} | {a.lines / base:,.0f} | {look:.3f} | {a.lines / look:,.0f} | "
              f"{(look / base - 1) * 100:+.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
