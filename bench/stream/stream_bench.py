#!/usr/bin/env python3
"""Benchmark of `logan stream`: ingest rate, slide latency and memory over a long run.

    bench/stream/stream_bench.py [--logan PATH] [--lines N] [--out DIR]
                                 [--memory-minutes M] [--memory-rate R] [--skip ingest,latency,memory]

1. Ingest (N lines, default 10,000,000, of `logan gen --seed 1 --format combined`), with
   `--window 30s --slide 1s`:
   a. socket: `logan stream --json ... listen://127.0.0.1:0`, one sender writes the whole file
      into the socket (sendfile);
   b. file, catching up: the file is in a watched directory before logan starts (the read path
      of a growing file that is ahead of logan; the clock starts with logan);
   c. growing file: `logan stream ... DIR/watched` while the file is copied into the watched
      directory (shutil.copyfileobj, 1 MiB writes): the writer shares the 2 cores with logan;
   Watched directories are made on /dev/shm when it exists, so the disk does not set the pace.
   d. stdin: `logan stream --json - < FILE` (ends at the end of the input).
   The sustained rate is the slope of the published all-time totals against the windows' end
   times (the wall-clock ticks at which they were taken), between the first and the last tick
   that fall inside the run; for stdin, N over the whole run of the process.
   Peers in the same run: `mawk -f bench/e2e/four_stats.awk` reading the same bytes from a pipe,
   and `cat FILE > /dev/null` through a pipe (the copy itself).
2. Latency: a watched file gets one line every ~1.3 s (at random points of the slide) while logan
   runs with --slide 1s; for each line, the time from the append until the first published
   object whose total includes it. The target is the slide interval plus 200 ms.
3. Memory: M minutes (default 10) at R lines/s (default 200,000) into a listen socket, with
   --window 30s --slide 5s; RSS (VmRSS of /proc/PID/status) is sampled every 5 s. Flat means the
   last minute's peak is within 10% of the second minute's.

Prints a Markdown report (and writes it to DIR/stream-results.md). Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INGEST_WINDOWS = ["--window", "30s", "--slide", "1s"]


def say(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


class StreamProcess:
    """A running `logan stream --json`, with its published objects read on a thread."""

    def __init__(self, logan: str, args: list[str], stdin=None):
        self.proc = subprocess.Popen([logan, "stream", "--json", *args], stdin=stdin,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.objects: list[tuple[float, dict]] = []
        self.cond = threading.Condition()
        self.stderr_lines: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            doc = json.loads(line)
            # Keep only what the benchmark needs: the documents can be large.
            slim = {"total": doc["total"]["lines"]["total"], "final": doc["final"],
                    "end": doc["window_end"]}
            with self.cond:
                self.objects.append((now, slim))
                self.cond.notify_all()

    def _read_stderr(self):
        for line in self.proc.stderr:
            with self.cond:
                self.stderr_lines.append(line.decode(errors="replace"))
                self.cond.notify_all()

    def wait_total(self, n: int, timeout: float = 600) -> float:
        """monotonic time of the first object whose total is >= n."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, doc in self.objects:
                    if doc["total"] >= n:
                        return t
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and not self._pending():
                    raise RuntimeError(f"total never reached {n}: {self.objects[-1:]} "
                                       f"{''.join(self.stderr_lines)}")
                self.cond.wait(min(left, 1))

    def sustained_rate(self, n: int) -> float:
        """lines/s between the first and last ticks with 0 < total < n (needs two)."""
        from datetime import datetime
        with self.cond:
            inside = [(datetime.fromisoformat(d["end"].replace("Z", "+00:00")).timestamp(), d["total"])
                      for _, d in self.objects if 0 < d["total"] < n and not d["final"]]
        if len(inside) < 2:
            raise RuntimeError(f"the run was too short to measure: {inside} (use more --lines)")
        (t0, c0), (t1, c1) = inside[0], inside[-1]
        return (c1 - c0) / (t1 - t0)

    def _pending(self) -> bool:
        return not self.proc.stdout.closed

    def listening_port(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        with self.cond:
            while time.monotonic() < deadline:
                for line in self.stderr_lines:
                    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                    if m:
                        return int(m.group(1))
                self.cond.wait(0.5)
        raise RuntimeError("logan did not say which port it listens on")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=120)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def generate(logan: str, lines: int, out: Path) -> Path:
    path = out / f"access-{lines}.log"
    if path.exists():
        with open(path, "rb") as f:
            if sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b"")) == lines:
                return path
    say(f"generating {lines} lines into {path}")
    with open(path, "wb") as f:
        subprocess.run([logan, "gen", "--lines", str(lines), "--seed", "1", "--format", "combined"],
                       stdout=f, check=True)
    return path


