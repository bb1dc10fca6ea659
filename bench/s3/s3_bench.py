#!/usr/bin/env python3
"""How fast `logan batch` reads from S3 next to plain downloads: N objects generated with
`logan gen` are put into an s3rver started for the purpose (tests/e2e/s3_server.py), then timed:
`logan batch` over s3://bench/*.log (download and analysis together), parallel `curl` processes
downloading the same objects to /dev/null with the same number of connections (the peer), and
`logan batch` over the local copies (the analysis alone), curl to files followed by `logan
batch` over them (what one would do without S3 support), and the curl downloads to /dev/null
while `logan batch` analyses the local copies at the same time (the same two pieces of work as
separate programs with no hand-over between them: on a machine whose cores the S3 server shares,
how fast the server can deliver while the analysis runs). Best of --runs for each; MB/s counts
the objects' bytes. With --link-mbit, logan and curl are also timed with the loopback interface
shaped to a network's rate (tc, as root), where the network and not the machine's CPU is the
bound: on a small machine the local server's own CPU use otherwise decides.

    python3 bench/s3/s3_bench.py --logan build/logan --objects 8 --lines 200000 --connections 8
    sudo python3 bench/s3/s3_bench.py --link-mbit 0,2400,4000,8000
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
import s3_server  # noqa: E402


def best_of(runs: int, cmd_or_fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        if callable(cmd_or_fn):
            cmd_or_fn()
        else:
            subprocess.run([str(c) for c in cmd_or_fn], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def parallel_curl(endpoint: str, keys: list[str], connections: int, out_dir: Path | None = None):
    """Downloads every key with at most `connections` curl processes at a time, signed as
    logan signs (SigV4 with curl's --aws-sigv4), started by one xargs."""
    out = str(out_dir / "{}") if out_dir else "/dev/null"
    subprocess.run(
        ["xargs", "-0", "-P", str(connections), "-I{}",
         "curl", "-sS", "-f", "-o", out, "--aws-sigv4", "aws:amz:us-east-1:s3",
         "--user", f"{s3_server.ACCESS_KEY}:{s3_server.SECRET_KEY}",
         "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", f"{endpoint}/bench/{{}}"],
        input="\0".join(keys).encode(), check=True)


class ShapedLoopback:
    """Limits the loopback interface to `mbit` Mbit/s (tc's token bucket filter) while in use:
    the S3 server then sends at a network's rate instead of as fast as its CPU allows. Needs
    root and tc (Debian package iproute2); 0 leaves the interface alone. Should the script be
    killed meanwhile, `tc qdisc del dev lo root` lifts the limit."""

    def __init__(self, mbit: int):
        self.mbit = mbit

    def __enter__(self):
        if self.mbit:
            burst = max(2 << 20, self.mbit * 1_000_000 // 8 // 500)
            subprocess.run(["tc", "qdisc", "replace", "dev", "lo", "root", "tbf", "rate",
                            f"{self.mbit}mbit", "burst", str(burst), "latency", "50ms"],
                           check=True)
        return self

    def __exit__(self, *exc):
        if self.mbit:
            subprocess.run(["tc", "qdisc", "del", "dev", "lo", "root"], check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logan", default=str(REPO / "build" / "logan"))
    ap.add_argument("--objects", type=int, default=8)
    ap.add_argument("--lines", type=int, default=200_000, help="lines per object")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--link-mbit", default="0",
                    help="comma-separated loopback rates in Mbit/s to also time logan and curl "
                         "at (needs root and tc); unshaped is always timed")
    a = ap.parse_args()
    rates = sorted({0, *(int(r) for r in a.link_mbit.split(","))})  # always unshaped first
    server = s3_server.S3rver()
    try:
        server.create_bucket("bench")
        keys, total = [], 0
        with tempfile.TemporaryDirectory(prefix="logan-s3-bench-") as tmp:
            for i in range(a.objects):
                path = Path(tmp) / f"access-{i:03d}.log"
                subprocess.run([a.logan, "gen", "--lines", str(a.lines), "--seed", str(i + 1),
                                "-o", path], check=True)
                server.put("bench", path.name, path.read_bytes())
                keys.append(path.name)
                total += path.stat().st_size
            local = sorted(str(p) for p in Path(tmp).glob("*.log"))
            env_logan = [a.logan, "batch", "--json", "--no-progress", "--s3-endpoint",
                         server.endpoint, "--s3-connections", str(a.connections)]
            os.environ["AWS_ACCESS_KEY_ID"] = s3_server.ACCESS_KEY
            os.environ["AWS_SECRET_ACCESS_KEY"] = s3_server.SECRET_KEY
            # logan and curl alternately, best of each, at every link rate asked for.
            by_rate = {}
            for rate in rates:
                t_l, t_c = [], []
                with ShapedLoopback(rate):
                    for _ in range(a.runs):
                        t_l.append(best_of(1, env_logan + ["s3://bench/*.log"]))
                        t_c.append(best_of(1, lambda: parallel_curl(server.endpoint, keys,
                                                                      a.connections)))
                by_rate[rate] = (min(t_l), min(t_c))
            t_logan, t_curl = by_rate[0]
            t_local = best_of(a.runs, [a.logan, "batch", "--json", "--no-progress", *local])
            fetched = Path(tmp) / "fetched"
            fetched.mkdir()

            def download_then_analyse():
                parallel_curl(server.endpoint, keys, a.connections, fetched)
                subprocess.run([a.logan, "batch", "--json", "--no-progress",
                                *sorted(str(p) for p in fetched.iterdir())],
                               check=True, stdout=subprocess.DEVNULL)
            t_both = best_of(a.runs, download_then_analyse)

            def download_beside_analysis():
                analysis = subprocess.Popen([a.logan, "batch", "--json", "--no-progress", *local],
                                            stdout=subprocess.DEVNULL)
                parallel_curl(server.endpoint, keys, a.connections)
                if analysis.wait() != 0:
                    raise RuntimeError("logan batch failed")
            t_beside = best_of(a.runs, download_beside_analysis)
    finally:
        server.stop()
    mb = total / 1e6
    print(f"{a.objects} objects, {mb:.0f} MB, {a.objects * a.lines} lines, "
          f"{a.connections} connections, {os.cpu_count()} cores, best of {a.runs}")
    print(f"{'what':44} {'seconds':>8} {'MB/s':>8}")
    for name, t in (("logan batch s3://bench/*.log", t_logan),
                    (f"curl x{a.connections} in parallel to /dev/null", t_curl),
                    ("logan batch over the local files", t_local),
                    ("curl to files, then logan batch over them", t_both),
                    ("curl to /dev/null with logan over local files", t_beside)):
        print(f"{name:44} {t:8.2f} {mb / t:8.1f}")
    for rate in rates[1:]:
        t_l, t_c = by_rate[rate]
        print(f"loopback shaped to {rate} Mbit/s: logan {t_l:.2f} s, curl {t_c:.2f} s, "
              f"logan / curl throughput {t_c / t_l:.2f}")
    print(f"logan / curl throughput: {t_curl / t_logan:.2f}; "
          f"logan / (curl, then logan): {t_both / t_logan:.2f}; "
          f"logan / (curl beside the analysis): {t_beside / t_logan:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
