"""End-to-end tests of lookups (--lookup, --group-by, --lookup-refresh): lookup tables in CSV
files, SQLite databases and a real PostgreSQL 15 server (pg_server.py), keyed by exact IP
addresses, CIDR networks (IPv4 and IPv6, overlapping: the longest prefix wins) and user ids.
The expected groups are computed here independently, with Python's ipaddress module. Also:
grouped statistics in the SQLite and PostgreSQL sinks, partial files and `logan merge`, a
table changed under a running `logan stream` (refresh), bad setups, and SQL injection attempts
in log content and in lookup data, which must come out as data."""
from __future__ import annotations

import csv
import io
import ipaddress
import json
import signal
import sqlite3
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import logan_cli  # noqa: E402
from pg_server import SINK_TABLES, WithPgServer  # noqa: E402
from test_stream import StreamProc  # noqa: E402

EVIL = "x'); DROP TABLE logan_windows; --"

NETWORKS = [  # (network, org); overlapping on purpose
    ("10.0.0.0/8", "Ten"),
    ("10.1.0.0/16", "TenOne"),
    ("10.1.2.0/24", EVIL),
    ("10.1.2.3/32", "Host"),
    ("192.168.0.0/16", 'Quote "double" \\ back'),
    ("2001:db8::/32", "Doc6"),
    ("2001:db8:1::/48", "Doc6-One"),
    ("2001:db8:1::1/128", "Doc6-Host"),
]

CLIENTS = ["10.1.2.3", "10.1.2.4", "10.1.9.9", "10.9.9.9", "11.0.0.1", "192.168.5.5",
           "2001:db8::5", "2001:db8:1::1", "2001:db8:1::2", "2001:db9::1", "::ffff:10.1.2.3",
           "host.example", "172.16.0.1"]

USERS = [("alice", "pro"), ("bob", "free"), ("o'brien", EVIL), ("x';--", "quoted-key")]


def log_lines(n: int) -> list[tuple[str, str, int, int | None]]:
    """(client, user, status, size or None) per line, deterministic."""
    out = []
    for i in range(n):
        client = CLIENTS[(i * 7) % len(CLIENTS)]
        user = ["alice", "bob", "o'brien", "x';--", "-", "carol"][(i * 5) % 6]
        status = [200, 200, 404, 500, 301][(i * 3) % 5]
        size = None if i % 11 == 0 else (i * 37) % 5000
        out.append((client, user, status, size))
    return out


def render(lines) -> bytes:
    return b"".join(
        f'{c} - {u} [07/Mar/2024:10:{(i // 60) % 60:02d}:{i % 60:02d} +0000] "GET /p{i % 4} HTTP/1.1" '
        f'{s} {"-" if z is None else z}\n'.encode() for i, (c, u, s, z) in enumerate(lines))


def address(client: str):
    """The client as an address (IPv4-mapped IPv6 as IPv4), or None for a host name."""
    try:
        a = ipaddress.ip_address(client)
    except ValueError:
        return None
    return a.ipv4_mapped if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped else a


def longest_prefix(client: str):
    a = address(client)
    if a is None:
        return None
    best = None
    for net, org in NETWORKS:
        n = ipaddress.ip_network(net)
        if n.version == a.version and a in n and (best is None or n.prefixlen > best[0]):
            best = (n.prefixlen, org)
    return best[1] if best else None


def expected_groups(lines, value_of) -> dict:
    """{"top": {value: (lines, bytes, {code: count})}, "unmatched": (...)} as logan reports."""
    groups: dict = {}
    unmatched = [0, 0, {}]
    for client, user, status, size in lines:
        v = value_of(client, user)
        g = unmatched if v is None else groups.setdefault(v, [0, 0, {}])
        g[0] += 1
        g[1] += size or 0
        g[2][status] = g[2].get(status, 0) + 1
    return {"top": {k: (a, b, c) for k, (a, b, c) in groups.items()},
            "unmatched": tuple(unmatched)}