def bench_socket(logan: str, data: Path, lines: int) -> float:
    p = StreamProcess(logan, [*INGEST_WINDOWS, "--format", "combined",
                              "listen://127.0.0.1:0"])
    try:
        port = p.listening_port()
        with socket.create_connection(("127.0.0.1", port)) as s, open(data, "rb") as f:
            s.sendfile(f)
        p.wait_total(lines)
        return p.sustained_rate(lines)
    finally:
        p.stop()


def bench_file(logan: str, data: Path, lines: int, tmp: Path) -> float:
    watched = tmp / "watched"
    watched.mkdir()
    p = StreamProcess(logan, [*INGEST_WINDOWS, "--format", "combined",
                              str(watched)])
    try:
        time.sleep(1)  # let it start watching
        with open(data, "rb") as src, open(watched / "access.log", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        p.wait_total(lines)
        return p.sustained_rate(lines)
    finally:
        p.stop()
        shutil.rmtree(watched)


def bench_catch_up(logan: str, data: Path, lines: int, tmp: Path) -> float:
    watched = tmp / "caught-up"
    watched.mkdir()
    shutil.copyfile(data, watched / "access.log")
    p = StreamProcess(logan, [*INGEST_WINDOWS, "--format", "combined",
                              str(watched)])
    try:
        p.wait_total(lines)
        return p.sustained_rate(lines)
    finally:
        p.stop()
        shutil.rmtree(watched)


def bench_stdin(logan: str, data: Path, lines: int) -> float:
    with open(data, "rb") as f:
        t0 = time.monotonic()
        p = StreamProcess(logan, [*INGEST_WINDOWS, "--format", "combined",
                                  "-"], stdin=f)
        t = p.wait_total(lines)
        p.proc.wait()
    return lines / (t - t0)


def bench_pipe_peer(cmd: str, data: Path, lines: int) -> float | None:
    tool = cmd.split()[0]
    if shutil.which(tool) is None:
        return None
    t0 = time.monotonic()
    subprocess.run(f"cat {data} | {cmd}", shell=True, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "LC_ALL": "C"})
    return lines / (time.monotonic() - t0)


def bench_latency(logan: str, tmp: Path, samples: int = 10) -> list[float]:
    watched = tmp / "latency"
    watched.mkdir()
    log = watched / "access.log"
    log.write_bytes(b"")
    p = StreamProcess(logan, ["--window", "5s", "--slide", "1s", "--format", "combined", str(watched)])
    line = (b'192.0.2.1 - - [07/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "bench"\n')
    out = []
    try:
        time.sleep(1.5)
        for i in range(samples):
            time.sleep(1.0 + random.random() * 0.6)
            with open(log, "ab") as f:
                f.write(line)
            t0 = time.monotonic()
            out.append(p.wait_total(i + 1, timeout=30) - t0)
    finally:
        p.stop()
    return out


