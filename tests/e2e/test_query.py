#!/usr/bin/env python3
"""End-to-end differential tests of `logan query` against SQLite (Python's sqlite3).

The same log lines are loaded into an in-memory SQLite table `logs` through `logan export`
(itself checked against an independent parser in test_export.py), and every query's answer from
`logan query --json` is compared with SQLite's answer to the same question:

- FixedQueries: hand-written queries covering each feature logan promises to answer as SQLite
  does (NULLs and three-valued logic, arithmetic, aggregates, GROUP BY/HAVING/ORDER BY/LIMIT,
  DISTINCT, LIKE/ILIKE/IN/BETWEEN/CASE/COALESCE, the text and time functions), on a generated
  log (`logan gen -f combined_duration --malformed 0.02`, three pieces with different start
  times and zone offsets) and on a small hand-written log of edge cases. Functions SQLite lacks
  are given to SQLite in its own spelling (ILIKE as lower() LIKE lower(), date_trunc and hour
  through strftime, ...).
- RandomQueries: generated queries (WHERE, GROUP BY, aggregates, HAVING, ORDER BY, LIMIT) from a
  fixed seed, and wide SELECTs of random scalar expressions (substr, LIKE patterns, arithmetic
  with zero and negative operands, ...). LOGAN_QUERY_SEED overrides the seed, LOGAN_QUERY_CASES
  the number of queries (default 300; 100 for a sanitizer build).
- Threads: the same answers with -j 1 and -j 4, and with the log split into three files.
- Approximate aggregates (quantile, median, approx_count_distinct) within their promised bounds.
- RegexpAndCidr: regexp_matches / regexp_extract against Python's re, cidr_contains against
  Python's ipaddress (with logan's rule that ::ffff:a.b.c.d is the IPv4 address a.b.c.d).
- BadQueries: exit status 2, nothing on stdout, "bad query at line L, column C" and a caret.

Reals are compared with a relative tolerance of 1e-9; results without ORDER BY as multisets.
Each query is one `logan query` process, except for a sanitizer build (AddressSanitizer spends
about half a second starting each process): there the compared queries over the same inputs are
answered 25 at a time by `logan batch --query` (the same engine; Threads checks that the two
agree), and the thread and split checks use fewer queries.

    LOGAN=build/logan python3 tests/e2e/test_query.py
"""
from __future__ import annotations

import collections
import concurrent.futures
import csv
import dataclasses
import functools
import io
import ipaddress
import json
import math
import os
import random
import re
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402

FIELDS = ["time", "client", "user", "method", "path", "query", "protocol", "status", "size",
          "duration_us", "referer", "user_agent", "vhost", "request"]
COLUMNS = FIELDS + ["duration", "source"]
INTEGER_COLUMNS = {"status", "size", "duration_us"}
FORMAT = "combined_duration"
BATCH = 25  # queries per `logan batch --query` run, for a sanitizer build (see answers())
REL_TOL = 1e-9
TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

# The generated log: (lines, seed, start, zone offset in minutes) of each piece, concatenated.
GEN_PIECES = [(3000, 11, 1709769600, 0),                            # 2024-03-07T00:00:00Z
              (2500, 12, 1709769600 + 5 * 3600 + 1234, -420),       # 05:20:34Z, logged -0700
              (2500, 13, 1709769600 + 86400 + 7 * 3600 + 3540, 330)]  # 03-08T07:59:00Z, +0530

# Hand-written edge cases (combined_duration): users, '-' fields, no query string, an empty
# query string, a second '?', an HTTP/0.9 request, a 408 with request "-", IPv6 and IPv4-mapped
# clients, a host name as client, non-ASCII text, LIKE metacharacters in the data, zone offsets.
EDGE_LOG = "\n".join([
    '192.0.2.1 - alice [07/Mar/2024:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 1024 "-" "Mozilla/5.0" 1500',
    '192.0.2.1 - - [07/Mar/2024:10:00:01 +0000] "GET /search?q=a+b&x=1 HTTP/1.1" 200 - "https://ex.com/" "curl/8.0" 250000',
    '192.0.2.2 - bob [07/Mar/2024:10:59:59 +0100] "POST /api/items? HTTP/1.1" 201 15 "-" "-" 0',
    '2001:db8::1 - - [07/Mar/2024:11:00:00 +0000] "GET /a?b?c HTTP/2.0" 404 0 "-" "Mozilla/5.0" 42',
    '10.1.2.3 - Carol [07/Mar/2024:23:59:59 -0700] "GET /legacy" 200 100 "-" "-" 7',
    '10.255.0.1 - - [08/Mar/2024:00:00:00 +0000] "-" 408 - "-" "-" 1000000',
    'fe80::1 - - [08/Mar/2024:01:02:03 +0000] "HEAD / HTTP/1.0" 304 - "http://x/?y" "Wget" 3',
    'crawler.example.com - - [08/Mar/2024:01:02:04 +0000] "GET /\u00fcn\u00efcode/\u00dfpath?\u00e4=1 HTTP/1.1" 500 77 "-" "bot_1%" 99',
    '::ffff:10.0.0.5 - dave [08/Mar/2024:01:02:05 +0000] "DELETE /API/Items/7 HTTP/1.1" 204 0 "-" "Mozilla/5.0" 120',
    'not a log line at all',
    '11.0.0.1 - - [08/Mar/2024:02:00:00 +0000] "GET /100%_done HTTP/1.1" 200 5 "-" "a_b" 2',
    '2001:db8:ffff::2 - - [08/Mar/2024:02:00:01 +0000] "GET /Index.HTML?Q=1 HTTP/1.1" 503 12 "-" "Mozilla/5.0" 10',
    '172.16.5.4 - alice [08/Mar/2024:02:00:02 +0000] "PUT /api/items/9 HTTP/1.1" 200 300 "-" "curl/8.0" 1234567',
    '10.0.0.0 - - [08/Mar/2024:02:00:03 +0000] "GET /search?q= HTTP/1.1" 200 0 "-" "-" 15000',
    '192.0.2.9 - - [08/Mar/2024:02:00:04 +0000] "GET - HTTP/1.1" 400 0 "" "" 11',
    '192.0.2.9 - it\'s [08/Mar/2024:02:00:05 +0000] "OPTIONS * HTTP/1.1" 200 0 "-" "O\'Brien" 12',
]) + "\n"


@functools.lru_cache(maxsize=None)
def sanitized(logan: str) -> bool:
    return logan_cli.is_sanitized_build(logan)


def quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


# ------------------------------------------------------------------------------------------
# Values and comparison
# ------------------------------------------------------------------------------------------

def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same_value(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if is_number(a) and is_number(b):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def same_row(a, b) -> bool:
    return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))


def exact_part(row):
    """The row with numbers replaced by a placeholder: rows that may be equal share it (an
    integer may equal a real, and reals are equal within a tolerance)."""
    return tuple(("number",) if is_number(v) else (type(v).__name__, v) for v in row)


def sort_key(row):
    return tuple((0, "") if v is None else (1, v) if is_number(v) else (2, str(v)) for v in row)


def shown_part(row):
    """The row with numbers to 9 significant digits: what a difference report shows."""
    return tuple(float(f"{v:.9g}") if is_number(v) else v for v in row)


def multiset_diff(got, want) -> str | None:
    """None when `got` and `want` hold the same rows as multisets (reals within tolerance)."""
    if len(got) != len(want):
        g, w = collections.Counter(map(shown_part, got)), collections.Counter(map(shown_part, want))
        return (f"{len(got)} rows from logan, {len(want)} from SQLite; only in logan (first 5): "
                f"{list((g - w).elements())[:5]}; only in SQLite (first 5): {list((w - g).elements())[:5]}")
    groups_g, groups_w = collections.defaultdict(list), collections.defaultdict(list)
    for r in got:
        groups_g[exact_part(r)].append(r)
    for r in want:
        groups_w[exact_part(r)].append(r)
    only_g = [k for k in groups_g if len(groups_g[k]) != len(groups_w.get(k, ()))]
    only_w = [k for k in groups_w if len(groups_w[k]) != len(groups_g.get(k, ()))]
    if only_g or only_w:
        return (f"rows differ; logan (first 5 differing): {[groups_g[k][0] for k in only_g[:5]]}; "
                f"SQLite (first 5 differing): {[groups_w[k][0] for k in only_w[:5]]}")
    for k, g in groups_g.items():
        g = sorted(g, key=sort_key)
        w = sorted(groups_w[k], key=sort_key)
        for x, y in zip(g, w):
            if not same_row(x, y):
                return f"row differs: logan {x!r}, SQLite {y!r}"
    return None


def ordered_diff(got, want) -> str | None:
    for i, (x, y) in enumerate(zip(got, want)):
        if not same_row(x, y):
            return f"row {i} differs: logan {x!r}, SQLite {y!r}"
    if len(got) != len(want):
        return (f"{len(got)} rows from logan, {len(want)} from SQLite; the first extra: "
                f"{(got if len(got) > len(want) else want)[min(len(got), len(want))]!r}")
    return None


def type_diff(doc) -> str | None:
    """Each value is of its column's declared type (or null)."""
    for row in doc["rows"]:
        for v, t in zip(row, doc["types"]):
            if v is None:
                continue
            ok = {"integer": lambda: type(v) is int,
                  "real": lambda: type(v) is float,
                  "text": lambda: type(v) is str,
                  "timestamp": lambda: type(v) is str and TIME_RE.fullmatch(v) is not None,
                  }.get(t, lambda: False)()
            if not ok:
                return f"value {v!r} in a column of type {t!r} (row {row!r})"
    return None


# ------------------------------------------------------------------------------------------
# Shared data: the logs, their exported records and SQLite databases (made once per module)
# ------------------------------------------------------------------------------------------