def reported(group: dict) -> dict:
    def counts(c):
        return (c["lines"], c["bytes"], {r["code"]: r["count"] for r in c["response_codes"]})
    return {"top": {row["value"]: counts(row) for row in group["top"]},
            "unmatched": counts(group["unmatched"])}


def group_of(doc: dict, by: str) -> dict:
    found = [g for g in doc.get("groups", []) if g["by"] == by]
    assert len(found) == 1, doc.get("groups")
    return found[0]


class LookupChecks(logan_cli.LoganTestCase):
    """Checks for every lookup source: a subclass says how to create a table
    (`make_table(name, columns, rows)` returning the --lookup SOURCE without options)."""

    def make_table(self, name: str, columns: list[str], rows: list[tuple]) -> str:
        raise NotImplementedError

    def lookup(self, name, table, key, *extra) -> str:
        source = self.make_table(table, *self.tables[table])
        sep = "&" if "?" in source else "?"
        return f"{name}={source}{sep}key={key}" + "".join("&" + e for e in extra)

    def setUp(self):
        super().setUp()
        self.tables = {
            "networks": (["network", "org", "region"],
                         [(n, o, "r" + str(i % 2)) for i, (n, o) in enumerate(NETWORKS)]),
            "hosts": (["ip", "customer"], [("10.1.2.3", "acme"), ("2001:db8:1::1", "globex"),
                                           ("192.168.5.5", None)]),
            "users": (["user_id", "plan"], USERS),
        }
        self.lines = log_lines(600)
        self.log = self.write("access.log", render(self.lines))

    def batch(self, *args) -> dict:
        return self.batch_json(self.log, "--format", "common", "--group-top", "100", *args)

    def test_cidr_keys_take_the_longest_prefix(self):
        doc = self.batch("--lookup", self.lookup("org", "networks", "network", "kind=cidr"),
                         "--group-by", "org.org")
        want = expected_groups(self.lines, lambda c, u: longest_prefix(c))
        got = group_of(doc, "org.org")
        self.assertEqual(reported(got), want)
        self.assertEqual(got["distinct_values"], len(want["top"]))
        # Every parsed line is in exactly one group.
        self.assertEqual(sum(v[0] for v in want["top"].values()) + want["unmatched"][0],
                         doc["lines"]["parsed"])

    def test_kinds_are_inferred_and_columns_of_one_lookup_share_its_match(self):
        doc = self.batch("--lookup", self.lookup("org", "networks", "network"),
                         "--group-by", "org.org", "--group-by", "org.region")
        self.assertEqual(reported(group_of(doc, "org.org")),
                         expected_groups(self.lines, lambda c, u: longest_prefix(c)))
        regions = {o: "r" + str(i % 2) for i, (_, o) in enumerate(NETWORKS)}
        self.assertEqual(reported(group_of(doc, "org.region")),
                         expected_groups(self.lines, lambda c, u: regions.get(longest_prefix(c))))

    def test_queries_read_looked_up_columns(self):
        """`logan query --lookup`: NAME.COLUMN is a text column, NULL where no row matches."""
        sql = ("SELECT org.org AS org, count(*), sum(size), count(DISTINCT client) FROM logs "
               "WHERE status <> 301 GROUP BY 1 ORDER BY 1 NULLS FIRST")
        r = self.run_logan("query", "--json", "--no-progress", "--format", "common", "--lookup",
                           self.lookup("org", "networks", "network", "kind=cidr"), sql, self.log)
        self.assertEqual(r.returncode, 0, r.describe())
        want: dict = {}
        for client, user, status, size in self.lines:
            if status == 301:
                continue
            g = want.setdefault(longest_prefix(client), [0, 0, set()])
            g[0] += 1
            g[1] += size or 0
            g[2].add(client)
        rows = [[org, n, total, len(clients)] for org, (n, total, clients) in want.items()]
        rows.sort(key=lambda row: (row[0] is not None, (row[0] or "").encode()))
        self.assertEqual(json.loads(r.stdout)["rows"], rows)
        # A looked-up column without its table is one line and exit 2.
        r = self.run_logan("query", "--no-progress", "SELECT org.org FROM logs", self.log)
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertIn("--lookup org=", r.stderr.decode())

    def test_exact_ip_keys(self):
        doc = self.batch("--lookup", self.lookup("cust", "hosts", "ip"), "--group-by", "cust.customer")
        table = {"10.1.2.3": "acme", "2001:db8:1::1": "globex"}  # 192.168.5.5 has no customer
        self.assertEqual(reported(group_of(doc, "cust.customer")),
                         expected_groups(self.lines, lambda c, u: table.get(str(address(c)))))

    def test_user_keys_with_hostile_log_content_and_lookup_data(self):
        doc = self.batch("--lookup", self.lookup("plan", "users", "user_id"), "--group-by", "plan.plan")
        plans = dict(USERS)
        got = reported(group_of(doc, "plan.plan"))
        self.assertEqual(got, expected_groups(self.lines, lambda c, u: plans.get(u)))
        self.assertIn(EVIL, got["top"])
        self.assertIn("quoted-key", got["top"])  # the log's user "x';--" matched as data

    def test_groups_survive_partials_and_merge(self):
        spec = self.lookup("org", "networks", "network")
        half = len(self.lines) // 2
        a = self.write("a.log", render(self.lines[:half]))
        b = self.write("b.log", render(self.lines[half:]))
        for log, part in ((a, "a.part"), (b, "b.part")):
            r = self.run_logan("batch", log, "--format", "common", "--lookup", spec,
                               "--group-by", "org.org", "--emit-partial", self.tmp / part)
            self.assertEqual(r.returncode, 0, r.describe())
        r = self.run_logan("merge", "--json", "--group-top", "100", self.tmp / "a.part", self.tmp / "b.part")
        self.assertEqual(r.returncode, 0, r.describe())
        merged = self.doc_from(r)
        self.assertEqual(reported(group_of(merged, "org.org")),
                         expected_groups(self.lines, lambda c, u: longest_prefix(c)))

    def test_groups_are_stored_in_sqlite_and_postgresql_sinks(self):
        db = self.tmp / "stats.db"
        spec = self.lookup("org", "networks", "network")
        args = ["--lookup", spec, "--group-by", "org.org", "--group-top", "100"]
        r = self.run_logan("batch", self.log, "--format", "common", *args, "--sink", f"sqlite:{db}")
        self.assertEqual(r.returncode, 0, r.describe())
        want = expected_groups(self.lines, lambda c, u: longest_prefix(c))
        con = sqlite3.connect(db)
        try:
            rows = con.execute("SELECT value, lines, bytes FROM logan_group_counts "
                               "WHERE group_by = 'org.org'").fetchall()
            codes = con.execute("SELECT value, status, count FROM logan_group_status_counts").fetchall()
        finally:
            con.close()
        self.assertEqual(sorted(rows, key=str), sorted(
            [(k, v[0], v[1]) for k, v in want["top"].items()] +
            [(None, want["unmatched"][0], want["unmatched"][1])], key=str))
        self.assertEqual(sorted(codes, key=str), sorted(
            [(k, code, n) for k, v in list(want["top"].items()) + [(None, want["unmatched"])]
             for code, n in v[2].items()], key=str))