def bench_memory(logan: str, data: Path, minutes: float, rate: int) -> list[tuple[float, int]]:
    p = StreamProcess(logan, ["--format", "combined", "listen://127.0.0.1:0"])
    samples = []
    try:
        port = p.listening_port()
        with open(data, "rb") as f:
            corpus = f.read(64 << 20).splitlines(keepends=True)
        per_tick = max(1, rate // 10)
        stop = time.monotonic() + minutes * 60
        t_start = time.monotonic()
        next_sample = t_start
        with socket.create_connection(("127.0.0.1", port)) as s:
            i = 0
            tick = time.monotonic()
            while time.monotonic() < stop:
                chunk = corpus[i:i + per_tick]
                if len(chunk) < per_tick:
                    i = 0
                    chunk = corpus[:per_tick]
                i += per_tick
                s.sendall(b"".join(chunk))
                now = time.monotonic()
                if now >= next_sample:
                    samples.append((now - t_start, rss_kib(p.proc.pid)))
                    next_sample += 5
                tick += 0.1
                time.sleep(max(0, tick - time.monotonic()))
    finally:
        p.stop()
    return samples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--logan", default=str(ROOT / "build" / "logan"))
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--memory-minutes", type=float, default=10)
    ap.add_argument("--memory-rate", type=int, default=200_000)
    ap.add_argument("--skip", default="", help="comma-separated: ingest, latency, memory")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = generate(args.logan, args.lines, out)
    size = data.stat().st_size
    report = [f"# logan stream benchmark", "",
              f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: "
              f"{os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}",
              f"- input: {args.lines} combined lines, {size / 1e6:.0f} MB (`logan gen --seed 1`)",
              f"- command: `{' '.join(sys.argv)}`", ""]
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        tmp = Path(tmp)
        if "ingest" not in skip:
            subprocess.run(f"cat {data} > /dev/null", shell=True, check=True)
            rows = []
            say("ingest: socket")
            rows.append(("logan stream listen:// (socket)", bench_socket(args.logan, data, args.lines)))
            say("ingest: a file in a watched directory, read from its start")
            rows.append(("logan stream DIR (file ahead of logan)", bench_catch_up(args.logan, data, args.lines, tmp)))
            say("ingest: growing file in a watched directory")
            rows.append(("logan stream DIR (file growing, writer on the same cores)", bench_file(args.logan, data, args.lines, tmp)))
            say("ingest: stdin")
            rows.append(("logan stream - (stdin pipe)", bench_stdin(args.logan, data, args.lines)))
            say("peers: mawk and cat through a pipe")
            awk = bench_pipe_peer(f"mawk -f {ROOT}/bench/e2e/four_stats.awk", data, args.lines)
            rows.append(("mawk four_stats.awk (pipe)", awk))
            rows.append(("cat > /dev/null (pipe)", bench_pipe_peer("cat", data, args.lines)))
            logan_socket = rows[0][1]
            report += ["## Ingest", "", "| reader | lines/s | MB/s | vs logan socket |", "|---|---:|---:|---:|"]
            for name, rate in rows:
                if rate is None:
                    report.append(f"| {name} | n/a | n/a | n/a |")
                    continue
                report.append(f"| {name} | {rate / 1e6:.2f} M | {rate * size / args.lines / 1e6:.0f} | "
                              f"{rate / logan_socket:.2f}x |")
            report.append("")
        if "latency" not in skip:
            say("latency: one line every ~1.3 s, --slide 1s")
            lat = bench_latency(args.logan, tmp)
            report += ["## Latency (append to a watched file -> published, --slide 1s)", "",
                       f"- {len(lat)} samples: median {sorted(lat)[len(lat) // 2] * 1000:.0f} ms, "
                       f"max {max(lat) * 1000:.0f} ms (target: under 1200 ms)", ""]
        if "memory" not in skip:
            say(f"memory: {args.memory_minutes} min at {args.memory_rate} lines/s")
            mem = bench_memory(args.logan, data, args.memory_minutes, args.memory_rate)
            report += [f"## Memory ({args.memory_minutes:g} min at {args.memory_rate} lines/s into a socket, "
                       f"--window 30s --slide 5s)", "", "| elapsed s | RSS MB |", "|---:|---:|"]
            for t, kib in mem[:: max(1, len(mem) // 12)]:
                report.append(f"| {t:.0f} | {kib / 1024:.0f} |")
            minute2 = [k for t, k in mem if 60 <= t < 120] or [mem[0][1]]
            last = [k for t, k in mem if t >= mem[-1][0] - 60]
            report += ["", f"- peak RSS in the second minute {max(minute2) / 1024:.0f} MB, in the last "
                       f"minute {max(last) / 1024:.0f} MB ({(max(last) / max(minute2) - 1) * 100:+.0f}%)", ""]
    text = "\n".join(report)
    print(text)
    (out / "stream-results.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
