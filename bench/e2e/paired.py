#!/usr/bin/env python3
"""Compares two logan binaries on one input by paired, alternating runs.

On a shared machine single timings swing by a third within minutes, but two runs taken back
to back see nearly the same load: the median of the per-pair ratios (new / old) is steady to
about 5% from one set of pairs to the next. Each pair alternates which binary goes first.

    bench/e2e/paired.py OLD NEW [--pairs 20] [--input FILE] [-- more batch arguments]

Prints the old and new minimum and median wall times and the median and mean of the ratios
(below 1: the new binary is faster).
"""
import argparse
import statistics
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--pairs", type=int, default=20)
    p.add_argument("--input", default="bench/out/access-5000000.log")
    p.add_argument("--format", default="combined")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:  # more `logan batch` arguments, e.g. -- --threads 1
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    a = p.parse_args(argv)
    a.extra = extra

    def run(binary):
        start = time.perf_counter()
        subprocess.run([binary, "batch", *a.extra, "--json", "--format", a.format, a.input],
                       stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start

    old, new, ratios = [], [], []
    for i in range(a.pairs):
        if i % 2:
            n = run(a.new)
            o = run(a.old)
        else:
            o = run(a.old)
            n = run(a.new)
        old.append(o)
        new.append(n)
        ratios.append(n / o)
    print(f"old: min {min(old):.3f} s, median {statistics.median(old):.3f} s")
    print(f"new: min {min(new):.3f} s, median {statistics.median(new):.3f} s")
    print(f"new/old: median {statistics.median(ratios):.3f}, mean {statistics.mean(ratios):.3f} "
          f"({a.pairs} pairs)")


if __name__ == "__main__":
    sys.exit(main())