class CsvLookup(LookupChecks):
    def make_table(self, name, columns, rows) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(columns)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
        path = self.write(f"{name}.csv", buf.getvalue().encode())
        return f"csv:{path}"


class SqliteLookup(LookupChecks):
    def make_table(self, name, columns, rows) -> str:
        db = self.tmp / "lookups.db"
        con = sqlite3.connect(db)
        try:
            cols = ", ".join(f'"{c}" TEXT' for c in columns)
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
            con.execute(f'CREATE TABLE "{name}" ({cols})')
            con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" for _ in columns)})', rows)
            con.commit()
        finally:
            con.close()
        return f"sqlite:{db}?table={name}"

    def test_refresh_during_stream_shows_the_new_groups(self):
        db = self.tmp / "lookups.db"
        source = self.make_table("networks", ["network", "org"], [("10.0.0.0/8", "before")])
        d = self.tmp / "logs"
        d.mkdir()
        s = StreamProc(self, [d, "--format", "common", "--window", "1s", "--slide", "1s", "--json",
                              "--lookup", f"org={source}&key=network", "--group-by", "org.org",
                              "--lookup-refresh", "1s"])
        log = d / "access.log"
        written = 0

        def write_lines(n):
            nonlocal written
            with open(log, "ab") as f:
                f.write(render([("10.0.0.1", "-", 200, 5)] * n))
            written += n

        def total_groups(o):
            g = [x for x in o["total"].get("groups", []) if x["by"] == "org.org"]
            return {row["value"]: row["lines"] for row in g[0]["top"]} if g else {}

        write_lines(10)
        s.wait_object(lambda o: total_groups(o).get("before") == 10, "10 lines grouped 'before'")
        con = sqlite3.connect(db)
        con.execute("UPDATE networks SET org = 'after'")
        con.commit()
        con.close()
        # Lines written from now on are grouped 'after' once the next refresh has run.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            write_lines(1)
            time.sleep(0.3)
            last = s.last()
            if last and total_groups(last).get("after", 0) > 0:
                break
        s.wait_total(written)
        final = s.finish(signal.SIGINT)
        groups = total_groups(final)
        self.assertGreater(groups.get("after", 0), 0, s.describe())
        self.assertEqual(groups.get("before", 0) + groups.get("after", 0), written, groups)


