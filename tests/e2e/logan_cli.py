"""Shared helpers for logan's end-to-end tests (Python 3.11 standard library only).

The binary under test comes from the environment variable LOGAN; without it (or when it does not
name an executable file) every test is skipped, which still exits 0. The independent reference
implementation (tests/reference/reference_stats.py) is imported as `ref`.
"""
from __future__ import annotations

import bz2
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "tests" / "reference"))
import reference_stats as ref  # noqa: E402  (path set up just above)

DEFAULT_TIMEOUT = 120
DOC_KEYS = ["lines", "content_size", "response_codes", "ip_addresses", "top_endpoints",
            "methods", "unique_clients", "bytes_by_status_class", "time_range",
            "invalid_samples"]
CLASS_KEYS = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]


# ------------------------------------------------------------------------------------------
# Locating and running the binary
# ------------------------------------------------------------------------------------------

def logan_binary() -> tuple[str | None, str]:
    """(path, '') when LOGAN names an executable file, else (None, why not)."""
    p = os.environ.get("LOGAN")
    if not p:
        return None, "LOGAN is not set: set LOGAN=/path/to/logan to run the end-to-end tests"
    if not os.path.isfile(p):
        return None, f"LOGAN={p} does not exist (build logan first)"
    if not os.access(p, os.X_OK):
        return None, f"LOGAN={p} is not executable"
    return os.path.abspath(p), ""


def require_logan() -> str:
    p, why = logan_binary()
    if p is None:
        raise unittest.SkipTest(why)
    return p


@dataclass
class Result:
    args: list
    returncode: int
    stdout: bytes
    stderr: bytes

    def describe(self) -> str:
        err = self.stderr.decode("utf-8", "replace")
        out = self.stdout[:2000].decode("utf-8", "replace")
        return (f"\n  command: {' '.join(map(str, self.args))}\n  exit status: {self.returncode}"
                f"\n  stderr: {err!r}\n  stdout (start): {out!r}")

    def stderr_text(self) -> str:
        return self.stderr.decode("utf-8", "replace")


def run(logan: str, args, stdin: bytes | None = None, cwd=None,
        timeout: float = DEFAULT_TIMEOUT, env: dict | None = None) -> Result:
    cmd = [logan, *map(str, args)]
    p = subprocess.run(cmd, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, timeout=timeout,
                       env=env)
    return Result(cmd, p.returncode, p.stdout, p.stderr)