class Fixture:
    def __init__(self, logan: str):
        self.logan = logan
        self._dir = tempfile.TemporaryDirectory(prefix="logan-e2e-query-")
        d = Path(self._dir.name)
        self.dir = d
        pieces = []
        for i, (n, seed, start, tz) in enumerate(GEN_PIECES):
            p = d / f"piece{i}.log"
            self._ok("gen", "--lines", n, "--seed", seed, "--format", FORMAT, "--malformed", "0.02",
                     "--start", start, "--tz-offset", tz, "-o", p)
            pieces.append(p.read_bytes())
        data = b"".join(pieces)
        self.gen = d / "gen.log"
        self.gen.write_bytes(data)
        # The same bytes cut into three files at line boundaries (not at the pieces' seams).
        cuts = [0]
        for frac in (0.23, 0.61):
            cuts.append(data.index(b"\n", int(len(data) * frac)) + 1)
        cuts.append(len(data))
        self.split = []
        for i in range(3):
            p = d / f"split{i}.log"
            p.write_bytes(data[cuts[i]:cuts[i + 1]])
            self.split.append(p)
        self.edge = d / "edge.log"
        self.edge.write_bytes(EDGE_LOG.encode("utf-8"))
        self.records = {"gen": self._export(self.gen), "edge": self._export(self.edge)}
        self.inputs = {"gen": [self.gen], "edge": [self.edge], "both": [self.gen, self.edge]}
        self.dbs = {"gen": self._db([(self.gen, self.records["gen"])]),
                    "edge": self._db([(self.edge, self.records["edge"])]),
                    "both": self._db([(self.gen, self.records["gen"]),
                                      (self.edge, self.records["edge"])])}

    def _ok(self, *args) -> logan_cli.Result:
        r = logan_cli.run(self.logan, args)
        if r.returncode != 0:
            raise AssertionError("logan failed while making the test data" + r.describe())
        return r

    def _export(self, log: Path) -> list[dict]:
        out = self.dir / ("export-" + log.stem)
        self._ok("export", "-f", FORMAT, "-o", out, "--compress", "none", "--to-format", "jsonl",
                 "-j", "1", "--no-progress", log)
        recs = []
        for p in sorted(out.rglob("part-*")):
            recs += [json.loads(line) for line in p.read_text("utf-8").splitlines()]
        for r in recs:
            assert list(r) == FIELDS, list(r)
        return recs

    @staticmethod
    def _db(sources) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute("PRAGMA case_sensitive_like = ON")
        db.execute("CREATE TABLE logs (time TEXT, client TEXT, user TEXT, method TEXT, path TEXT, "
                   "query TEXT, protocol TEXT, status INTEGER, size INTEGER, duration_us INTEGER, "
                   "referer TEXT, user_agent TEXT, vhost TEXT, request TEXT, duration REAL, "
                   "source TEXT)")
        rows = []
        for path, recs in sources:
            for r in recs:
                us = r["duration_us"]
                rows.append([r[k] for k in FIELDS] + [None if us is None else us / 1e6, str(path)])
        db.executemany(f"INSERT INTO logs VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        db.commit()
        return db

    def sqlite(self, data: str, sql: str) -> list[tuple]:
        return [tuple(r) for r in self.dbs[data].execute(sql).fetchall()]

    def cleanup(self):
        for db in self.dbs.values():
            db.close()
        self._dir.cleanup()


_FIXTURE: Fixture | None = None


def fixture(logan: str) -> Fixture:
    global _FIXTURE
    if _FIXTURE is None:
        _FIXTURE = Fixture(logan)
    return _FIXTURE


def tearDownModule():
    global _FIXTURE
    if _FIXTURE is not None:
        _FIXTURE.cleanup()
        _FIXTURE = None


@dataclass
class Case:
    sql: str                          # logan's query
    lite: str | None = None           # SQLite's, when it must be spelled differently
    data: str = "gen"                 # gen, edge or both
    ordered: bool | None = None       # default: the query has ORDER BY
    types: list | None = None         # logan's declared column types, when checked
    opts: tuple = ()
    inputs: list | None = None        # instead of the data's own inputs
    note: str = ""

    def is_ordered(self) -> bool:
        return self.ordered if self.ordered is not None else "ORDER BY" in self.sql.upper()


def workers() -> int:
    return max(2, min(4, os.cpu_count() or 2))


# ------------------------------------------------------------------------------------------
# Base class
# ------------------------------------------------------------------------------------------

class QueryTestCase(logan_cli.LoganTestCase):
    maxDiff = 10000
    fx: Fixture

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fx = fixture(cls.logan)

    # --- running logan ----------------------------------------------------------------------
    def query_args(self, sql, data="gen", opts=(), inputs=None, output="--json"):
        ins = inputs if inputs is not None else self.fx.inputs[data]
        return ["query", output, "-f", FORMAT, "--no-progress", *opts, sql, *ins]

    def run_all(self, arg_lists) -> list[logan_cli.Result]:
        with concurrent.futures.ThreadPoolExecutor(workers()) as pool:
            return list(pool.map(lambda a: logan_cli.run(self.logan, a), arg_lists))

    def doc_of(self, r: logan_cli.Result):
        """The JSON document of a successful query, or a string saying what is wrong."""
        if r.returncode != 0:
            return f"logan failed{r.describe()}"
        try:
            doc = logan_cli.parse_json_stdout(r.stdout)
        except ValueError as e:
            return f"stdout is not one JSON document: {e}{r.describe()}"
        if not isinstance(doc, dict) or sorted(doc) != ["columns", "rows", "types"]:
            return f"unexpected document shape: {r.stdout[:300]!r}"
        if len(doc["columns"]) != len(doc["types"]) or any(len(row) != len(doc["columns"]) for row in doc["rows"]):
            return f"rows and columns disagree: {r.stdout[:300]!r}"
        why = type_diff(doc)
        return why if why else doc

    def query_doc(self, sql, data="gen", opts=(), inputs=None) -> dict:
        r = logan_cli.run(self.logan, self.query_args(sql, data, opts, inputs))
        doc = self.doc_of(r)
        if isinstance(doc, str):
            self.fail(f"{sql}\n{doc}")
        return doc

    def answers(self, cases: list[Case]) -> list:
        """logan's document for each case, or a string saying what went wrong: one `logan query`
        per case. A sanitizer build spends about half a second starting each process, so there
        the cases over the same inputs are answered BATCH at a time by `logan batch --query`
        (the same engine, docs/query.md; Threads checks that both agree), and the cases of a
        batch that fails one `logan query` each."""
        if not sanitized(self.logan):
            return [self.doc_of(r) for r in
                    self.run_all([self.query_args(c.sql, c.data, c.opts, c.inputs) for c in cases])]
        groups = collections.defaultdict(list)
        for i, c in enumerate(cases):
            ins = c.inputs if c.inputs is not None else self.fx.inputs[c.data]
            groups[(tuple(c.opts), tuple(map(str, ins)))].append(i)
        batches = [(key, idx[k:k + BATCH]) for key, idx in groups.items() for k in range(0, len(idx), BATCH)]
        arg_lists = []
        for (opts, ins), idx in batches:
            args = ["batch", "--json", "-f", FORMAT, "--no-progress", *opts]
            for n, i in enumerate(idx):
                args += ["--query", f"q{n}={cases[i].sql}"]
            arg_lists.append(args + list(ins))
        out = [None] * len(cases)
        retry = []
        for (_, idx), r in zip(batches, self.run_all(arg_lists)):
            queries = None
            if r.returncode == 0:
                try:
                    queries = logan_cli.parse_json_stdout(r.stdout).get("queries")
                except ValueError:
                    pass
            if not isinstance(queries, list) or len(queries) != len(idx) or not all(
                    isinstance(q, dict) and all(isinstance(q.get(k), list) for k in ("columns", "types", "rows"))
                    for q in queries):
                retry += idx
                continue
            for i, q in zip(idx, queries):
                doc = {k: q.get(k) for k in ("columns", "types", "rows")}
                out[i] = type_diff(doc) or doc
        for i, r in zip(retry, self.run_all([self.query_args(cases[i].sql, cases[i].data, cases[i].opts,
                                                             cases[i].inputs) for i in retry])):
            out[i] = self.doc_of(r)
        return out

    # --- comparing with SQLite ----------------------------------------------------------------
    def case_diff(self, case: Case, doc) -> str | None:
        """What differs between logan's answer (a document or what went wrong) and SQLite's."""
        if isinstance(doc, str):
            return doc
        try:
            want = self.fx.sqlite(case.data, case.lite or case.sql)
        except sqlite3.Error as e:
            return f"SQLite refused {case.lite or case.sql!r}: {e}"
        got = [tuple(row) for row in doc["rows"]]
        if case.types is not None and doc["types"] != case.types:
            return f"types {doc['types']} (expected {case.types})"
        diff = ordered_diff(got, want) if case.is_ordered() else multiset_diff(got, want)
        if diff:
            return (f"{diff}\n  logan rows (first 10): {got[:10]!r}\n"
                    f"  SQLite rows (first 10): {want[:10]!r}")
        return None

    def check_cases(self, cases: list[Case]):
        for c, doc in zip(cases, self.answers(cases)):
            with self.subTest(sql=c.sql, data=c.data):
                diff = self.case_diff(c, doc)
                if diff:
                    lite = f"\n  SQLite query: {c.lite}" if c.lite else ""
                    self.fail(f"\n  query: {c.sql}{lite}\n  data: {c.data}\n  {diff}")


# ------------------------------------------------------------------------------------------
# Fixed queries
# ------------------------------------------------------------------------------------------

class FixedQueries(QueryTestCase):

    def test_every_record_is_a_row(self):
        self.check_cases([
            Case("SELECT * FROM logs", data="both",
                 types=["timestamp", "text", "text", "text", "text", "text", "text", "integer",
                        "integer", "integer", "text", "text", "text", "text", "real", "text"]),
            Case("SELECT time, client, user, method, path, query, protocol, status, size, duration_us, "
                 "referer, user_agent, vhost, request, duration, source FROM logs", data="edge"),
            Case("SELECT source, count(*) FROM logs GROUP BY source", data="both"),
            Case("SELECT status, size FROM logs WHERE client = '192.0.2.1'", data="edge"),
        ])
        # The malformed lines are left out with a warning.
        r = logan_cli.run(self.logan, self.query_args("SELECT count(*) FROM logs", data="edge"))
        self.assertEqual(r.returncode, 0, r.describe())
        lines = EDGE_LOG.count("\n")
        self.assertIn(f"1 of {lines} lines could not be parsed", r.stderr_text(), r.describe())
        self.assertIn("edge.log:10: not a log line at all", r.stderr_text(), r.describe())
        self.assertEqual(self.doc_of(r)["rows"], [[lines - 1]])

    def test_nulls_and_three_valued_logic(self):
        self.check_cases([
            Case("SELECT count(*), count(user), count(query), count(protocol), count(method), "
                 "count(referer), count(vhost), count(duration) FROM logs"),
            Case("SELECT count(*), count(user), count(query), count(protocol), count(method), "
                 "count(path), count(request), count(user_agent), count(referer) FROM logs",
                 data="edge"),
            Case("SELECT client, user IS NULL, query IS NOT NULL, protocol IS NULL, request IS NULL, "
                 "(user = 'alice') OR (status = 200), (user = 'alice') AND (status = 200), "
                 "NOT (user = 'alice'), (user <> 'alice') OR (query IS NULL), "
                 "status IN (200, NULL), status NOT IN (200, NULL), "
                 "user IN ('alice', 'bob'), user NOT IN ('alice', 'bob') FROM logs", data="edge"),
            Case("SELECT count(*) FROM logs WHERE NOT (user = 'alice')", data="edge"),
            Case("SELECT count(*) FROM logs WHERE (query = 'x') OR NOT (query = 'x')"),
            Case("SELECT sum((protocol = 'HTTP/1.1') IS NULL), sum(method IS NULL OR path IS NULL), "
                 "sum(NOT (user = 'x')), count(NOT (user = 'x')) FROM logs"),
            Case("SELECT status, NULL = NULL, NULL IS NULL, 1 = NULL, NULL AND 0, NULL OR 1, "
                 "NOT NULL, NULL + 1 FROM logs", data="edge"),
            Case("SELECT client, coalesce(user, query, method, 'none'), coalesce(query, path), "
                 "nullif(size, 0), ifnull(user, '-') FROM logs", data="edge"),
            Case("SELECT method, protocol, count(*) FROM logs GROUP BY method, protocol"),
            Case("SELECT status, count(*) FROM logs WHERE (size > 5000) = (status = 200) GROUP BY 1"),
        ])

    def test_arithmetic(self):
        self.check_cases([
            Case("SELECT client, status / 100, status % 100, size / 7, size % 7, -size, size - 5000, "
                 "size * 3, size / 0, size % 0, size / 2.0, status / 100.0, duration * 1000, "
                 "duration_us / 1000, (size + duration_us) * 2, 7 / 2, -7 / 2, -7 % 3, 7.5 / 2, "
                 "abs(size - 500), duration_us / 0.0 FROM logs", data="edge"),
            Case("SELECT status / 100 AS class, sum(size) / count(*), sum(size) % 1000, "
                 "max(size) - min(size), sum(duration_us) / 1000 FROM logs GROUP BY 1"),
            Case("SELECT sum(size / 1000 = 3), sum(duration * 1000 > 50), sum(-size < -5000), "
                 "sum((size - 5000) / 7 > 100), sum((size - 5000) % 7 = -3) FROM logs"),
            Case("SELECT count(*) FROM logs WHERE size % 2 = 1 AND duration_us % 3 = 0"),
            Case("SELECT status - 200 * 2 + 1, (status - 200) * 2, status - -3 FROM logs", data="edge"),
        ])

    def test_aggregates(self):
        self.check_cases([
            Case("SELECT count(*), count(size), count(DISTINCT client), count(DISTINCT user), "
                 "sum(size), avg(size), min(size), max(size), sum(duration), avg(duration), "
                 "min(duration), max(duration), min(time), max(time), min(path), max(path), "
                 "min(user), max(user) FROM logs",
                 types=["integer", "integer", "integer", "integer", "integer", "real", "integer",
                        "integer", "real", "real", "real", "real", "timestamp", "timestamp", "text",
                        "text", "text", "text"]),
            Case("SELECT count(*), count(size), sum(size), avg(size), min(size), max(size), "
                 "sum(duration), min(path), count(DISTINCT path) FROM logs WHERE status = 999"),
            Case("SELECT status, count(*) FROM logs WHERE status = 999 GROUP BY status"),
            Case("SELECT status, count(*), sum(size), avg(size), min(duration_us), max(duration_us), "
                 "count(DISTINCT client), count(DISTINCT query), sum(duration), min(user), max(referer) "
                 "FROM logs GROUP BY status"),
            Case("SELECT method, count(DISTINCT status / 100), count(DISTINCT protocol), "
                 "count(DISTINCT duration), sum(status / 100), avg(duration_us / 1000) "
                 "FROM logs GROUP BY method"),
            Case("SELECT user, count(*), sum(size), avg(size), min(time), max(time), "
                 "count(DISTINCT path) FROM logs GROUP BY user", data="edge"),
            Case("SELECT sum(CASE WHEN user IS NULL THEN NULL ELSE size END), "
                 "avg(CASE WHEN user IS NULL THEN NULL ELSE duration END) FROM logs"),
            Case("SELECT count(DISTINCT time), count(DISTINCT referer), count(DISTINCT user_agent) "
                 "FROM logs"),
            Case("SELECT max(status) - min(status), count(*) * 2, sum(size) / 1024, "
                 "coalesce(max(user), 'nobody') FROM logs GROUP BY protocol"),
        ])

    def test_text_comparison_and_functions(self):
        self.check_cases([
            Case("SELECT count(*) FROM logs WHERE path > '/m'"),
            Case("SELECT count(*) FROM logs WHERE path >= '/api/' AND path < '/api0'"),
            Case("SELECT path, path < '/a', path < 'Z', path > '/\u00fc', "
                 "method || ' ' || path, status || '', client || '|' || coalesce(user, ''), "
                 "lower(path), upper(path), length(path), length(request), "
                 "substr(path, 2), substr(path, 2, 3), substr(path, -3, 2), substr(path, -100, 3), "
                 "substr(path, -2, -1), substr(path, 0), substr(path, 0, 2), substr(path, 0, -1), "
                 "substr(path, 3, -2), substr(path, 100), substr(path, -1, 5), substr(path, -20, 25), "
                 "substring(path, 1, 1) FROM logs", data="edge"),
            Case("SELECT lower(method), upper(user), length(user_agent), count(*) FROM logs "
                 "GROUP BY 1, 2, 3"),
            Case("SELECT substr(path, 1, 8), count(*) FROM logs GROUP BY 1"),
            Case("SELECT min(client), max(client), min(user_agent), max(request) FROM logs"),
            Case("SELECT max(path), min(path), max(query), min(query) FROM logs", data="both"),
        ])

    def test_in_between_like(self):
        # Each condition as a column (sum counts the rows where it holds) and a few in WHERE.
        conditions = [
            "status IN (301, 302, 304)", "status NOT IN (200, 404)",
            "method IN ('PUT', 'DELETE', 'PATCH')", "user NOT IN ('alice', 'bob')",
            "size BETWEEN 1000 AND 5000", "size NOT BETWEEN 1000 AND 5000",
            "size BETWEEN 5000 AND 1000", "duration BETWEEN 0.001 AND 0.01",
            "path BETWEEN '/api' AND '/b'",
            "time BETWEEN '2024-03-07T00:01:00Z' AND '2024-03-07T05:21:00Z'",
            "path LIKE '/api/%'", "path LIKE '/API/%'", "path NOT LIKE '%.js'",
            "path LIKE '/api/v_/%'", "user_agent LIKE '%Firefox%' AND user_agent NOT LIKE '%Windows%'",
            "query LIKE '%page=1_'", "request LIKE '%\\x16%'", "query NOT LIKE '%=%'",
        ]
        ilike = [("user_agent ILIKE '%MOZILLA%'", "lower(user_agent) LIKE lower('%MOZILLA%')"),
                 ("path NOT ILIKE '%/API/%'", "lower(path) NOT LIKE lower('%/API/%')"),
                 ("method ILIKE 'p%'", "lower(method) LIKE lower('p%')")]
        self.check_cases([
            Case("SELECT " + ", ".join(f"sum({c})" for c in conditions) + ", count(*) FROM logs"),
            Case("SELECT " + ", ".join(f"sum({c})" for c, _ in ilike) + " FROM logs",
                 "SELECT " + ", ".join(f"sum({c})" for _, c in ilike) + " FROM logs"),
            Case("SELECT count(*) FROM logs WHERE status IN (301, 302, 304) OR user NOT IN ('alice', 'bob')"),
            Case("SELECT count(*) FROM logs WHERE size NOT BETWEEN 1000 AND 5000 AND path BETWEEN '/api' AND '/b'"),
            Case("SELECT count(*) FROM logs WHERE path LIKE '/api/v_/%' OR query NOT LIKE '%page=1_'"),
            Case("SELECT count(*) FROM logs WHERE user_agent ILIKE '%MOZILLA%' AND NOT path ILIKE '%/API/%'",
                 "SELECT count(*) FROM logs WHERE lower(user_agent) LIKE lower('%MOZILLA%') "
                 "AND NOT lower(path) LIKE lower('%/API/%')"),
            Case("SELECT path, path LIKE '%', path LIKE '_', path LIKE '/_', path LIKE '%_%', "
                 "path LIKE '/100%', path LIKE '%\u00df%', path LIKE '/_n_code/%', path LIKE '/%/%/%', "
                 "user_agent LIKE '%\\_%', '' LIKE '%', '' LIKE '_', path LIKE '%a%a%', "
                 "path LIKE '/%s', query LIKE '%=' FROM logs", data="edge"),
            Case("SELECT path, path ILIKE '/index%', path ILIKE '/api/%', path ILIKE '/\u00dcN%' FROM logs",
                 "SELECT path, lower(path) LIKE lower('/index%'), lower(path) LIKE lower('/api/%'), "
                 "lower(path) LIKE lower('/\u00dcN%') FROM logs", data="edge"),
        ])

    def test_case_expressions(self):
        self.check_cases([
            Case("SELECT CASE WHEN size > 10000 THEN 'big' WHEN size > 0 THEN 'small' ELSE 'empty' END, "
                 "count(*), sum(size) FROM logs GROUP BY 1"),
            Case("SELECT CASE status / 100 WHEN 2 THEN 'ok' WHEN 3 THEN 'redirect' END AS kind, count(*) "
                 "FROM logs GROUP BY kind"),
            Case("SELECT client, CASE user WHEN 'alice' THEN 1 WHEN NULL THEN 2 ELSE 3 END, "
                 "CASE WHEN user IS NULL THEN duration ELSE size END, "
                 "CASE WHEN query IS NULL THEN NULL ELSE length(query) END, "
                 "CASE WHEN NULL THEN 'x' ELSE 'y' END FROM logs", data="edge"),
            Case("SELECT sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END), "
                 "count(CASE WHEN status >= 400 THEN 1 END) FROM logs"),
        ])

    def test_group_by_forms(self):
        self.check_cases([
            Case("SELECT status / 100, count(*) FROM logs GROUP BY status / 100"),
            Case("SELECT status / 100, count(*) FROM logs GROUP BY 1"),
            Case("SELECT status / 100 AS class, count(*) FROM logs GROUP BY class"),
            Case("SELECT count(*) FROM logs GROUP BY method"),
            Case("SELECT method, status, count(*) FROM logs GROUP BY 2, 1"),
            Case("SELECT date_trunc('hour', time) AS hour, count(*), sum(size) FROM logs GROUP BY 1",
                 "SELECT strftime('%Y-%m-%dT%H:00:00Z', time) AS hour, count(*), sum(size) FROM logs GROUP BY 1"),
            Case("SELECT date_trunc('minute', time), count(*) FROM logs GROUP BY 1",
                 "SELECT strftime('%Y-%m-%dT%H:%M:00Z', time), count(*) FROM logs GROUP BY 1"),
            Case("SELECT date_trunc('day', time), min(time), max(time), count(*) FROM logs GROUP BY 1",
                 "SELECT strftime('%Y-%m-%dT00:00:00Z', time), min(time), max(time), count(*) FROM logs GROUP BY 1"),
            Case("SELECT hour(time), count(*) FROM logs GROUP BY hour(time)",
                 "SELECT CAST(strftime('%H', time) AS INTEGER), count(*) FROM logs "
                 "GROUP BY CAST(strftime('%H', time) AS INTEGER)"),
            Case("SELECT strftime('%Y-%m-%d %H', time), count(*) FROM logs GROUP BY 1"),
            Case("SELECT status, time, count(*) FROM logs WHERE time >= '2024-03-08T00:00:00Z' GROUP BY 1, 2"),
            Case("SELECT count(*), sum(time = '2024-03-07T00:00:00Z'), sum(time < '2024-03-08T00:00:00Z') "
                 "FROM logs WHERE time > '2024-03-07T00:01:00Z'"),
            Case("SELECT query IS NULL, user IS NULL, count(*) FROM logs GROUP BY 1, 2"),
            Case("SELECT size > 5000, count(*) FROM logs GROUP BY 1"),
        ])

    def test_time_functions(self):
        epoch = "CAST(strftime('%s', time) AS INTEGER)"
        self.check_cases([
            Case("SELECT date_trunc('week', time), date_trunc('month', time), date_trunc('year', time), "
                 "date_trunc('second', time), time_bucket(INTERVAL '1 month', time), "
                 "time_bucket(INTERVAL '15 minutes', time), year(time), month(time), day(time), "
                 "minute(time), second(time), dayofweek(time), epoch(time), "
                 "to_timestamp(epoch(time) - 86400), count(*) FROM logs GROUP BY time",
                 "SELECT strftime('%Y-%m-%dT00:00:00Z', time, '-6 days', 'weekday 1'), "
                 "strftime('%Y-%m-01T00:00:00Z', time), strftime('%Y-01-01T00:00:00Z', time), time, "
                 "strftime('%Y-%m-01T00:00:00Z', time), "
                 f"strftime('%Y-%m-%dT%H:%M:%SZ', ({epoch} / 900) * 900, 'unixepoch'), "
                 "CAST(strftime('%Y', time) AS INTEGER), CAST(strftime('%m', time) AS INTEGER), "
                 "CAST(strftime('%d', time) AS INTEGER), CAST(strftime('%M', time) AS INTEGER), "
                 "CAST(strftime('%S', time) AS INTEGER), CAST(strftime('%w', time) AS INTEGER), "
                 f"{epoch}, strftime('%Y-%m-%dT%H:%M:%SZ', {epoch} - 86400, 'unixepoch'), count(*) "
                 "FROM logs GROUP BY time", data="both"),
            Case("SELECT strftime('%Y/%m/%d %H:%M:%S', time), strftime('%j %w %s', time), "
                 "strftime('%f|%%|plain', time) FROM logs", data="edge"),
        ])

    def test_strftime_week_of_year_and_julian_day(self):
        # SQLite's %W (week of the year, Monday first) and %J (Julian day number).
        self.check_cases([
            Case("SELECT time, strftime('%W', time) FROM logs", data="edge"),
            Case("SELECT time, strftime('%J', time) FROM logs", data="edge"),
        ])

    def test_having(self):
        self.check_cases([
            Case("SELECT status, count(*) FROM logs GROUP BY status HAVING count(*) > 50"),
            Case("SELECT client, count(*), sum(size) FROM logs GROUP BY client "
                 "HAVING count(*) >= 20 AND sum(size) > 100000"),
            Case("SELECT path, count(*) FROM logs GROUP BY path HAVING max(status) >= 500"),
            Case("SELECT method FROM logs GROUP BY method HAVING count(DISTINCT status) > 3"),
            Case("SELECT count(*) FROM logs HAVING count(*) > 1000000"),
            Case("SELECT count(*) FROM logs HAVING count(*) > 0"),
            Case("SELECT status, count(*) FROM logs GROUP BY status HAVING status >= 400"),
        ])

    def test_aliases_of_aggregates_in_having_and_order_by_expressions(self):
        # SQLite resolves an alias of the select list in HAVING and inside ORDER BY expressions,
        # aliases of aggregates included (a bare alias in ORDER BY works in logan too).
        self.check_cases([
            Case("SELECT status, count(*) AS n FROM logs GROUP BY status HAVING n > 50"),
            Case("SELECT client, sum(size) AS bytes FROM logs GROUP BY client "
                 "HAVING bytes > 100000 ORDER BY bytes DESC, client"),
            Case("SELECT status, count(*) AS n FROM logs GROUP BY status ORDER BY -n, status"),
            Case("SELECT status, sum(size) AS b, count(*) AS n FROM logs GROUP BY status "
                 "ORDER BY b / n DESC, status"),
        ])

    def test_substr_from_before_the_start(self):
        # substr(x, -N) with N beyond the length is all of x in SQLite (the rest from the start).
        self.check_cases([
            Case("SELECT path, substr(path, -3), substr(path, -100), substr(client, -12) FROM logs",
                 data="edge"),
            Case("SELECT substr(method, -5), count(*) FROM logs GROUP BY 1"),
        ])

    def test_order_by_limit_offset(self):
        self.check_cases([
            Case("SELECT status, count(*) AS n FROM logs GROUP BY status ORDER BY n DESC, status"),
            Case("SELECT status, count(*) FROM logs GROUP BY status ORDER BY 2 DESC, 1 LIMIT 3"),
            Case("SELECT status, count(*) FROM logs GROUP BY status ORDER BY count(*), status LIMIT 4 OFFSET 2"),
            Case("SELECT path, sum(size) FROM logs GROUP BY path ORDER BY sum(size) DESC, path LIMIT 10"),
            Case("SELECT user, count(*) FROM logs GROUP BY user ORDER BY user"),
            Case("SELECT user, count(*) FROM logs GROUP BY user ORDER BY user DESC"),
            Case("SELECT user, count(*) FROM logs GROUP BY user ORDER BY user NULLS LAST"),
            Case("SELECT user, count(*) FROM logs GROUP BY user ORDER BY user DESC NULLS FIRST"),
            Case("SELECT query, user, status, time, size FROM logs ORDER BY query DESC NULLS FIRST, "
                 "user NULLS LAST, status DESC, time, size", data="edge"),
            Case("SELECT time, client, path, size, duration_us FROM logs "
                 "ORDER BY size DESC, duration_us, time, client, path LIMIT 25"),
            Case("SELECT time, client, path, size, duration_us FROM logs "
                 "ORDER BY duration DESC, time, client, path, size LIMIT 10 OFFSET 5"),
            Case("SELECT client, path, size FROM logs ORDER BY 3, 1, 2 LIMIT 5 OFFSET 10000"),
            Case("SELECT client, path, size FROM logs ORDER BY 3, 1, 2 LIMIT 0"),
            Case("SELECT client, path, size, status FROM logs ORDER BY 3, 1, 2, 4 LIMIT 3, 4"),
            Case("SELECT client, status, size AS status FROM logs ORDER BY status, client, 2",
                 data="edge"),
            Case("SELECT client AS c, path AS p FROM logs ORDER BY p DESC, c", data="edge"),
            Case("SELECT status, method, sum(size) FROM logs GROUP BY 1, 2 "
                 "ORDER BY status DESC, method NULLS FIRST LIMIT 15"),
            Case("SELECT size, path FROM logs WHERE status = 404 ORDER BY length(path) DESC, path, size LIMIT 7"),
            Case("SELECT status, count(*) FROM logs GROUP BY status ORDER BY max(size) DESC, status"),
            Case("SELECT client, size FROM logs ORDER BY size, client LIMIT -1", data="edge"),
        ])

    def test_distinct(self):
        self.check_cases([
            Case("SELECT DISTINCT status FROM logs"),
            Case("SELECT DISTINCT method, protocol FROM logs"),
            Case("SELECT DISTINCT user FROM logs ORDER BY user"),
            Case("SELECT DISTINCT status / 100, method FROM logs ORDER BY 1 DESC, 2"),
            Case("SELECT DISTINCT path FROM logs ORDER BY path LIMIT 10 OFFSET 3"),
            Case("SELECT DISTINCT query IS NULL, user FROM logs", data="both"),
            Case("SELECT DISTINCT count(*) FROM logs GROUP BY status"),
            Case("SELECT count(DISTINCT user), count(DISTINCT coalesce(user, 'x')) FROM logs", data="edge"),
        ])

    def test_text_of_numbers(self):
        # || writes a number as SQLite's text for it.
        self.check_cases([
            Case("SELECT client, duration || ' s', size || ' B', (size / 2.0) || '' FROM logs",
                 data="edge"),
            Case("SELECT avg(size) || '', max(duration) || '' FROM logs GROUP BY status"),
        ])

    def test_round(self):
        self.check_cases([
            Case("SELECT client, round(duration, 3), round(duration), round(size / 3.0, 2), "
                 "round(-duration, 1) FROM logs", data="edge"),
            Case("SELECT round(duration, 3), round(duration, 4), round(duration * 1000), round(duration, 2) "
                 "FROM logs"),
        ])

    def test_csv_output_holds_the_same_values(self):
        sql = ("SELECT status, method, count(*), avg(duration), min(time) FROM logs "
               "GROUP BY 1, 2 ORDER BY 1, 2")
        r = logan_cli.run(self.logan, self.query_args(sql, output="--csv"))
        self.assertEqual(r.returncode, 0, r.describe())
        rows = list(csv.reader(io.StringIO(r.stdout.decode("utf-8"), newline="")))
        doc = self.query_doc(sql)
        self.assertEqual(rows[0], doc["columns"])
        self.assertEqual(len(rows) - 1, len(doc["rows"]))
        for got, want in zip(rows[1:], doc["rows"]):
            self.assertEqual(got[0], str(want[0]))
            self.assertEqual(got[1], "" if want[1] is None else want[1])
            self.assertEqual(int(got[2]), want[2])
            self.assertTrue(math.isclose(float(got[3]), want[3], rel_tol=REL_TOL), (got, want))
            self.assertEqual(got[4], want[4])


# ------------------------------------------------------------------------------------------
# Random queries
# ------------------------------------------------------------------------------------------

@dataclass
class Expr:
    logan: str
    lite: str
    kind: str = "num"       # num, text, time, bool
    exact: bool = True      # an exact value (no rounding of reals): may lead an ORDER BY


def E(text, kind="num", lite=None, exact=True) -> Expr:
    return Expr(text, lite if lite is not None else text, kind, exact)


class QueryGenerator:
    """Random queries over `logs`, each with its SQLite spelling. Every sub-expression is
    parenthesized: logan puts all comparison operators on one level, SQLite two."""

    def __init__(self, rng: random.Random, records: list[dict]):
        self.rng = rng
        self.pool = {}
        for col in FIELDS:
            vals = {r[col] for r in records if r[col] is not None}
            self.pool[col] = sorted(vals)
        self.pool["duration"] = sorted({r["duration_us"] / 1e6 for r in records
                                        if r["duration_us"] is not None})

        def dtrunc(unit, fmt):
            return E(f"date_trunc('{unit}', time)", "time", f"strftime('{fmt}', time)")

        def part(fn, fmt):
            return E(f"{fn}(time)", "num", f"CAST(strftime('{fmt}', time) AS INTEGER)")
        hour = part("hour", "%H")
        self.hour = hour
        epoch = "CAST(strftime('%s', time) AS INTEGER)"
        self.time_parts = [hour, part("minute", "%M"), part("second", "%S"), part("day", "%d"),
                           part("month", "%m"), part("year", "%Y"), part("dayofweek", "%w"),
                           part("epoch", "%s")]
        self.time_values = [
            dtrunc("hour", "%Y-%m-%dT%H:00:00Z"), dtrunc("minute", "%Y-%m-%dT%H:%M:00Z"),
            dtrunc("day", "%Y-%m-%dT00:00:00Z"),
            E("time_bucket(INTERVAL '5 minutes', time)", "time",
              f"strftime('%Y-%m-%dT%H:%M:%SZ', ({epoch} / 300) * 300, 'unixepoch')"),
            E("time_bucket(INTERVAL '2 hours', time)", "time",
              f"strftime('%Y-%m-%dT%H:%M:%SZ', ({epoch} / 7200) * 7200, 'unixepoch')"),
            E("to_timestamp((epoch(time) + 90))", "time",
              f"strftime('%Y-%m-%dT%H:%M:%SZ', ({epoch} + 90), 'unixepoch')"),
            E("strftime('%Y/%m/%d %H:%M:%S %j %w', time)", "text"),
            E("strftime('%H:%M:%f|%s|%%', time)", "text"),
        ]
        # Numbers to compare: (expression, a literal for it).
        self.numbers = [
            (E("status"), lambda: self.pick("status")),
            (E("size"), lambda: self.pick("size")),
            (E("duration_us"), lambda: self.pick("duration_us")),
            (E("duration"), lambda: self.pick("duration")),
            (E("(status / 100)"), lambda: self.rng.randint(1, 5)),
            (E("(size / 1000)"), lambda: self.rng.randint(0, 40)),
            (E("(size % 7)"), lambda: self.rng.randint(0, 6)),
            (E("(duration_us + size)"), lambda: self.pick("duration_us") + self.pick("size")),
            (E("(duration * 1000)"), lambda: round(self.pick("duration") * 1000, 3)),
            (E("(size * 2 - duration_us)"), lambda: self.rng.randint(-50000, 50000)),
            (E("length(path)"), lambda: self.rng.randint(1, 40)),
            (E("abs(size - 5000)"), lambda: self.rng.randint(0, 10000)),
            (hour, lambda: self.rng.randint(0, 23)),
            (self.time_parts[1], lambda: self.rng.randint(0, 59)),
            (self.time_parts[6], lambda: self.rng.randint(0, 6)),
            (self.time_parts[7], lambda: 1709769600 + self.rng.randint(0, 120000)),
            (E("(-size)"), lambda: -self.pick("size")),
            (E("((size - 5000) / 7)"), lambda: self.rng.randint(-800, 800)),
            (E("((size - 5000) % 7)"), lambda: self.rng.randint(-6, 6)),
            (E("(duration_us % 7.5)"), lambda: self.rng.choice([0, 1.5, 3.0, 6.5])),
            (E("nullif(size, 0)"), lambda: self.pick("size")),
            (E("ifnull(length(query), -1)"), lambda: self.rng.randint(-1, 30)),
            (E("(size / (status - 200))"), lambda: self.rng.randint(-50, 500)),
            (E("coalesce(duration, size)"), lambda: self.pick("duration")),
            (E("(CASE WHEN (status >= 400) THEN size ELSE duration_us END)"), lambda: self.pick("size")),
        ]
        lower_method = (E("lower(method)", "text"), lambda: self.pick("method").lower())
        self.texts = [
            (E("client", "text"), lambda: self.pick("client")),
            (E("user", "text"), lambda: self.pick("user")),
            (E("method", "text"), lambda: self.pick("method")),
            (E("path", "text"), lambda: self.pick("path")),
            (E("query", "text"), lambda: self.pick("query")),
            (E("protocol", "text"), lambda: self.pick("protocol")),
            (E("referer", "text"), lambda: self.pick("referer")),
            (E("user_agent", "text"), lambda: self.pick("user_agent")),
            (E("request", "text"), lambda: self.pick("request")),
            lower_method,
            (E("substr(path, 1, 6)", "text"), lambda: self.pick("path")[:6]),
            (E("coalesce(user, 'anon')", "text"), lambda: self.rng.choice(["anon", self.pick("user")])),
            (E("(method || ' ' || path)", "text"),
             lambda: self.pick("method") + " " + self.pick("path")),
            (E("upper(protocol)", "text"), lambda: self.pick("protocol").upper()),
            (E("substr(client, 3)", "text"), lambda: self.pick("client")[2:]),
            (E("substr(path, 2, 4)", "text"), lambda: self.pick("path")[1:5]),
            (E("nullif(method, 'GET')", "text"), lambda: self.pick("method")),
            (E("(status || '/' || method)", "text"),
             lambda: f"{self.pick('status')}/{self.pick('method')}"),
            (E("CASE WHEN (user IS NULL) THEN client ELSE user END", "text"),
             lambda: self.pick(self.rng.choice(["user", "client"]))),
        ]
        self.text_columns = ["client", "user", "method", "path", "query", "protocol", "referer",
                             "user_agent", "request"]
        self.keys = [
            E("status"), E("method", "text"), E("(status / 100)"), E("path", "text"),
            E("client", "text"), E("protocol", "text"), E("user", "text"),
            E("CASE WHEN (size > 10000) THEN 'big' WHEN (size > 0) THEN 'small' ELSE 'empty' END", "text"),
            E("CASE (status / 100) WHEN 2 THEN 'ok' WHEN 3 THEN 'redirect' END", "text"),
            E("CASE WHEN (user IS NULL) THEN 0 ELSE status END"),
            dtrunc("hour", "%Y-%m-%dT%H:00:00Z"), dtrunc("minute", "%Y-%m-%dT%H:%M:00Z"), hour,
            E("lower(method)", "text"), E("substr(path, 1, 8)", "text"), E("(size > 5000)"),
            E("coalesce(user, '?')", "text"), E("(query IS NULL)"), E("(duration_us / 10000)"),
            E("length(query)"), E("nullif(method, 'GET')", "text"), E("((size - 5000) / 3000)"),
            E("(status || ' ' || protocol)", "text"), E("(-status)"),
        ] + self.time_parts[:7] + self.time_values
        # Arguments: any (count, min, max, count DISTINCT) and numbers (sum, avg).
        self.num_args = [E("status"), E("size"), E("duration_us"), E("duration", exact=False),
                         E("(size / 1000)"), E("length(path)"), E("(duration * 1000)", exact=False),
                         E("(status / 100)"), E("(size / (status - 200))"), E("nullif(size, 0)"),
                         E("length(query)"), E("(-duration_us)"),
                         E("CASE WHEN (status >= 400) THEN duration END", exact=False),
                         E("CASE WHEN (user IS NULL) THEN NULL ELSE size END"),
                         E("((size - 5000) % 7)")]
        self.any_args = self.num_args + [E(c, "text") for c in self.text_columns] + [
            E("time", "time"), E("nullif(method, 'GET')", "text"), E("substr(path, 1, 4)", "text")
        ] + self.time_values
        self.distinct_args = [E(c, "text") for c in ("client", "path", "user", "query", "method",
                                                     "protocol", "referer")] + [
            E("status"), E("(status / 100)"), E("size"), E("duration"), E("time", "time")]

    # --- values --------------------------------------------------------------------------
    def pick(self, col):
        return self.rng.choice(self.pool[col])

    def lit(self, v) -> str:
        if isinstance(v, str):
            return quote(v)
        if isinstance(v, float):
            return repr(v)
        return str(v)

    def like_pattern(self, value: str) -> str:
        rng = self.rng
        if not value:
            return "%"
        i = rng.randrange(len(value))
        j = rng.randrange(i, min(len(value), i + 12) + 1)
        core = list(value[i:j])
        for _ in range(rng.randint(0, 2)):
            if core:
                core[rng.randrange(len(core))] = "_"
        if rng.random() < 0.25:
            # One letter in the other case: LIKE must not match it, ILIKE must.
            letters = [k for k, ch in enumerate(core) if ch.isascii() and ch.isalpha()]
            if letters:
                k = rng.choice(letters)
                core[k] = core[k].swapcase()
        p = "".join(core)
        if i > 0 or rng.random() < 0.3:
            p = ("%" if rng.random() < 0.8 else "_" * min(i, 1)) + p
        if j < len(value) or rng.random() < 0.3:
            p = p + ("%" if rng.random() < 0.8 else "_")
        return p

    # --- conditions ----------------------------------------------------------------------
    def atom(self) -> Expr:
        rng = self.rng
        kind = rng.choices(["num", "text", "in", "between", "like", "null", "time", "eq_bool",
                            "ilike", "coalesce", "columns", "truth", "nulls", "in_columns"],
                           [22, 18, 10, 8, 14, 8, 6, 4, 4, 3, 4, 3, 2, 2])[0]
        op = rng.choice(["<", "<=", ">", ">=", "=", "!=", "<>"])
        no = "NOT " if rng.random() < 0.3 else ""
        if kind == "num":
            e, lit = rng.choice(self.numbers)
            v = lit()
            if isinstance(v, int) and rng.random() < 0.2:
                v += rng.choice([-1, 1])
            return self._b(f"({e.logan} {op} {self.lit(v)})", f"({e.lite} {op} {self.lit(v)})")
        if kind == "text":
            e, lit = rng.choice(self.texts)
            v = lit()
            if rng.random() < 0.2 and len(v) > 1:
                v = v[:rng.randrange(1, len(v))]
            return self._b(f"({e.logan} {op} {quote(v)})", f"({e.lite} {op} {quote(v)})")
        if kind == "in":
            if rng.random() < 0.5:
                e, lit = rng.choice(self.numbers[:6])
                items = [self.lit(lit()) for _ in range(rng.randint(1, 4))]
            else:
                e, lit = rng.choice(self.texts)
                items = [quote(lit()) for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.15:
                items.insert(rng.randrange(len(items) + 1), "NULL")
            s = ", ".join(items)
            return self._b(f"({e.logan} {no}IN ({s}))", f"({e.lite} {no}IN ({s}))")
        if kind == "between":
            if rng.random() < 0.6:
                e, lit = rng.choice(self.numbers)
                a, b = sorted([lit(), lit()])
                if rng.random() < 0.1:
                    a, b = b, a
                a, b = self.lit(a), self.lit(b)
            else:
                e, lit = rng.choice(self.texts)
                a, b = sorted([lit(), lit()])
                a, b = quote(a), quote(b)
            return self._b(f"({e.logan} {no}BETWEEN {a} AND {b})", f"({e.lite} {no}BETWEEN {a} AND {b})")
        if kind in ("like", "ilike"):
            col = rng.choice(self.text_columns)
            p = quote(self.like_pattern(self.pick(col)))
            if kind == "like":
                return self._b(f"({col} {no}LIKE {p})", f"({col} {no}LIKE {p})")
            if rng.random() < 0.5:
                p = p.upper() if rng.random() < 0.5 else p.lower()
            return self._b(f"({col} {no}ILIKE {p})", f"(lower({col}) {no}LIKE lower({p}))")
        if kind == "null":
            col = rng.choice(COLUMNS[:-2] + ["duration"])
            return self._b(f"({col} IS {no}NULL)", f"({col} IS {no}NULL)")
        if kind == "time":
            t = quote(self.pick("time"))
            if rng.random() < 0.3:
                return self._time_between(no)
            return self._b(f"(time {op} {t})", f"(time {op} {t})")
        if kind == "eq_bool":
            a, b = self.atom(), self.atom()
            o = rng.choice(["=", "<>"])
            return self._b(f"({a.logan} {o} {b.logan})", f"({a.lite} {o} {b.lite})")
        if kind == "columns":
            a, b = rng.choice([("size", "duration_us"), ("status", "size"), ("path", "referer"),
                               ("user", "method"), ("client", "user"), ("duration", "size"),
                               ("length(path)", "length(query)"), ("query", "path")])
            return self._b(f"({a} {op} {b})", f"({a} {op} {b})")
        if kind == "truth":
            e = rng.choice(["size", "duration", "(size % 2)", "length(query)", "(status - 200)",
                            "(duration_us / 1000000)"])
            s = rng.choice([f"({e})", f"(NOT {e})", f"({e} AND (status = 200))",
                            f"({e} OR (user IS NOT NULL))"])
            return self._b(s, s)
        if kind == "nulls":
            s = rng.choice(["(size BETWEEN NULL AND 5000)", "(size NOT BETWEEN 100 AND NULL)",
                            "(path LIKE NULL)", "(status = NULL)", "(NULL <> user)",
                            "(status NOT IN (200, NULL))", "((NULL AND (size > 100)) IS NULL)",
                            "(NOT (NULL OR (status = 404)))"])
            return self._b(s, s)
        if kind == "in_columns":
            s = rng.choice(["(status IN (size, 200, duration_us))", "(size NOT IN (status, 0))",
                            "(user IN (method, 'alice', client))", "(path IN (referer, '/'))"])
            return self._b(s, s)
        # coalesce
        e = rng.choice(["coalesce(query, user, 'none')", "coalesce(user, method, '-')",
                        "coalesce(protocol, 'HTTP/0.9')"])
        v = rng.choice(["none", "-", "HTTP/0.9", "HTTP/1.1", "GET", self.pick("user"), self.pick("query")])
        return self._b(f"({e} = {quote(v)})", f"({e} = {quote(v)})")

    def _time_between(self, no) -> Expr:
        a, b = sorted([self.pick("time"), self.pick("time")])
        s = f"(time {no}BETWEEN {quote(a)} AND {quote(b)})"
        return self._b(s, s)

    @staticmethod
    def _b(logan, lite) -> Expr:
        return Expr(logan, lite, "bool")

    def condition(self, depth=0) -> Expr:
        rng = self.rng
        r = rng.random()
        if depth >= 3 or r < 0.45:
            return self.atom()
        if r < 0.55:
            c = self.condition(depth + 1)
            return self._b(f"(NOT {c.logan})", f"(NOT {c.lite})")
        a, b = self.condition(depth + 1), self.condition(depth + 1)
        op = rng.choice(["AND", "OR"])
        return self._b(f"({a.logan} {op} {b.logan})", f"({a.lite} {op} {b.lite})")

    # --- aggregates ----------------------------------------------------------------------
    def aggregate(self) -> Expr:
        rng = self.rng
        k = rng.choices(["count*", "count", "countd", "sum", "avg", "min", "max", "expr"],
                        [14, 10, 12, 14, 10, 12, 12, 8])[0]
        if k == "count*":
            return E("count(*)")
        if k == "count":
            a = rng.choice(self.any_args)
            return E(f"count({a.logan})", lite=f"count({a.lite})")
        if k == "countd":
            a = rng.choice(self.distinct_args)
            return E(f"count(DISTINCT {a.logan})", lite=f"count(DISTINCT {a.lite})")
        if k in ("sum", "avg"):
            a = rng.choice(self.num_args)
            return E(f"{k}({a.logan})", lite=f"{k}({a.lite})", exact=a.exact and k == "sum")
        if k in ("min", "max"):
            a = rng.choice(self.any_args)
            return E(f"{k}({a.logan})", a.kind, lite=f"{k}({a.lite})", exact=a.exact)
        return rng.choice([E("(sum(size) / count(*))"), E("(max(status) - min(status))"),
                           E("coalesce(max(user), '-')", "text"), E("(count(*) * 2)"),
                           E("(count(DISTINCT client) + count(user))"),
                           E("(sum(duration_us) % 1000)")])

    def having(self) -> Expr:
        rng = self.rng
        atoms = [
            lambda: f"(count(*) {rng.choice(['>', '>=', '<', '='])} {rng.choice([1, 2, 3, 5, 10, 50, 200])})",
            lambda: f"(sum(size) > {rng.choice([0, 1000, 50000, 1000000])})",
            lambda: f"(max(status) >= {rng.choice([300, 400, 500])})",
            lambda: f"(min(duration_us) < {rng.choice([500, 2000, 10000])})",
            lambda: f"(count(DISTINCT client) > {rng.choice([1, 2, 5, 20])})",
            lambda: f"(avg(size) > {rng.choice([100, 2500.5, 8000])})",
            lambda: f"(max(path) > {quote(self.pick('path'))})",
            lambda: f"(sum(duration) < {rng.choice([0.5, 2.0, 10.0])})",
        ]
        s = rng.choice(atoms)()
        if rng.random() < 0.3:
            s = f"({s} {rng.choice(['AND', 'OR'])} {rng.choice(atoms)()})"
        if rng.random() < 0.1:
            s = f"(NOT {s})"
        return E(s, "bool")

    # --- whole queries -------------------------------------------------------------------
    def order_term(self, ref: str) -> str:
        rng = self.rng
        d = rng.choice(["", " ASC", " DESC"])
        n = rng.choice(["", "", " NULLS FIRST", " NULLS LAST"])
        return ref + d + n

    def query(self) -> Case:
        if self.rng.random() < 0.22:
            return self.plain_query()
        return self.grouped_query()

    def grouped_query(self) -> Case:
        rng = self.rng
        nkeys = rng.choices([0, 1, 2], [10, 50, 40])[0]
        keys = rng.sample(self.keys, nkeys)
        aggs = [self.aggregate() for _ in range(rng.randint(1, 4))]
        items = []  # (logan, lite, alias or None, exact, is_key)
        shown_keys = []
        for i, k in enumerate(keys):
            if rng.random() < 0.15 and nkeys:
                shown_keys.append(None)      # grouped by, not selected
                continue
            alias = f"k{i + 1}" if rng.random() < 0.35 else None
            items.append([k.logan, k.lite, alias, True, True, k.kind])
            shown_keys.append(len(items) - 1)
        for i, a in enumerate(aggs):
            alias = f"a{i + 1}" if rng.random() < 0.25 else None
            items.append([a.logan, a.lite, alias, a.exact, False, a.kind])
        rng.shuffle(items)
        index = {id(it): n for n, it in enumerate(items)}

        def sel(which):
            return ", ".join(it[which] + (f" AS {it[2]}" if it[2] else "") for it in items)
        key_refs = []  # (logan, lite) ways to name each key in GROUP BY / ORDER BY
        for k, pos in zip(keys, shown_keys):
            item = None
            if pos is not None:
                item = next(it for it in items if it[4] and it[0] == k.logan)
            r = rng.random()
            if item is not None and r < 0.4:
                n = str(index[id(item)] + 1)
                key_refs.append((n, n))
            elif item is not None and item[2] and r < 0.7:
                key_refs.append((item[2], item[2]))
            else:
                key_refs.append((k.logan, k.lite))
        where = self.condition() if rng.random() < 0.8 else None
        having = self.having() if rng.random() < 0.3 else None
        # An alias of an aggregate in HAVING (SQLite resolves it there too).
        named = [it for it in items if not it[4] and it[2] and it[5] == "num"]
        if named and rng.random() < 0.3:
            it = rng.choice(named)
            cond = f"({it[2]} {rng.choice(['>', '>=', '<', '<>'])} {rng.choice([0, 1, 2, 5, 20, 300, 5000])})"
            if having is None:
                having = E(cond, "bool")
            else:
                op = rng.choice(["AND", "OR"])
                having = Expr(f"({having.logan} {op} {cond})", f"({having.lite} {op} {cond})", "bool")
        lo = f"SELECT {sel(0)} FROM logs"
        li = f"SELECT {sel(1)} FROM logs"
        if where:
            lo += f" WHERE {where.logan}"
            li += f" WHERE {where.lite}"
        if keys:
            lo += " GROUP BY " + ", ".join(r[0] for r in key_refs)
            li += " GROUP BY " + ", ".join(r[1] for r in key_refs)
        if having:
            lo += f" HAVING {having.logan}"
            li += f" HAVING {having.lite}"
        ordered = rng.random() < 0.75
        if ordered:
            # Leading terms: exact aggregates (ties are then broken by every key: a total order).
            lead = [it for it in items if not it[4] and it[3]]
            lead = rng.sample(lead, rng.randint(0, min(2, len(lead))))
            terms_lo, terms_li = [], []
            for it in lead:
                how = rng.random()
                if how < 0.5:
                    ref_lo = ref_li = str(index[id(it)] + 1)
                elif it[2] and how < 0.8:
                    # The alias, or an expression of it.
                    ref_lo = ref_li = f"(-{it[2]})" if it[5] == "num" and how < 0.6 else it[2]
                else:
                    ref_lo, ref_li = it[0], it[1]
                t = self.order_term("")
                terms_lo.append(ref_lo + t)
                terms_li.append(ref_li + t)
            order = list(range(len(keys)))
            rng.shuffle(order)
            for i in order:
                t = self.order_term("")
                terms_lo.append(key_refs[i][0] + t)
                terms_li.append(key_refs[i][1] + t)
            if terms_lo:
                lo += " ORDER BY " + ", ".join(terms_lo)
                li += " ORDER BY " + ", ".join(terms_li)
                if rng.random() < 0.5:
                    lim = f" LIMIT {rng.randint(0, 20)}"
                    if rng.random() < 0.4:
                        lim += f" OFFSET {rng.randint(0, 10)}"
                    lo += lim
                    li += lim
            else:
                ordered = False
        return Case(lo, li, ordered=ordered)

    def plain_query(self) -> Case:
        rng = self.rng
        choices = [E(c, "text" if c not in INTEGER_COLUMNS else "num") for c in COLUMNS[:-2]] + [
            E("duration"), E("(status / 100)"), E("lower(method)", "text"),
            E("substr(path, 2, 5)", "text"), E("length(user_agent)"), E("(size % 1000)"),
            E("coalesce(query, '')", "text"), E("(query IS NULL)"), self.hour,
            E("nullif(size, 0)"), E("(size / (status - 200))"), E("(-duration)"),
            E("((size - 5000) % 7)"), E("(duration_us % 7.5)"),
            E("CASE WHEN (size > 10000) THEN 'big' WHEN (size > 0) THEN 'small' END", "text"),
            ] + self.time_parts + self.time_values
        items = rng.sample(choices, rng.randint(1, 4))
        distinct = rng.random() < 0.3
        where = self.condition()
        d = "DISTINCT " if distinct else ""
        lo = f"SELECT {d}{', '.join(i.logan for i in items)} FROM logs WHERE {where.logan}"
        li = f"SELECT {d}{', '.join(i.lite for i in items)} FROM logs WHERE {where.lite}"
        ordered = rng.random() < 0.6
        if ordered:
            order = list(range(1, len(items) + 1))
            rng.shuffle(order)
            terms = ", ".join(self.order_term(str(i)) for i in order)
            if rng.random() < 0.3 and not distinct:
                # Terms not in the select list first: ties are broken by every selected item.
                extra = rng.sample(["size", "status", "time", "path", "length(client)", "user"],
                                   rng.randint(1, 2))
                head = ", ".join(self.order_term(x) for x in extra)
                lo += f" ORDER BY {head}, {terms}"
                li += f" ORDER BY {head}, {terms}"
                terms = None
            lim = f" LIMIT {rng.randint(1, 40)}"
            if rng.random() < 0.3:
                lim += f" OFFSET {rng.randint(0, 30)}"
            if terms is not None:
                lo += f" ORDER BY {terms}"
                li += f" ORDER BY {terms}"
            lo += lim
            li += lim
        return Case(lo, li, ordered=ordered)


def random_scalars(rng: random.Random, n: int) -> list[str]:
    """Scalar expressions over the text and number columns and literals: substr with any
    start and length, LIKE with random patterns, arithmetic with zero and negative operands,
    text comparisons, the text functions, CASE."""
    def text():
        return quote("".join(rng.choice("ab%_/.\u00fcA'") for _ in range(rng.randint(0, 5))))

    def one():
        k = rng.randrange(8)
        col = rng.choice(["path", "client", "user", "query", "user_agent", "method", "protocol"])
        if k == 0:
            a = rng.randint(-15, 15)
            return f"substr({col}, {a})" if rng.random() < 0.4 else f"substr({col}, {a}, {rng.randint(-15, 15)})"
        if k == 1:
            p = "".join(rng.choice("ab%_/.iuA\u00fc") for _ in range(rng.randint(0, 6)))
            return f"({col} {rng.choice(['', 'NOT '])}LIKE {quote(p)})"
        if k == 2:
            p = "".join(rng.choice("ab%_/\u00fc") for _ in range(rng.randint(0, 5)))
            return f"({text()} LIKE {quote(p)})"
        if k == 3:
            x = rng.choice(["size", "status", "duration_us", str(rng.randint(-20, 20)), "(size - 500)", "duration"])
            y = rng.choice([str(rng.randint(-7, 7)), "status", "(status - 200)", "size", "2.5", "-0.5", "0"])
            return f"({x} {rng.choice(['/', '%', '*', '+', '-'])} {y})"
        if k == 4:
            return f"({col} {rng.choice(['<', '>', '=', '<=', '>=', '<>'])} {text()})"
        if k == 5:
            return rng.choice([f"length({col})", f"lower({col})", f"upper({col})",
                               f"abs(size - {rng.randint(0, 2000)})", f"nullif({col}, {text()})",
                               f"coalesce({col}, {text()})", f"ifnull({col}, {text()})",
                               f"({col} || {text()})", "(status || size)", f"({col} IN ({text()}, {text()}))"])
        if k == 6:
            return f"({col} {rng.choice(['', 'NOT '])}BETWEEN {text()} AND {text()})"
        return (f"CASE WHEN ({col} IS NULL) THEN {rng.randint(0, 3)} WHEN ({col} < {text()}) THEN size "
                f"ELSE -1 END")
    return [one() for _ in range(n)]


def random_cases(records, seed: int, n: int) -> list[Case]:
    g = QueryGenerator(random.Random(seed), records)
    return [g.query() for _ in range(n)]


def case_count(logan: str) -> int:
    v = os.environ.get("LOGAN_QUERY_CASES")
    if v:
        return int(v)
    return 100 if sanitized(logan) else 300


def query_seed() -> int:
    return int(os.environ.get("LOGAN_QUERY_SEED", "20240307"))


class RandomQueries(QueryTestCase):

    def test_random_queries_answer_as_sqlite_does(self):
        seed, n = query_seed(), case_count(self.logan)
        # Two thirds over the generated log, a third over it and the edge cases together.
        cases = random_cases(self.fx.records["gen"], seed, n - n // 3)
        both = self.fx.records["gen"] + self.fx.records["edge"]
        cases += [dataclasses.replace(c, data="both") for c in random_cases(both, seed + 1, n // 3)]
        # Every generated query must be one SQLite accepts (a generator mistake otherwise).
        for c in cases:
            try:
                self.fx.sqlite(c.data, c.lite)
            except sqlite3.Error as e:
                self.fail(f"the generator wrote a query SQLite refuses ({e}): {c.lite}")
        failures = []
        for i, (c, doc) in enumerate(zip(cases, self.answers(cases))):
            diff = self.case_diff(c, doc)
            if diff:
                failures.append(f"case {i} ({c.data}):\n  query: {c.sql}\n  SQLite query: {c.lite}\n  {diff}")
        if failures:
            self.fail(f"{len(failures)} of {n} random queries differ from SQLite "
                      f"(LOGAN_QUERY_SEED={seed}, LOGAN_QUERY_CASES={n}); the first 5:\n"
                      + "\n".join(failures[:5]))

    def test_random_scalar_expressions_answer_as_sqlite_does(self):
        seed = query_seed()
        rng = random.Random(seed)
        # Every column in ORDER BY: rows that tie are equal in every column the items read.
        order = ("time, client, path, query, size, duration_us, status, user_agent, method, "
                 "protocol, user, referer")
        for data, n in (("edge", 300), ("gen", 40)):
            items = random_scalars(rng, n)
            sql = f"SELECT {', '.join(items)} FROM logs ORDER BY {order}"
            doc = self.doc_of(logan_cli.run(self.logan, self.query_args(sql, data)))
            self.assertNotIsInstance(doc, str, f"{sql}\n{doc}" if isinstance(doc, str) else "")
            want = self.fx.sqlite(data, sql)
            self.assertEqual(len(doc["rows"]), len(want), data)
            bad = []
            for i, item in enumerate(items):
                for k, (g, w) in enumerate(zip(doc["rows"], want)):
                    if not same_value(g[i], w[i]):
                        bad.append(f"  {item}: logan {g[i]!r}, SQLite {w[i]!r} (row {k} in ORDER BY {order})")
                        break
            self.assertTrue(not bad, f"{len(bad)} of {n} expressions over {data} differ "
                                     f"(LOGAN_QUERY_SEED={seed}):\n" + "\n".join(bad[:15]))

    def test_the_generator_is_deterministic(self):
        recs = self.fx.records["gen"]
        a = [c.sql for c in random_cases(recs, 7, 20)]
        b = [c.sql for c in random_cases(recs, 7, 20)]
        self.assertEqual(a, b)


# ------------------------------------------------------------------------------------------
# Threads and split inputs
# ------------------------------------------------------------------------------------------

THREAD_QUERIES = [
    "SELECT status, method, count(*), sum(size), avg(duration), min(time), max(path), "
    "count(DISTINCT client) FROM logs GROUP BY 1, 2",
    "SELECT count(*), sum(size), avg(size), sum(duration), min(duration_us), max(time) FROM logs",
    "SELECT client, count(*) AS n FROM logs GROUP BY client ORDER BY n DESC, client LIMIT 20",
    "SELECT time, client, path, size FROM logs WHERE status >= 400 ORDER BY time, client, path, size",
    "SELECT time, client, path, size, duration FROM logs WHERE path LIKE '/api/%'",
    "SELECT DISTINCT user, method FROM logs",
    "SELECT date_trunc('minute', time), count(*), sum(duration) FROM logs GROUP BY 1 ORDER BY 1",
    "SELECT path, count(*) FROM logs GROUP BY path HAVING count(*) >= 10 ORDER BY 2 DESC, 1 LIMIT 15 OFFSET 2",
    "SELECT status / 100, count(DISTINCT path), count(DISTINCT query), min(user), max(user) FROM logs GROUP BY 1",
    "SELECT time, client, size FROM logs ORDER BY size DESC, time, client LIMIT 50",
]


class Threads(QueryTestCase):

    def test_answers_do_not_depend_on_threads_or_the_split(self):
        light = sanitized(self.logan)  # a sanitizer build spends ~0.5 s starting each process
        n_random = 0 if light else 30
        queries = THREAD_QUERIES + [c.sql for c in random_cases(self.fx.records["gen"], query_seed() + 2, n_random)]
        setups = [("-j 1", ["-j", "1"], [self.fx.gen]),
                  ("-j 4", ["-j", "4"], [self.fx.gen]),
                  ("3 files, -j 4", ["-j", "4"], self.fx.split),
                  ("3 files, -j 1", ["-j", "1"], self.fx.split)][:3 if light else 4]
        args = [self.query_args(q, opts=o, inputs=ins) for q in queries for _, o, ins in setups]
        results = self.run_all(args)
        for qi, q in enumerate(queries):
            docs = [self.doc_of(results[qi * len(setups) + s]) for s in range(len(setups))]
            with self.subTest(sql=q):
                for (name, _, _), doc in zip(setups, docs):
                    self.assertNotIsInstance(doc, str, f"{name}: {doc}" if isinstance(doc, str) else "")
                base = docs[0]
                # Rows come in the same order too: without ORDER BY, that of the logs (no
                # aggregate) or of the GROUP BY keys (docs/query.md), whatever the threads.
                for (name, _, _), doc in zip(setups[1:], docs[1:]):
                    self.assertEqual(doc["columns"], base["columns"], name)
                    self.assertEqual(doc["types"], base["types"], name)
                    got = [tuple(r) for r in doc["rows"]]
                    want = [tuple(r) for r in base["rows"]]
                    diff = ordered_diff(got, want)
                    self.assertIsNone(diff, f"{name} against -j 1 on one file: {diff}")

    def test_batch_query_gives_the_same_answers(self):
        queries = {"errors": "SELECT path, count(*) FROM logs WHERE status >= 500 GROUP BY 1 ORDER BY 2 DESC, 1",
                   "classes": "SELECT status / 100, count(*), sum(size), avg(duration) FROM logs GROUP BY 1",
                   "query3": "SELECT DISTINCT user FROM logs ORDER BY user"}
        n_random = 10 if sanitized(self.logan) else 25
        for i, c in enumerate(random_cases(self.fx.records["gen"], query_seed() + 3, n_random)):
            queries[f"r{i}"] = c.sql
        args = ["batch", "--json", "-f", FORMAT, "--no-progress", "-j", "2"]
        for name, sql in queries.items():
            args += ["--query", sql if name.startswith("query") else f"{name}={sql}"]
        r = logan_cli.run(self.logan, args + [self.fx.gen])
        self.assertEqual(r.returncode, 0, r.describe())
        doc = logan_cli.parse_json_stdout(r.stdout)
        self.assertEqual([q["name"] for q in doc["queries"]], list(queries), r.describe())
        alone = self.run_all([self.query_args(sql) for sql in queries.values()])
        for q, (name, sql), r1 in zip(doc["queries"], queries.items(), alone):
            with self.subTest(sql=sql):
                self.assertEqual(q["sql"], sql)
                one = self.doc_of(r1)
                self.assertNotIsInstance(one, str, one if isinstance(one, str) else "")
                self.assertEqual((q["columns"], q["types"]), (one["columns"], one["types"]), name)
                self.assertIsNone(ordered_diff([tuple(x) for x in q["rows"]], [tuple(x) for x in one["rows"]]), name)
        self.assertEqual(doc["lines"]["parsed"], len(self.fx.records["gen"]))

    def test_auto_detected_format_gives_the_same_answer(self):
        sql = "SELECT status, count(*), sum(duration_us) FROM logs GROUP BY 1 ORDER BY 1"
        r = logan_cli.run(self.logan, ["query", "--json", "--no-progress", sql, self.fx.gen])
        doc = self.doc_of(r)
        self.assertNotIsInstance(doc, str, doc if isinstance(doc, str) else "")
        self.assertEqual(doc, self.query_doc(sql))


# ------------------------------------------------------------------------------------------
# Approximate aggregates
# ------------------------------------------------------------------------------------------

def percentile_disc(values, q):
    v = sorted(values)
    if not v:
        return None
    return v[max(1, math.ceil(q * len(v))) - 1]


class ApproximateAggregates(QueryTestCase):

    def grouped(self, key, col, data="gen"):
        sql = f"SELECT {key}, {col} FROM logs"
        out = collections.defaultdict(list)
        for k, v in self.fx.sqlite(data, sql):
            out[k].append(v)
        return out

    def assertWithin(self, got, exact, rel, what):
        if exact is None:
            self.assertIsNone(got, what)
            return
        self.assertIsNotNone(got, what)
        self.assertLessEqual(abs(got - exact), rel * abs(exact) + 1e-12,
                             f"{what}: logan {got}, exact {exact}")

    def test_quantile_and_median(self):
        cases = [("duration_us", 0.5), ("duration_us", 0.9), ("duration_us", 0.99), ("size", 0.25),
                 ("size", 0.5), ("duration", 0.95), ("size", 0.0), ("size", 1.0), ("status", 0.75)]
        items = ", ".join(f"quantile({c}, {q})" for c, q in cases)
        sql = f"SELECT status / 100, {items}, median(duration_us), median(size) FROM logs GROUP BY 1"
        sql_all = f"SELECT {items}, median(duration_us), median(size) FROM logs"
        docs = [self.query_doc(sql), self.query_doc(sql_all),
                self.query_doc(sql_all + " WHERE status = 999"),
                self.query_doc(f"SELECT user, {items}, median(duration_us), median(size) FROM logs GROUP BY 1",
                               data="edge")]
        for t in docs[0]["types"][1:]:
            self.assertEqual(t, "real")
        cols = [c for c, _ in cases] + ["duration_us", "size"]
        qs = [q for _, q in cases] + [0.5, 0.5]
        for doc, key, data in ((docs[0], "status / 100", "gen"), (docs[3], "user", "edge")):
            for row in doc["rows"]:
                for i, (c, q) in enumerate(zip(cols, qs)):
                    vals = self.grouped(key, c, data)[row[0]]
                    exact = percentile_disc([v for v in vals if v is not None], q)
                    self.assertWithin(row[i + 1], exact, 0.01, f"{key}={row[0]}: quantile({c}, {q})")
        row = docs[1]["rows"][0]
        for i, (c, q) in enumerate(zip(cols, qs)):
            vals = [v for (v,) in self.fx.sqlite("gen", f"SELECT {c} FROM logs") if v is not None]
            self.assertWithin(row[i], percentile_disc(vals, q), 0.01, f"quantile({c}, {q})")
        self.assertEqual(docs[2]["rows"], [[None] * len(cols)])

    def test_approx_count_distinct(self):
        doc = self.query_doc("SELECT status, approx_count_distinct(client), approx_count_distinct(path), "
                             "approx_count_distinct(query), approx_count_distinct(size) FROM logs GROUP BY 1")
        doc_all = self.query_doc("SELECT approx_count_distinct(client), approx_count_distinct(path), "
                                 "approx_count_distinct(query), approx_count_distinct(size), "
                                 "approx_count_distinct(user) FROM logs")
        self.assertEqual(doc["types"], ["integer"] * 5)
        cols = ["client", "path", "query", "size", "user"]
        checked_big = 0

        def check(got, exact, what):
            nonlocal checked_big
            if exact <= 256:
                self.assertEqual(got, exact, f"{what}: exact up to 256 distinct values")
            else:
                checked_big += 1
                self.assertLessEqual(abs(got - exact), 0.05 * exact, f"{what}: logan {got}, exact {exact}")
        for row in doc["rows"]:
            for i, c in enumerate(cols[:4]):
                [(exact,)] = self.fx.sqlite("gen", f"SELECT count(DISTINCT {c}) FROM logs WHERE status = {row[0]}")
                check(row[i + 1], exact, f"status {row[0]}: approx_count_distinct({c})")
        for i, c in enumerate(cols):
            [(exact,)] = self.fx.sqlite("gen", f"SELECT count(DISTINCT {c}) FROM logs")
            check(doc_all["rows"][0][i], exact, f"approx_count_distinct({c})")
        self.assertGreater(checked_big, 0, "some column should have more than 256 distinct values")


# ------------------------------------------------------------------------------------------
# regexp_matches, regexp_extract, cidr_contains against Python
# ------------------------------------------------------------------------------------------

def python_cidr_contains(network: str, client):
    """logan's rule (docs/lookup.md): an IPv4-mapped IPv6 address is the IPv4 address, a zone
    is ignored; a client that is no address is not in any network."""
    if client is None:
        return None
    net = ipaddress.ip_network(network)
    if net.version == 6 and net.prefixlen >= 96 and net.network_address.ipv4_mapped is not None:
        net = ipaddress.ip_network(f"{net.network_address.ipv4_mapped}/{net.prefixlen - 96}")
    try:
        a = ipaddress.ip_address(client.split("%", 1)[0])
    except ValueError:
        return 0
    if a.version == 6 and a.ipv4_mapped is not None:
        a = a.ipv4_mapped
    return int(a.version == net.version and a in net)


REGEXES = [
    # (pattern, column, group for regexp_extract or None)
    (r"^/api/v(\d+)/", "path", 1),
    (r"\.(js|css|png|ico)$", "path", 1),
    (r"(\d+)", "path", 0),
    (r"page=(\d+)", "query", 1),
    (r"(a)|(e)", "path", 2),
    (r"Firefox/([0-9.]+)", "user_agent", 1),
    (r"^[A-Z]+ /[a-z]+", "request", 0),
    (r"(?i)mozilla", "user_agent", None),
    (r"^$", "path", None),
    (r"x", "client", None),
    (r"\d+\.\d+\.\d+\.\d+", "client", 0),
    (r"\w+@", "referer", None),
]


class RegexpAndCidr(QueryTestCase):

    def test_regexp_matches_and_extract(self):
        items = []
        for pat, col, group in REGEXES:
            items.append(f"regexp_matches({col}, {quote(pat)})")
            if group is not None:
                items.append(f"regexp_extract({col}, {quote(pat)}, {group})")
        for pat, col, group in REGEXES[:3]:
            items.append(f"regexp_extract({col}, {quote(pat)})")
        for data in ("gen", "edge"):
            doc = self.query_doc(f"SELECT {', '.join(items)}, path, query, user_agent, request, client, "
                                 f"referer FROM logs", data=data)
            recs = self.fx.records[data]
            self.assertEqual(len(doc["rows"]), len(recs))
            got_rows = collections.Counter(json.dumps(r) for r in doc["rows"])
            want_rows = collections.Counter()
            for rec in recs:
                row = []
                for pat, col, group in REGEXES:
                    v = rec[col]
                    m = None if v is None else re.search(pat, v, re.ASCII)
                    row.append(None if v is None else int(m is not None))
                    if group is not None:
                        row.append(None if v is None else (m.group(group) or "") if m else "")
                for pat, col, group in REGEXES[:3]:
                    v = rec[col]
                    m = None if v is None else re.search(pat, v, re.ASCII)
                    row.append(None if v is None else m.group(0) if m else "")
                row += [rec["path"], rec["query"], rec["user_agent"], rec["request"], rec["client"], rec["referer"]]
                want_rows[json.dumps(row)] += 1
            only_logan = list((got_rows - want_rows).elements())[:3]
            only_python = list((want_rows - got_rows).elements())[:3]
            self.assertEqual((only_logan, only_python), ([], []), f"{data}: rows differ")

    def test_regexp_in_where_and_group_by(self):
        pat = r"^/api/v(\d)/([a-z]+)"
        doc = self.query_doc(f"SELECT regexp_extract(path, {quote(pat)}, 2) AS what, count(*) FROM logs "
                             f"WHERE regexp_matches(path, {quote(pat)}) GROUP BY 1")
        want = collections.Counter()
        for rec in self.fx.records["gen"]:
            if rec["path"] is not None and (m := re.search(pat, rec["path"], re.ASCII)):
                want[m.group(2)] += 1
        self.assertEqual(dict((k, n) for k, n in doc["rows"]), dict(want))
        self.assertGreater(len(want), 1)

    def test_cidr_contains(self):
        nets = ["10.0.0.0/8", "192.0.2.0/24", "0.0.0.0/0", "10.1.2.3/32", "172.16.0.0/12",
                "2001:db8::/32", "fe80::/10", "::/0", "2001:db8:ffff::/48", "::ffff:10.0.0.0/104"]
        items = ", ".join(f"cidr_contains({quote(n)}, client)" for n in nets)
        for data in ("edge", "gen"):
            doc = self.query_doc(f"SELECT client, {items} FROM logs", data=data)
            got = collections.Counter(json.dumps(r) for r in doc["rows"])
            want = collections.Counter(json.dumps([rec["client"]] + [python_cidr_contains(n, rec["client"])
                                                                     for n in nets])
                                       for rec in self.fx.records[data])
            self.assertEqual(list((got - want).elements())[:5], [], f"{data}: only in logan")
            self.assertEqual(list((want - got).elements())[:5], [], f"{data}: only in Python")
        doc = self.query_doc("SELECT count(*) FROM logs WHERE cidr_contains('10.0.0.0/8', client) "
                             "OR cidr_contains('2001:db8::/32', client)", data="both")
        want = sum(1 for d in ("gen", "edge") for rec in self.fx.records[d]
                   if python_cidr_contains("10.0.0.0/8", rec["client"])
                   or python_cidr_contains("2001:db8::/32", rec["client"]))
        self.assertEqual(doc["rows"], [[want]])


# ------------------------------------------------------------------------------------------
# Bad queries
# ------------------------------------------------------------------------------------------

BAD_QUERIES = [
    # (query, the text the caret points at (its first occurrence), words the message holds)
    ("SELECT stauts FROM logs", "stauts", ["unknown column 'stauts'", "'status'"]),
    ("SELECT status, count(*)\nFROM logs\nWHERE  pathh = '/'", "pathh", ["unknown column", "'path'"]),
    ("SELECT status FROM logs WHERE count(*) > 1", "count(*)", ["aggregate"]),
    ("SELECT status FROM logs WHERE path > 5", "path", ["cannot compare text with integer"]),
    ("SELECT regexp_matches(path, '(') FROM logs", "'('", ["bad regular expression"]),
    ("SELECT status FROM logs WHERE time > 'yesterday'", "'yesterday'", ["'yesterday' is not a time"]),
    ("SELECT status FROM logs WHERE time BETWEEN '2024-03-07' AND 'soon'", "'soon'", ["not a time"]),
    ("SELECT status FROM logs WHERE", None, ["expected an expression"]),
    ("SELECT method FROM logs GROUP status", "status", ["expected BY"]),
    ("SELECT status FROM logs WHERE status = 'abc", "'abc", ["unterminated"]),
    ("SELECT cidr_contains('10.1.0.0/8', client) FROM logs", "'10.1.0.0/8'", ["bad network"]),
    ("SELECT status FROM access", "access", ["unknown table"]),
    ("SELECT sum(path) FROM logs", "sum(path)", ["needs a number"]),
    ("SELECT status, path, count(*) FROM logs GROUP BY status", "path", ["must appear in GROUP BY"]),
    ("SELECT count(*) FROM logs WHERE status = 200 ORDER BY 3", "3", ["not in the select list"]),
    ("SELECT status FROM logs WHERE path = '\u00fc\u00df' AND stauts = 1", "stauts", ["unknown column"]),
]


class BadQueries(QueryTestCase):

    def test_bad_queries_are_refused_with_a_caret(self):
        results = self.run_all([self.query_args(q, data="edge") for q, _, _ in BAD_QUERIES])
        for (q, at, words), r in zip(BAD_QUERIES, results):
            with self.subTest(sql=q):
                self.assertEqual(r.returncode, 2, r.describe())
                self.assertEqual(r.stdout, b"", r.describe())
                err = r.stderr_text()
                m = re.search(r"bad query at line (\d+), column (\d+): (.*)", err)
                self.assertIsNotNone(m, r.describe())
                line, col = int(m.group(1)), int(m.group(2))
                offset = len(q) if at is None else q.index(at)
                want_line = q[:offset].count("\n") + 1
                want_col = offset - (q.rfind("\n", 0, offset) + 1) + 1
                self.assertEqual((line, col), (want_line, want_col), r.describe())
                for w in words:
                    self.assertIn(w, m.group(3), r.describe())
                lines = err.splitlines()
                shown = "  " + q.split("\n")[line - 1]
                self.assertIn(shown, lines, r.describe())
                i = lines.index(shown)
                self.assertLess(i + 1, len(lines), r.describe())
                self.assertEqual(lines[i + 1], " " * (2 + col - 1) + "^", r.describe())

    def test_csv_output_of_a_bad_query_is_empty_too(self):
        r = logan_cli.run(self.logan, self.query_args("SELECT stauts FROM logs", data="edge", output="--csv"))
        self.assertEqual((r.returncode, r.stdout), (2, b""), r.describe())
        self.assertIn("bad query at line 1, column 8", r.stderr_text())



class HeaderColumns(logan_cli.LoganTestCase):
    """Headers the format logs are columns named as nginx names its variables."""

    LINES = [
        ("10.0.0.1", 200, "203.0.113.7, 10.0.0.1", "text/html"),
        ("10.0.0.2", 404, "-", "text/plain"),
        ("10.0.0.1", 200, "198.51.100.1", "-"),
        ("10.0.0.3", 500, "203.0.113.7", "text/html"),
    ]

    def test_headers_from_apache_and_nginx_formats(self):
        apache = "".join(f'{c} - - [07/Mar/2024:10:00:0{i} +0000] "GET /x HTTP/1.1" {s} 5 "-" "curl/8" "{x}" "{t}"\n'
                         for i, (c, s, x, t) in enumerate(self.LINES))
        self.write("a.log", apache)
        formats = {
            "apache": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" "%{X-Forwarded-For}i" "%{Content-Type}o"',
            "nginx": '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
                     '"$http_user_agent" "$http_x_forwarded_for" "$sent_http_content_type"',
        }
        sql = ("SELECT regexp_extract(http_x_forwarded_for, '^([^,]+)', 1) AS origin, sent_http_content_type AS type, "
               "count(*) FROM logs GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST")
        want = collections.Counter()
        for _, _, x, t in self.LINES:
            want[(None if x == "-" else x.split(",")[0], None if t == "-" else t)] += 1
        rows = [[o, t, n] for (o, t), n in sorted(want.items(), key=lambda kv: ((kv[0][0] or ""), (kv[0][1] or "")))]
        for name, fmt in formats.items():
            with self.subTest(format=name):
                r = self.run_logan("query", "--json", "--no-progress", "-f", fmt, sql, "a.log", cwd=self.tmp)
                self.assertEqual(r.returncode, 0, r.describe())
                self.assertEqual(json.loads(r.stdout)["rows"], rows)
        # A header the format does not log is NULL, and logan says so once.
        r = self.run_logan("query", "--json", "--no-progress", "-f", formats["apache"],
                           "SELECT count(http_x_real_ip) FROM logs", "a.log", cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(json.loads(r.stdout)["rows"], [[0]])
        self.assertEqual(r.stderr.decode().count("'http_x_real_ip' is NULL on every line"), 1)


if __name__ == "__main__":
    logan_cli.main()