class PostgresLookup(WithPgServer, LookupChecks):
    def setUp(self):
        super().setUp()
        self.server.psql(f"DROP TABLE IF EXISTS {SINK_TABLES} CASCADE")

    @staticmethod
    def literal(v) -> str:
        return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"

    def make_table(self, name, columns, rows) -> str:
        # Real network types where they fit: cidr for networks, inet for addresses.
        types = {"network": "cidr", "ip": "inet"}
        cols = ", ".join(f'"{c}" {types.get(c, "text")}' for c in columns)
        values = ", ".join("(" + ", ".join(self.literal(v) for v in row) + ")" for row in rows)
        self.server.psql(f'DROP TABLE IF EXISTS "{name}"; CREATE TABLE "{name}" ({cols}); '
                         f'INSERT INTO "{name}" VALUES {values}')
        return f"{self.server.url()}?table={name}"

    def test_groups_are_stored_in_postgresql_as_data(self):
        spec = self.lookup("plan", "users", "user_id")
        r = self.run_logan("batch", self.log, "--format", "common", "--lookup", spec,
                           "--group-by", "plan.plan", "--group-top", "100", "--sink", self.server.url())
        self.assertEqual(r.returncode, 0, r.describe())
        plans = dict(USERS)
        want = expected_groups(self.lines, lambda c, u: plans.get(u))
        out = self.server.psql("SELECT coalesce(value, '<null>') || '|' || lines || '|' || bytes "
                               "FROM logan_group_counts ORDER BY 1")
        self.assertEqual(out.splitlines(), sorted(
            [f"{k}|{v[0]}|{v[1]}" for k, v in want["top"].items()] +
            [f"<null>|{want['unmatched'][0]}|{want['unmatched'][1]}"]))
        self.assertEqual(self.server.psql("SELECT count(*) FROM logan_windows"), "1")

    def test_bad_credentials_and_missing_tables_are_one_line(self):
        spec = self.lookup("org", "networks", "network")
        bad_pw = spec.replace(self.server.url(), self.server.url(password="wrong-pw"))
        r = self.run_logan("batch", self.log, "--lookup", bad_pw, "--group-by", "org.org")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "password authentication failed", r)
        self.assertNotIn("wrong-pw", r.stderr_text())
        r = self.run_logan("batch", self.log, "--lookup",
                           f"org={self.server.url()}?table=nope&key=network", "--group-by", "org.org")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, 'relation "nope" does not exist', r)