def run_with_rusage(logan: str, args, stdin_chunks=None, cwd=None,
                    timeout: float = DEFAULT_TIMEOUT):
    """Run logan, feeding stdin from an iterable of byte chunks through a pipe (so the input
    cannot be memory-mapped). Returns (Result, max RSS in KiB of that very process)."""
    cmd = [logan, *map(str, args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_chunks is not None
                             else subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd)
        writer = None
        if stdin_chunks is not None:
            def feed():
                try:
                    for c in stdin_chunks:
                        p.stdin.write(c)
                except BrokenPipeError:
                    pass
                finally:
                    try:
                        p.stdin.close()
                    except BrokenPipeError:
                        pass
            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        try:
            _, status, rusage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        if writer is not None:
            writer.join(timeout=10)
        out.seek(0)
        err.seek(0)
        return Result(cmd, p.returncode, out.read(), err.read()), rusage.ru_maxrss


def is_sanitized_build(logan: str) -> bool:
    """True when the binary carries AddressSanitizer/ThreadSanitizer/MemorySanitizer runtime
    symbols (their memory use says nothing about logan's own)."""
    needles = (b"__asan_init", b"__tsan_init", b"__msan_init")
    tail = b""
    with open(logan, "rb") as f:
        while chunk := f.read(1 << 20):
            buf = tail + chunk
            if any(n in buf for n in needles):
                return True
            tail = buf[-16:]
    return False


def parse_json_stdout(stdout: bytes):
    """Decode strictly as UTF-8 and parse one JSON document (NaN/Infinity rejected)."""
    s = stdout.decode("utf-8")          # raises UnicodeDecodeError on invalid UTF-8

    def bad_constant(name):
        raise ValueError(f"non-JSON constant {name} in output")
    return json.loads(s, parse_constant=bad_constant)


def normalize(doc: dict) -> dict:
    """The reference's document as it reads back from JSON (tuples -> lists etc.)."""
    return json.loads(json.dumps(doc))


# ------------------------------------------------------------------------------------------
# Compression helpers
# ------------------------------------------------------------------------------------------

def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def bz2_bytes(data: bytes) -> bytes:
    return bz2.compress(data)


def zstd_exe() -> str | None:
    return shutil.which("zstd")


def zstd_bytes(data: bytes) -> bytes | None:
    exe = zstd_exe()
    if not exe:
        return None
    return subprocess.run([exe, "-q", "-c", "-3"], input=data, stdout=subprocess.PIPE,
                          check=True).stdout


# ------------------------------------------------------------------------------------------
# Hand-written log lines
# ------------------------------------------------------------------------------------------

def _b(x) -> bytes:
    return x if isinstance(x, bytes) else str(x).encode("utf-8")


def clf(ip="192.0.2.1", request="GET /index.html HTTP/1.1", status=200, size=100,
        ts="07/Mar/2024:10:00:00 +0000", ident="-", user="-") -> bytes:
    """One Common Log Format line (no line end); every argument may be str or bytes."""
    return (_b(ip) + b" " + _b(ident) + b" " + _b(user) + b" [" + _b(ts) + b'] "'
            + _b(request) + b'" ' + _b(status) + b" " + _b(size))


def combined(referer="-", agent="Mozilla/5.0", **kw) -> bytes:
    return clf(**kw) + b' "' + _b(referer) + b'" "' + _b(agent) + b'"'


def vhost_combined(vhost="www.example.com", port=443, referer="-", agent="Mozilla/5.0",
                   **kw) -> bytes:
    return _b(vhost) + b":" + _b(port) + b" " + combined(referer=referer, agent=agent, **kw)


def lines(*ls, end=b"\n", final_newline=True) -> bytes:
    body = end.join(_b(x) for x in ls)
    return body + end if final_newline and ls else body


def make_log(n: int, seed: int, invalid_every: int = 9) -> bytes:
    """A deterministic Common Log Format log of n lines; every `invalid_every`-th line is
    invalid (empty, garbage or a bad status). Independent of `logan gen`."""
    rnd = random.Random(seed)
    ips = [f"192.0.2.{i}" for i in range(1, 12)] + ["2001:db8::1", "crawler.example.com"]
    weights = [30, 20, 15, 10, 8, 6, 5, 4, 3, 2, 1, 12, 9]
    paths = ["/", "/index.html", "/a?x=1", "/img/logo.png", "/api/v1/items", "/search?q=a+b"]
    methods = ["GET"] * 6 + ["POST", "HEAD"]
    statuses = [200] * 10 + [301, 304, 404, 500]
    zones = ["+0000", "-0800", "+0530"]
    out = []
    for i in range(n):
        if invalid_every and i % invalid_every == invalid_every - 1:
            out.append(rnd.choice([b"", b"garbage line " + str(i).encode(),
                                   clf(status="2x0", request=f"GET /bad{i} HTTP/1.1")]))
            continue
        ts = (f"{rnd.randint(1, 28):02d}/Mar/2024:{rnd.randint(0, 23):02d}:"
              f"{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d} {rnd.choice(zones)}")
        out.append(clf(ip=rnd.choices(ips, weights)[0], ts=ts,
                       request=f"{rnd.choice(methods)} {rnd.choice(paths)} HTTP/1.1",
                       status=rnd.choice(statuses),
                       size=rnd.choice(["-", "0", str(rnd.randint(1, 50000))])))
    return lines(*out)


# ------------------------------------------------------------------------------------------
# Base class
# ------------------------------------------------------------------------------------------

class LoganTestCase(unittest.TestCase):
    """Skips the whole class without LOGAN; gives each test a fresh temporary directory."""

    maxDiff = 6000
    logan: str = ""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logan = require_logan()

    def setUp(self):
        super().setUp()
        self._tmpdir = tempfile.TemporaryDirectory(prefix="logan-e2e-")
        self.addCleanup(self._tmpdir.cleanup)
        self.tmp = Path(self._tmpdir.name)

    # --- files -----------------------------------------------------------------------------
    def write(self, name, data) -> Path:
        p = self.tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(_b(data))
        return p

    # --- running ----------------------------------------------------------------------------
    def run_logan(self, *args, stdin: bytes | None = None, cwd=None,
                  timeout: float = DEFAULT_TIMEOUT, env: dict | None = None) -> Result:
        return run(self.logan, args, stdin=stdin, cwd=cwd, timeout=timeout, env=env)

    def gen(self, path, lines_, seed, fmt, malformed) -> Path:
        r = self.run_logan("gen", "--lines", lines_, "--seed", seed, "--format", fmt,
                           "--malformed", malformed, "-o", path)
        self.assertEqual(r.returncode, 0, "logan gen failed" + r.describe())
        return Path(path)

    def batch_json(self, *args, stdin: bytes | None = None, cwd=None,
                   timeout: float = DEFAULT_TIMEOUT) -> dict:
        """`logan batch --json ARGS...`: asserts success, valid UTF-8 and a well-formed document."""
        r = self.run_logan("batch", "--json", *args, stdin=stdin, cwd=cwd, timeout=timeout)
        self.assertEqual(r.returncode, 0, "logan batch --json failed" + r.describe())
        return self.doc_from(r)

    def doc_from(self, r: Result) -> dict:
        try:
            doc = parse_json_stdout(r.stdout)
        except UnicodeDecodeError as e:
            self.fail(f"stdout is not valid UTF-8: {e}" + r.describe())
        except ValueError as e:
            self.fail(f"stdout is not one JSON document: {e}" + r.describe())
        self.assertSchema(doc)
        return doc

    # --- assertions -------------------------------------------------------------------------
    def assertIsInt(self, v, where):
        self.assertTrue(type(v) is int, f"{where} should be an integer, got {v!r}")

    def assertSchema(self, doc):
        """The shape of docs/json-output.md, with integers where integers belong."""
        self.assertIsInstance(doc, dict)
        # "skipped_inputs" appears only when --keep-going skipped an input, "groups" only with
        # --group-by.
        self.assertEqual(sorted(k for k in doc if k not in ("skipped_inputs", "groups", "queries")), sorted(DOC_KEYS),
                         "top-level keys")
        self.assertEqual(sorted(doc["lines"]), ["invalid", "parsed", "total"])
        for k, v in doc["lines"].items():
            self.assertIsInt(v, f"lines.{k}")
        self.assertEqual(doc["lines"]["parsed"] + doc["lines"]["invalid"],
                         doc["lines"]["total"], "parsed + invalid == total")
        cs = doc["content_size"]
        self.assertEqual(sorted(cs), ["avg", "count", "max", "min", "sum"])
        for k in ("count", "sum", "min", "max"):
            self.assertIsInt(cs[k], f"content_size.{k}")
        self.assertTrue(type(cs["avg"]) in (int, float), f"content_size.avg: {cs['avg']!r}")
        for key, name in (("response_codes", "code"), ("ip_addresses", "ip"),
                          ("top_endpoints", "endpoint"), ("methods", "method")):
            self.assertIsInstance(doc[key], list, key)
            for i, e in enumerate(doc[key]):
                self.assertEqual(sorted(e), sorted([name, "count"]), f"{key}[{i}] keys")
                self.assertIsInt(e["count"], f"{key}[{i}].count")
                if name == "code":
                    self.assertIsInt(e["code"], f"{key}[{i}].code")
                else:
                    self.assertIsInstance(e[name], str, f"{key}[{i}].{name}")
        self.assertIsInt(doc["unique_clients"], "unique_clients")
        self.assertEqual(list(sorted(doc["bytes_by_status_class"])), sorted(CLASS_KEYS))
        for k, v in doc["bytes_by_status_class"].items():
            self.assertIsInt(v, f"bytes_by_status_class.{k}")
        self.assertEqual(sorted(doc["time_range"]), ["first", "last"])
        for k, v in doc["time_range"].items():
            self.assertTrue(v is None or isinstance(v, str), f"time_range.{k}: {v!r}")
        self.assertIsInstance(doc["invalid_samples"], list)
        self.assertLessEqual(len(doc["invalid_samples"]), 10, "at most 10 invalid samples")
        for i, s in enumerate(doc["invalid_samples"]):
            self.assertEqual(sorted(s), ["line", "source", "text"], f"invalid_samples[{i}] keys")
            self.assertIsInstance(s["source"], str)
            self.assertIsInt(s["line"], f"invalid_samples[{i}].line")
            self.assertIsInstance(s["text"], str)

    def assertDocEqual(self, got: dict, want: dict, what: str = "", skip=()):
        """Field-by-field equality (avg compared as floats, exactly); `skip` names fields left
        out. Reports the first differing field with its own diff."""
        want = normalize(want)
        prefix = f"{what}: " if what else ""
        for k in DOC_KEYS:
            if k in skip:
                continue
            self.assertIn(k, got, f"{prefix}missing field {k}")
            if k == "content_size":
                g, w = dict(got[k]), dict(want[k])
                self.assertEqual(float(g.pop("avg")), float(w.pop("avg")),
                                 f"{prefix}content_size.avg")
                self.assertEqual(g, w, f"{prefix}content_size")
            else:
                self.assertEqual(got[k], want[k], f"{prefix}field {k}")

    def assertSamplesMatch(self, got: list, want: list, source_suffixes=None, what=""):
        """Same (line, text) sequence; each got source ends with the matching suffix (for
        inputs found through a directory or glob, whose exact spelling is logan's choice)."""
        prefix = f"{what}: " if what else ""
        self.assertEqual([(s["line"], s["text"]) for s in got],
                         [(s["line"], s["text"]) for s in want], f"{prefix}invalid_samples")
        if source_suffixes is not None:
            for s, want_src in zip(got, want):
                suffix = source_suffixes[want_src["source"]]
                self.assertTrue(s["source"] == suffix or s["source"].endswith("/" + suffix),
                                f"{prefix}sample source {s['source']!r} should name {suffix!r}")

    def assertOneLineNaming(self, stderr: bytes, name: str, r: Result | None = None):
        txt = stderr.decode("utf-8", "replace")
        body = txt[:-1] if txt.endswith("\n") else txt
        extra = r.describe() if r else ""
        self.assertTrue(body and "\n" not in body,
                        f"stderr should be exactly one line, got {txt!r}" + extra)
        self.assertIn(name, body, "stderr should name the input" + extra)


def main():
    unittest.main(verbosity=2)
