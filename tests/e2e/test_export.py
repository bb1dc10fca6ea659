"""End-to-end tests of `logan export`: records written as JSON Lines and CSV files (gzip, zstd,
plain), partitioned by hour and spread over parts, and loaded into a real PostgreSQL server
(pg_server.py). Every record must be there once, with the values an independent parse of the
log lines gives (tests/reference/reference_stats.py); every invalid line must be in the rejects
file; hostile log content must arrive as data; failures must leave nothing under final names."""
from __future__ import annotations

import collections
import csv
import gzip
import io
import json
import re
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import logan_cli  # noqa: E402
from logan_cli import ref  # noqa: E402
from pg_server import PASSWORD, WithPgServer  # noqa: E402

FIELDS = ["time", "client", "user", "method", "path", "query", "protocol", "status", "size",
          "duration_us", "referer", "user_agent", "vhost", "request"]
SUMMARY = re.compile(r"logan: exported (\d+) records to .*; (\d+) lines rejected.* \((\d+) lines read\)")


def clean(b: bytes | None) -> str | None:
    """Text as logan exports it: invalid UTF-8 and NUL become U+FFFD; empty or '-' is null."""
    if b is None or b in (b"", b"-"):
        return None
    return b.decode("utf-8", "replace").replace("\x00", "\ufffd")


def expected_records(data: bytes, fmt: str) -> collections.Counter:
    """(time, client, method, path, query, status, size) of every valid line, parsed by the
    reference implementation's own regular expressions."""
    lf = ref.compile_format(fmt)
    r = lf.roles
    out = collections.Counter()
    for line in ref.iter_lines(data):
        m = lf.regex.fullmatch(line) if len(line) <= ref.MAX_LINE_BYTES else None
        if m is None:
            continue
        t = None
        if "time" in r:
            t = ref.parse_clf_time(m.group(r["time"]))
            if t is None:
                continue
        method, target = ref.split_request(m.group(r["request"]))
        path = query = None
        if target is not None:
            path, _, q = target.partition(b"?")
            query = q if b"?" in target else None
        size = m.group(r["size"])
        out[(ref.format_utc(t) if t else None, clean(m.group(r["client"])), clean(method),
             clean(path), clean(query), int(m.group(r["status"])),
             0 if size == b"-" else int(size))] += 1
    return out


def key(rec: dict):
    return (rec["time"], rec["client"], rec["method"], rec["path"], rec["query"], rec["status"],
            rec["size"])


def read_jsonl(data: bytes) -> list[dict]:
    text = data.decode("utf-8")  # strictly valid UTF-8
    return [json.loads(line) for line in text.splitlines()]


def read_csv(data: bytes) -> list[dict]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == FIELDS, rows[0]
    out = []
    for row in rows[1:]:
        rec = {k: (v if v != "" else None) for k, v in zip(FIELDS, row)}
        for k in ("status", "size", "duration_us"):
            if rec[k] is not None:
                rec[k] = int(rec[k])
        out.append(rec)
    return out


def decompress(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        return gzip.decompress(data)
    if path.suffix == ".zst":
        exe = logan_cli.zstd_exe()
        if exe is None:
            raise unittest.SkipTest("the zstd command is not installed")
        return subprocess.run([exe, "-d", "-c", "-q", path], stdout=subprocess.PIPE, check=True).stdout
    return data


def network_lookup(clients, path: Path) -> dict:
    """Writes a CSV of nested IPv4 networks around `clients` (and one IPv6 network) to `path`;
    returns client -> (org, country) as a longest-prefix match decides, None where none does."""
    import ipaddress
    nets = {}
    for i, c in enumerate(sorted(clients)):
        try:
            a = ipaddress.ip_address(c)
        except ValueError:
            continue
        if a.version != 4:
            continue
        if i % 3 == 0:
            nets[ipaddress.ip_network(f"{c}/16", strict=False)] = (f"org{i % 7}", "" if i % 5 == 0 else f"C{i % 4}")
        if i % 4 == 0:
            nets[ipaddress.ip_network(f"{c}/24", strict=False)] = (f'"sub, {i}"', f"D{i % 3}")
    nets[ipaddress.ip_network("2001:db8::/32")] = ("v6", "ZZ")
    lines = ["network,org,country"] + [f"{n},{o},{c}" for n, (o, c) in nets.items()]
    path.write_text("\n".join(lines) + "\n")
    want = {}
    for c in clients:
        try:
            a = ipaddress.ip_address(c)
        except ValueError:
            want[c] = None
            continue
        best = max((n for n in nets if a in n), key=lambda n: n.prefixlen, default=None)
        if best is None:
            want[c] = None
        else:
            org, country = nets[best]
            org = org.strip('"').replace('""', '"') if org.startswith('"') else org
            want[c] = (org, country or None)
    return want


def part_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("part-*") if p.is_file())