class StreamGroups(logan_cli.LoganTestCase):
    def test_groups_survive_a_checkpointed_restart(self):
        nets = self.write("n.csv", "network,org\n10.0.0.0/8,ten\n")
        d = self.tmp / "logs"
        d.mkdir()
        args = [d, "--format", "common", "--window", "1s", "--slide", "1s", "--json",
                "--checkpoint", self.tmp / "ck", "--lookup", f"org=csv:{nets}?key=network",
                "--group-by", "org.org"]
        lines = [("10.1.1.1", "-", 200, 5)] * 20 + [("192.0.2.1", "-", 404, 7)] * 3

        def groups(o):
            g = group_of(o["total"], "org.org")
            return reported(g)
        s = StreamProc(self, args)
        (d / "a.log").write_bytes(render(lines))
        s.wait_total(len(lines))
        first = s.finish(signal.SIGTERM)
        want = expected_groups(lines, lambda c, u: "ten" if c.startswith("10.") else None)
        self.assertEqual(groups(first), want)
        more = [("10.2.2.2", "-", 500, 1)] * 5
        with open(d / "a.log", "ab") as f:
            f.write(render(more))
        s = StreamProc(self, args)
        s.wait_total(len(lines) + len(more))
        final = s.finish(signal.SIGTERM)
        self.assertEqual(groups(final), expected_groups(
            lines + more, lambda c, u: "ten" if c.startswith("10.") else None))


class BadSetups(logan_cli.LoganTestCase):
    def test_bad_setups_are_one_line_errors(self):
        log = self.write("a.log", render(log_lines(5)))
        nets = self.write("n.csv", "network,org\n10.1.0.0/8,x\n")
        dup = self.write("d.csv", "network,org\n10.0.0.0/8,x\n10.0.0.0/8,y\n")
        cases = [
            (["--lookup", "org=csv:/nonexistent.csv?key=k", "--group-by", "org.org"], "/nonexistent.csv"),
            (["--lookup", f"org=csv:{nets}?key=network", "--group-by", "org.org"], "10.1.0.0/8"),
            (["--lookup", f"org=csv:{nets}?key=network&kind=cidr", "--group-by", "org.org"],
             "malformed CIDR '10.1.0.0/8'"),
            (["--lookup", f"org=csv:{dup}?key=network", "--group-by", "org.org"], "listed twice"),
            (["--lookup", f"org=csv:{nets}?key=network"], "not used by any --group-by"),
            (["--group-by", "org.org"], "no --lookup is called 'org'"),
            (["--lookup", f"org=csv:{nets}", "--group-by", "org.org"], "key=COLUMN is required"),
            (["--lookup", "org=mysql://h/db?table=t&key=k", "--group-by", "org.org"], "SOURCE must start"),
            (["--lookup", f"org=csv:{nets}?key=network&kind=text", "--group-by", "org.org",
              "--lookup-refresh", "soon"], "bad --lookup-refresh 'soon'"),
            (["--lookup", "org=postgresql://logan@127.0.0.1:1/db?table=t&key=k&connect_timeout=2",
              "--group-by", "org.org"], "cannot connect"),
        ]
        for args, text in cases:
            r = self.run_logan("batch", log, "--format", "common", *args)
            self.assertEqual(r.returncode, 2, r.describe())
            self.assertOneLineNaming(r.stderr, text, r)


del LookupChecks  # only its subclasses run

if __name__ == "__main__":
    logan_cli.main()
