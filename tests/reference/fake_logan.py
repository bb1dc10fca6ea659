#!/usr/bin/env python3
"""A stand-in for the logan CLI built on the reference implementation, only for checking the
end-to-end tests themselves before (or without) the real binary:

    LOGAN=tests/reference/fake_logan.py python3 tests/e2e/test_inputs.py

It implements `gen` and `batch` as the CLI contract describes them, slowly and without bounded
memory (the 50 MB-line memory check fails with it, as it should). Not a specification: where
it makes a choice the contract does not, the tests must not depend on that choice.
"""
import argparse
import glob
import os
import random
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference_stats as ref  # noqa: E402

# --------------------------------------------------------------------------------------------
# gen
# --------------------------------------------------------------------------------------------

AGENTS = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", 'Bot \\"quoted\\" 1.0', "-"]
PATHS = ["/", "/index.html", "/a/b?x=1&y=2", "/img/logo.png", "/api/v1/items/42", "/caf\u00e9"]


def gen_line(rnd, fmt):
    ip = rnd.choice([f"10.0.{rnd.randint(0, 3)}.{rnd.randint(1, 40)}", "2001:db8::7",
                     "crawler.example.com"])
    ts = (f"{rnd.randint(1, 28):02d}/{rnd.choice(['Jan', 'Mar', 'Dec'])}/2024:"
          f"{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d} "
          f"{rnd.choice(['+0000', '-0800', '+0530'])}")
    req = rnd.choice([f"{rnd.choice(['GET', 'GET', 'POST', 'HEAD'])} {rnd.choice(PATHS)} HTTP/1.1",
                      "-", "GET /"])
    status = rnd.choice([200, 200, 200, 304, 404, 500, 408])
    size = rnd.choice(["-", str(rnd.randint(0, 100000))])
    line = f'{ip} - - [{ts}] "{req}" {status} {size}'
    if fmt in ("combined", "vhost_combined"):
        line += f' "{rnd.choice(["-", "https://example.com/"])}" "{rnd.choice(AGENTS)}"'
    if fmt == "vhost_combined":
        line = f"www.example.com:{rnd.choice([80, 443])} " + line
    return line.encode()


def gen_malformed(rnd, fmt):
    kind = rnd.randrange(5)
    if kind == 0:
        return b""
    if kind == 1:
        return bytes(rnd.choice(b"abcdefghij klmnop[]\"") for _ in range(rnd.randint(1, 60)))
    if kind == 2:
        line = gen_line(rnd, fmt)
        return line[:rnd.randint(1, len(line) - 1)]
    if kind == 3:
        return gen_line(rnd, fmt).replace(b'" 200 ', b'" 2x0 ').replace(b'" 404 ', b'" 40 ')
    return b"\xff\xfe\x00bad\xc3\x28 \x00" + bytes(rnd.randint(1, 255) for _ in range(20)).replace(
        b"\n", b"n")


def cmd_gen(a):
    rnd = random.Random(a.seed)
    out = []
    for _ in range(a.lines):
        out.append(gen_malformed(rnd, a.format) if rnd.random() < a.malformed
                   else gen_line(rnd, a.format))
    data = b"\n".join(out) + b"\n"
    if a.o:
        Path(a.o).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


# --------------------------------------------------------------------------------------------
# batch
# --------------------------------------------------------------------------------------------

class InputError(Exception):
    pass


def expand(inputs):
    """[(source name, path or '-')] in order, or InputError naming the input."""
    out = []
    for inp in inputs:
        if inp == "-":
            out.append(("-", "-"))
        elif any(c in inp for c in "*?["):
            matches = sorted(p for p in glob.glob(inp, recursive=True) if os.path.isfile(p))
            if not matches:
                raise InputError(f"{inp}: no file matches this pattern")
            out += [(m, m) for m in matches]
        elif os.path.isdir(inp):
            found = []
            for root, dirs, files in os.walk(inp):
                found += [os.path.join(root, f) for f in files]
            out += [(f, f) for f in sorted(found, key=lambda p: Path(p).parts)]
        elif os.path.exists(inp):
            out.append((inp, inp))
        else:
            raise InputError(f"{inp}: No such file or directory")
    return out


def read(source, path, stdin_cache):
    try:
        if path == "-":
            if "data" not in stdin_cache:
                stdin_cache["data"] = sys.stdin.buffer.read()
            raw = stdin_cache["data"]
        else:
            raw = Path(path).read_bytes()
        return ref.decompress(raw)
    except OSError as e:
        raise InputError(f"{source}: {e.strerror}")
    except (EOFError, zlib.error, OSError, ValueError) as e:
        raise InputError(f"{source}: corrupt or truncated compressed stream ({e})")


def detect(datas):
    for fmt in ("vhost_combined", "combined", "common"):
        lf = ref.compile_format(fmt)
        for data in datas:
            sample = [ln for _, ln in zip(range(200), ref.iter_lines(data)) if ln]
            if sample and sum(1 for ln in sample if lf.regex.fullmatch(ln)) * 2 > len(sample):
                return fmt
    return "common"


def text_report(d):
    cs = d["content_size"]
    out = [f"Lines: {d['lines']['total']} total, {d['lines']['parsed']} parsed, "
           f"{d['lines']['invalid']} invalid",
           f"Content size: avg {cs['avg']:.2f}, min {cs['min']}, max {cs['max']}",
           "Response codes:"]
    out += [f"  {e['code']}: {e['count']}" for e in d["response_codes"]]
    out.append("IP addresses:")
    out += [f"  {e['ip']}: {e['count']}" for e in d["ip_addresses"]]
    out.append("Top endpoints:")
    out += [f"  {e['endpoint']}: {e['count']}" for e in d["top_endpoints"]]
    return "\n".join(out) + "\n"


def cmd_batch(a):
    errors = []
    try:
        items = expand(a.inputs)
    except InputError as e:
        if not a.keep_going:
            print(f"logan: {e}", file=sys.stderr)
            return 2
        errors.append(str(e))
        items = []
        for inp in a.inputs:
            try:
                items += expand([inp])
            except InputError:
                pass
    named, cache = [], {}
    for source, path in items:
        try:
            named.append((source, read(source, path, cache)))
        except InputError as e:
            if not a.keep_going:
                print(f"logan: {e}", file=sys.stderr)
                return 2
            errors.append(str(e))
    for e in errors:
        print(f"logan: warning: {e}", file=sys.stderr)
    fmt = detect([d for _, d in named]) if a.format == "auto" else a.format
    doc = ref.analyze(named, fmt, a.ip_threshold, a.top)
    out = ref.dumps(doc) + "\n" if a.json else text_report(doc)
    sys.stdout.buffer.write(out.encode("utf-8"))
    return 0


def main():
    ap = argparse.ArgumentParser(prog="logan")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--lines", type=int, required=True)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--format", default="combined")
    g.add_argument("--malformed", type=float, default=0.0)
    g.add_argument("-o")
    b = sub.add_parser("batch")
    b.add_argument("--format", default="auto")
    b.add_argument("--json", action="store_true")
    b.add_argument("--ip-threshold", type=int, default=10)
    b.add_argument("--top", type=int, default=10)
    b.add_argument("--threads", type=int, default=0)
    b.add_argument("--keep-going", action="store_true")
    b.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    return cmd_gen(a) if a.cmd == "gen" else cmd_batch(a)


if __name__ == "__main__":
    sys.exit(main())