class ExportToFiles(logan_cli.LoganTestCase):
    def export(self, *args, expect=0):
        r = self.run_logan("export", *args)
        self.assertEqual(r.returncode, expect, r.describe())
        return r

    def summary(self, r) -> tuple[int, int, int]:
        lines = r.stderr_text().strip().splitlines()
        self.assertEqual(len(lines), 1, r.describe())
        m = SUMMARY.fullmatch(lines[0])
        self.assertIsNotNone(m, r.describe())
        return int(m.group(1)), int(m.group(2)), int(m.group(3))

    def generated(self, lines=20000, seed=3) -> tuple[Path, bytes, dict]:
        log = self.gen(self.tmp / "access.log", lines, seed, "combined", 0.01)
        doc = self.batch_json(log)
        return log, log.read_bytes(), doc

    def check_records(self, records, data, doc):
        self.assertEqual(len(records), doc["lines"]["parsed"])
        got = collections.Counter(key(r) for r in records)
        self.assertEqual(got, expected_records(data, "combined"))
        for rec in records:
            self.assertEqual(list(rec), FIELDS)

    def test_jsonl_gzip_holds_every_record_and_rejects_every_invalid_line(self):
        log, data, doc = self.generated()
        out = self.tmp / "out"
        r = self.export(log, "-o", out, "--rejects", self.tmp / "rejects.txt", "--threads", "2")
        self.assertEqual(self.summary(r), (doc["lines"]["parsed"], doc["lines"]["invalid"],
                                           doc["lines"]["total"]))
        self.assertEqual([p.name for p in part_files(out)], ["part-00000.jsonl.gz"])
        self.assertTrue((out / "_SUCCESS").exists())
        self.assertEqual([p.name for p in out.iterdir() if p.name.startswith(".")], [])
        records = read_jsonl(decompress(out / "part-00000.jsonl.gz"))
        self.check_records(records, data, doc)
        # The user agent and referer of a sample, against the log's own lines.
        by_line = {}
        for line in ref.iter_lines(data):
            m = re.match(rb'(\S+) \S+ \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" \d+ \S+ "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$', line)
            if m:
                by_line.setdefault(m.group(1), set()).add((clean(m.group(2)), clean(m.group(3))))
        for rec in records[:500]:
            self.assertIn((rec["referer"], rec["user_agent"]), by_line[rec["client"].encode()])
        rejects = (self.tmp / "rejects.txt").read_bytes()
        want = [s["text"] for s in doc["invalid_samples"]]
        got_lines = rejects.split(b"\n")[:-1]
        self.assertEqual(len(got_lines), doc["lines"]["invalid"])
        self.assertEqual([l.decode("utf-8", "replace") for l in got_lines[:len(want)]], want)

    def test_rejects_source_names_file_and_line(self):
        log = self.write("a.log", logan_cli.lines(logan_cli.combined(), b"junk", logan_cli.combined(), b"", b"x\ty"))
        r = self.export(log, "-o", self.tmp / "out", "--rejects", self.tmp / "rej", "--rejects-source")
        self.assertEqual(self.summary(r), (2, 3, 5))
        self.assertEqual((self.tmp / "rej").read_bytes(),
                         f"{log}:2:junk\n{log}:4:\n{log}:5:x\ty\n".encode())

    def test_looked_up_columns_follow_each_record(self):
        log, data, doc = self.generated(6000, 9)
        plain = self.tmp / "plain"
        self.export(log, "-o", plain, "--compress", "none")
        records = read_jsonl(part_files(plain)[0].read_bytes())
        clients = {r["client"] for r in records}
        want = network_lookup(clients, self.tmp / "nets.csv")
        self.assertTrue(any(v for v in want.values()) and any(v is None for v in want.values()))
        lookup = f"net=csv:{self.tmp / 'nets.csv'}?key=network"
        out = self.tmp / "jsonl"
        self.export(log, "-o", out, "--compress", "gzip", "--lookup", lookup, "--with", "net.country",
                    "--with", "net.org")
        got = [r for p in part_files(out) for r in read_jsonl(decompress(p))]
        self.assertEqual(len(got), len(records))
        for rec in got:
            self.assertEqual(list(rec), FIELDS + ["net.country", "net.org"])
            w = want[rec["client"]]
            self.assertEqual((rec["net.org"], rec["net.country"]), (w[0], w[1]) if w else (None, None), rec)
        out = self.tmp / "csv"
        self.export(log, "-o", out, "--to-format", "csv", "--compress", "none", "--lookup", lookup,
                    "--with", "net.org")
        rows = list(csv.reader(io.StringIO(part_files(out)[0].read_bytes().decode(), newline="")))
        self.assertEqual(rows[0], FIELDS + ["net.org"])
        self.assertEqual(len(rows) - 1, len(records))
        for row in rows[1:]:
            w = want[row[1]]
            self.assertEqual(row[-1], w[0] if w else "", row)
        # A --with naming no lookup, or a lookup no --with uses, is a usage error before any file.
        bad = self.export(log, "-o", self.tmp / "bad", "--with", "net.org", expect=2)
        self.assertIn("--with net.org: no --lookup is called 'net'", bad.stderr_text())
        bad = self.export(log, "-o", self.tmp / "bad", "--lookup", lookup, expect=2)
        self.assertIn("not used by any --with", bad.stderr_text())
        bad = self.export(log, "-o", self.tmp / "bad", "--lookup", lookup, "--with", "net", expect=2)
        self.assertIn("bad --with 'net': expected LOOKUP.COLUMN", bad.stderr_text())
        self.assertFalse((self.tmp / "bad").exists())

    def test_csv_plain_reads_back_with_the_same_records(self):
        log, data, doc = self.generated(8000, 5)
        out = self.tmp / "csv"
        self.export(log, "-o", out, "--to-format", "csv", "--compress", "none")
        files = part_files(out)
        self.assertEqual([p.name for p in files], ["part-00000.csv"])
        raw = files[0].read_bytes()
        self.assertTrue(raw.endswith(b"\r\n"))
        self.check_records(read_csv(raw), data, doc)

    def test_hostile_text_in_csv_and_jsonl(self):
        agent = b'say \\"hi\\", then\\\\ \xff\xfe bye'
        log = self.write("h.log", logan_cli.lines(
            logan_cli.combined(agent=agent, referer=b"http://x/?a=1,2",
                               request=b"GET /q?x='); DROP TABLE t; -- HTTP/1.1")))
        for fmt, reader in (("csv", read_csv), ("jsonl", read_jsonl)):
            out = self.tmp / fmt
            self.export(log, "-o", out, "--to-format", fmt)
            [rec] = reader(decompress(part_files(out)[0]))
            # As logged: Apache escapes quotes and backslashes, logan keeps the escapes.
            self.assertEqual(rec["user_agent"], 'say \\"hi\\", then\\\\ \ufffd\ufffd bye', fmt)
            self.assertEqual(rec["referer"], "http://x/?a=1,2", fmt)
            self.assertEqual(rec["query"], "x='); DROP TABLE t; --", fmt)
            self.assertEqual(rec["user"], None, fmt)

    def test_partition_by_hour_puts_each_record_under_its_hour(self):
        data = logan_cli.make_log(3000, seed=11)
        log = self.write("multi.log", data)
        doc = self.batch_json(log, "--format", "common")
        out = self.tmp / "hours"
        self.export(log, "--format", "common", "-o", out, "--partition", "hour", "--compress", "zstd")
        total = 0
        dirs = set()
        for f in part_files(out):
            rel = f.relative_to(out)
            self.assertEqual(f.name, "part-00000.jsonl.zst")
            m = re.fullmatch(r"date=(\d{4}-\d\d-\d\d)/hour=(\d\d)", str(rel.parent))
            self.assertIsNotNone(m, rel)
            dirs.add(str(rel.parent))
            for rec in read_jsonl(decompress(f)):
                self.assertEqual(rec["time"][:13], f"{m.group(1)}T{m.group(2)}", rel)
                total += 1
        self.assertEqual(total, doc["lines"]["parsed"])
        want = {f"date={t[:10]}/hour={t[11:13]}" for t, *_ in expected_records(data, "common")}
        self.assertEqual(dirs, want)

    def test_records_without_time_go_to_date_unknown(self):
        log = self.write("nt.log", b"192.0.2.1 200 10\n192.0.2.2 404 20\n")
        out = self.tmp / "nt"
        self.export(log, "--format", "%h %>s %b", "-o", out, "--partition", "day")
        files = part_files(out)
        self.assertEqual([str(f.relative_to(out)) for f in files], ["date=unknown/part-00000.jsonl.gz"])
        recs = read_jsonl(decompress(files[0]))
        self.assertEqual([(r["client"], r["status"], r["time"]) for r in recs],
                         [("192.0.2.1", 200, None), ("192.0.2.2", 404, None)])

    def test_parts_spread_records_over_numbered_files(self):
        log, data, doc = self.generated(8000, 9)
        out = self.tmp / "parts"
        self.export(log, "-o", out, "--parts", "4", "--to-format", "csv")
        files = part_files(out)
        self.assertEqual([f.name for f in files], [f"part-0000{i}.csv.gz" for i in range(4)])
        records = []
        for f in files:
            part = read_csv(decompress(f))
            self.assertGreater(len(part), doc["lines"]["parsed"] // 8, f.name)
            records += part
        self.check_records(records, data, doc)

    def test_an_export_is_not_overwritten_without_overwrite(self):
        log = self.write("a.log", logan_cli.lines(logan_cli.combined()))
        out = self.tmp / "out"
        self.export(log, "-o", out)
        r = self.export(log, "-o", out, "--parts", "2", expect=2)
        self.assertOneLineNaming(r.stderr, "--overwrite", r)
        self.assertEqual([p.name for p in part_files(out)], ["part-00000.jsonl.gz"])
        self.export(log, "-o", out, "--to-format", "csv", "--overwrite")
        self.assertEqual([p.name for p in part_files(out)], ["part-00000.csv.gz"])

    def test_missing_input_is_one_line_and_leaves_nothing(self):
        out = self.tmp / "out"
        r = self.export(self.tmp / "missing.log", "-o", out, expect=2)
        self.assertOneLineNaming(r.stderr, "missing.log", r)
        self.assertFalse(out.exists())

    def test_keep_going_exports_the_readable_inputs(self):
        log = self.write("a.log", logan_cli.lines(logan_cli.combined(), logan_cli.combined()))
        out = self.tmp / "out"
        r = self.export(log, self.tmp / "missing.log", "-o", out, "--keep-going")
        self.assertIn("missing.log", r.stderr_text())
        self.assertEqual(len(read_jsonl(decompress(part_files(out)[0]))), 2)

    def test_a_truncated_input_fails_and_no_part_appears(self):
        good = self.write("a.log", logan_cli.lines(*[logan_cli.combined()] * 100))
        bad = self.write("b.log.gz", logan_cli.gzip_bytes(b"x" * 100000)[:-20])
        out = self.tmp / "out"
        r = self.export(good, bad, "-o", out, expect=2)
        self.assertOneLineNaming(r.stderr, "b.log.gz", r)
        self.assertEqual(list(out.rglob("*")), [])

    def test_unwritable_output_directory(self):
        self.write("file", b"x")
        log = self.write("a.log", logan_cli.lines(logan_cli.combined()))
        r = self.export(log, "-o", self.tmp / "file" / "out", expect=2)
        self.assertOneLineNaming(r.stderr, "file/out", r)

    def test_usage_errors(self):
        log = self.write("a.log", logan_cli.lines(logan_cli.combined()))
        for args in (["-o", self.tmp / "o", "--to", "postgresql://x@127.0.0.1:1/db"],
                     [],
                     ["--to", "postgresql://x@127.0.0.1:1/db"],
                     ["--to", "postgresql://x@127.0.0.1:1/db", "--table", "t", "--partition", "hour"],
                     ["-o", self.tmp / "o", "--compress", "lz4"]):
            r = self.export(log, *args, expect=2)
            self.assertEqual(len(r.stderr_text().strip().splitlines()), 1, r.describe())

    def test_stdin_and_compressed_inputs(self):
        body = logan_cli.lines(*[logan_cli.combined(ip=f"192.0.2.{i}") for i in range(50)])
        gz = self.write("a.log.gz", logan_cli.gzip_bytes(body))
        out = self.tmp / "out"
        r = self.run_logan("export", "-", gz, "-o", out, stdin=body)
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(len(read_jsonl(decompress(part_files(out)[0]))), 100)


class ExportToPostgres(WithPgServer, logan_cli.LoganTestCase):

    def setUp(self):
        super().setUp()
        self.server.psql("DROP TABLE IF EXISTS access, hostile, web.access; DROP SCHEMA IF EXISTS web")

    def test_records_are_loaded_with_their_values(self):
        log = self.gen(self.tmp / "access.log", 20000, 4, "combined", 0.01)
        doc = self.batch_json(log)
        r = self.run_logan("export", log, "--to", self.server.url(), "--table", "access")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertIn(f"exported {doc['lines']['parsed']} records", r.stderr_text())
        self.assertNotIn(PASSWORD, r.stderr_text())
        self.assertEqual(self.server.psql("SELECT count(*) FROM access"), str(doc["lines"]["parsed"]))
        rows = self.server.psql(
            "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), client, "
            "method, path, query, status, size FROM access")
        got = collections.Counter()
        for row in rows.split("\n"):
            t, client, method, path, query, status, size = row.split("|")
            got[(t, client, method or None, path or None, query or None, int(status), int(size))] += 1
        want = collections.Counter()
        for k, n in expected_records(log.read_bytes(), "combined").items():
            want[tuple(x if x is None or not isinstance(x, str) or "|" not in x else x for x in k)] += n
        # psql's unaligned output cannot tell NULL from '': compare with both as None.
        want = collections.Counter({tuple(None if x == "" else x for x in k): n for k, n in want.items()})
        self.assertEqual(got, want)
        self.assertEqual(self.server.psql(
            "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_name = 'access'"),
            "time:timestamp with time zone,client:text,user:text,method:text,path:text,"
            "query:text,protocol:text,status:integer,size:bigint,duration_us:bigint,"
            "referer:text,user_agent:text,vhost:text,request:text")

    def test_looked_up_columns_are_text_columns(self):
        log = self.gen(self.tmp / "access.log", 3000, 4, "combined", 0.01)
        plain = self.tmp / "plain"
        r = self.run_logan("export", log, "-o", plain, "--compress", "none")
        self.assertEqual(r.returncode, 0, r.describe())
        clients = {rec["client"] for rec in read_jsonl(part_files(plain)[0].read_bytes())}
        want = network_lookup(clients, self.tmp / "nets.csv")
        r = self.run_logan("export", log, "--to", self.server.url(), "--table", "access", "--lookup",
                           f"net=csv:{self.tmp / 'nets.csv'}?key=network", "--with", "net.org")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.server.psql(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'access' "
            "AND column_name = 'net.org'"), "text")
        rows = self.server.psql('SELECT client, coalesce("net.org", \'<null>\') FROM access')
        for row in rows.split("\n"):
            client, org = row.split("|", 1)
            w = want[client]
            self.assertEqual(org, w[0] if w else "<null>", row)

    def test_hostile_content_is_stored_as_data(self):
        agents = [b"quote ' and double \\\" quote", b"back\\slash \\N and \\t", b"tab\there",
                  b"'); DROP TABLE hostile; --", b"bad \xff\xfe utf8", b"nul \x00 byte",
                  b"escaped \\\"quote\\\" and \\n newline"]
        log = self.write("h.log", logan_cli.lines(*[logan_cli.combined(agent=a) for a in agents]))
        r = self.run_logan("export", log, "--to", self.server.url(), "--table", "Hostile")
        self.assertEqual(r.returncode, 0, r.describe())
        got = self.server.psql("SELECT encode(convert_to(user_agent, 'UTF8'), 'hex') FROM hostile")
        self.assertEqual(sorted(bytes.fromhex(h).decode() for h in got.split("\n")),
                         sorted(clean(a) for a in agents))

    def test_schema_qualified_table_is_created(self):
        self.server.psql("CREATE SCHEMA web")
        log = self.write("a.log", logan_cli.lines(logan_cli.combined(), logan_cli.combined()))
        r = self.run_logan("export", log, "--to", self.server.url(), "--table", "web.access")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(self.server.psql("SELECT count(*) FROM web.access"), "2")

    def test_bad_table_name_is_refused_before_connecting(self):
        log = self.write("a.log", logan_cli.lines(logan_cli.combined()))
        r = self.run_logan("export", log, "--to", self.server.url(), "--table",
                           'x"; DROP TABLE access; --')
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "bad table name", r)

    def test_bad_password_is_one_line_without_the_password(self):
        log = self.write("a.log", logan_cli.lines(logan_cli.combined()))
        r = self.run_logan("export", log, "--to", self.server.url(password="wrong-pw-123"),
                           "--table", "access")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "password authentication failed", r)
        self.assertNotIn("wrong-pw-123", r.stderr_text())

    def test_a_failed_input_loads_nothing(self):
        good = self.write("a.log", logan_cli.lines(*[logan_cli.combined()] * 1000))
        bad = self.write("b.log.gz", logan_cli.gzip_bytes(b"x" * 100000)[:-20])
        r = self.run_logan("export", good, bad, "--to", self.server.url(), "--table", "access",
                           "--threads", "1")
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertEqual(self.server.psql("SELECT to_regclass('access') IS NULL"), "t")


if __name__ == "__main__":
    logan_cli.main()
