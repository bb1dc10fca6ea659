#!/usr/bin/env python3
"""Hand-written small logs with known statistics (docs/json-output.md), each also compared with
the independent reference implementation.

    LOGAN=build/src/cli/logan python3 tests/e2e/test_edge_cases.py
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import clf, combined, lines, ref, vhost_combined  # noqa: E402

MiB = 1 << 20
NGINX_COMBINED = ('$remote_addr - $remote_user [$time_local] "$request" $status '
                  '$body_bytes_sent "$http_referer" "$http_user_agent"')


def counts(entries, key):
    return [(e[key], e["count"]) for e in entries]


class EdgeCases(logan_cli.LoganTestCase):

    def check(self, data, fmt="common", *args, name="a.log"):
        """Write `data` to NAME in the temp dir, run `logan batch --json --format FMT ARGS NAME`
        there, assert it equals the reference and return logan's document."""
        self.write(name, data)
        got = self.batch_json("--format", fmt, *args, name, cwd=self.tmp)
        thr, top = 10, 10
        for i, a in enumerate(args):
            if a == "--ip-threshold":
                thr = int(args[i + 1])
            if a == "--top":
                top = int(args[i + 1])
        want = ref.analyze([(name, data)], fmt, thr, top)
        self.assertDocEqual(got, want, "logan vs reference")
        return got

    # --- line ends ------------------------------------------------------------------------
    def test_crlf_line_ends(self):
        data = lines(clf(request="GET /a HTTP/1.1"), b"garbage",
                     clf(request="GET /b?x=1 HTTP/1.1", size=5), end=b"\r\n")
        d = self.check(data)
        self.assertEqual(d["lines"], {"total": 3, "parsed": 2, "invalid": 1})
        self.assertEqual(counts(d["top_endpoints"], "endpoint"), [("/a", 1), ("/b?x=1", 1)])
        self.assertEqual(d["content_size"]["sum"], 105)
        self.assertEqual(d["invalid_samples"], [{"source": "a.log", "line": 2, "text": "garbage"}])
        # mixed line ends
        d = self.check(clf() + b"\r\n" + clf() + b"\n" + clf() + b"\r\n")
        self.assertEqual(d["lines"], {"total": 3, "parsed": 3, "invalid": 0})

    def test_missing_final_newline(self):
        d = self.check(clf(size=1) + b"\n" + clf(size=7))
        self.assertEqual(d["lines"], {"total": 2, "parsed": 2, "invalid": 0})
        self.assertEqual(d["content_size"]["max"], 7)
        d = self.check(clf() + b"\n")
        self.assertEqual(d["lines"]["total"], 1, "a final newline does not make an extra line")
        d = self.check(clf() + b"\r\n" + clf(size=3) + b"\r\n")
        self.assertEqual(d["lines"], {"total": 2, "parsed": 2, "invalid": 0})

    def test_trailing_spaces_and_tabs_allowed(self):
        d = self.check(lines(clf() + b"  ", clf() + b"\t", clf() + b" \t ", b" " + clf()))
        self.assertEqual(d["lines"], {"total": 4, "parsed": 3, "invalid": 1})
        self.assertEqual(d["invalid_samples"][0]["line"], 4)

    def test_empty_lines_are_invalid(self):
        d = self.check(b"\n" + clf() + b"\n\n\n")
        self.assertEqual(d["lines"], {"total": 4, "parsed": 1, "invalid": 3})
        self.assertEqual(d["invalid_samples"],
                         [{"source": "a.log", "line": n, "text": ""} for n in (1, 3, 4)])

    def test_whole_line_must_match(self):
        data = lines(combined(), combined(request="GET /x HTTP/1.1"))
        d = self.check(data, "common")
        self.assertEqual(d["lines"], {"total": 2, "parsed": 0, "invalid": 2})
        d = self.check(data, "combined")
        self.assertEqual(d["lines"], {"total": 2, "parsed": 2, "invalid": 0})

    # --- quoting --------------------------------------------------------------------------
    def test_escaped_quotes_in_quoted_fields(self):
        data = lines(
            combined(request=r'GET /q?x=\"y\" HTTP/1.1', referer=r'http://r/\"a\"',
                     agent=r'Mozilla \"5.0\" \\'),
            combined(request=r'GET /p\\ HTTP/1.1', referer='\\\\', agent=r'\"'),
            combined(request=r'GET /q?x=\"y\" HTTP/1.1', agent=r'x \\\" y'))
        d = self.check(data, "combined")
        self.assertEqual(d["lines"], {"total": 3, "parsed": 3, "invalid": 0})
        self.assertEqual(counts(d["top_endpoints"], "endpoint"),
                         [(r'/q?x=\"y\"', 2), (r'/p\\', 1)], "values stay escaped as logged")

    def test_raw_quote_inside_a_quoted_field(self):
        # A raw quote not followed by the rest of the next literal is content; a backslash
        # before the closing quote escapes it, so that line has no closing quote.
        d = self.check(lines(clf(request='GET /a"b HTTP/1.1'), clf(request='GET /x\\'), clf()))
        self.assertEqual(d["lines"], {"total": 3, "parsed": 2, "invalid": 1})

    # --- clients --------------------------------------------------------------------------
    def test_ipv6_and_host_names(self):
        ips = [("2001:db8::1", 3), ("::1", 2), ("www.example.com", 2), ("192.0.2.7", 1),
               ("host-1.local", 1)]
        data = lines(*[clf(ip=ip) for ip, n in ips for _ in range(n)])
        d = self.check(data, "common", "--ip-threshold", "0")
        self.assertEqual(counts(d["ip_addresses"], "ip"), ips)
        self.assertEqual(d["unique_clients"], 5)
        data = lines(vhost_combined(vhost="example.org", port=80, ip="2001:db8::2"),
                     vhost_combined(vhost="example.org", port=443, ip="h.example.net"),
                     vhost_combined(vhost="example.org", port=443, ip="2001:db8::2", size="-"))
        d = self.check(data, "vhost_combined", "--ip-threshold", "0")
        self.assertEqual(counts(d["ip_addresses"], "ip"), [("2001:db8::2", 2), ("h.example.net", 1)])
        self.assertEqual(d["content_size"], {"count": 3, "sum": 200, "min": 0, "max": 100,
                                             "avg": 200 / 3})

    # --- sizes and requests -----------------------------------------------------------------
    def test_size_dash_is_zero(self):
        d = self.check(lines(clf(size="-", status=304), clf(size="-"), clf(size=50)))
        self.assertEqual(d["content_size"], {"count": 3, "sum": 50, "min": 0, "max": 50,
                                             "avg": 50 / 3})
        self.assertEqual(d["bytes_by_status_class"], {"1xx": 0, "2xx": 50, "3xx": 0, "4xx": 0,
                                                      "5xx": 0, "other": 0})

    def test_request_dash_with_408(self):
        d = self.check(lines(clf(request="-", status=408, size="-"),
                             clf(request="GET /ok HTTP/1.1", size=10)))
        self.assertEqual(d["lines"], {"total": 2, "parsed": 2, "invalid": 0})
        self.assertEqual(counts(d["response_codes"], "code"), [(200, 1), (408, 1)])
        self.assertEqual(counts(d["top_endpoints"], "endpoint"), [("/ok", 1)])
        self.assertEqual(counts(d["methods"], "method"), [("GET", 1)])
        self.assertEqual(d["content_size"]["count"], 2)

    def test_tls_junk_request(self):
        escaped = r"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"   # as Apache logs it
        raw = b"\x16\x03\x01\x02\x00\x01 \x00\x01\xfc\x03\x03"        # raw bytes, with a space
        d = self.check(lines(clf(request=escaped, status=400, size=226),
                             clf(request=raw, status=400, size=0)))
        self.assertEqual(d["lines"], {"total": 2, "parsed": 2, "invalid": 0})
        self.assertEqual(counts(d["response_codes"], "code"), [(400, 2)])
        self.assertEqual(d["top_endpoints"], [])
        self.assertEqual(d["methods"], [])
        self.assertEqual(d["bytes_by_status_class"]["4xx"], 226)

    def test_request_splitting_and_http09(self):
        reqs = ["GET /", "GET / HTTP/1.1", "GET /a b c HTTP/1.0", "GET /a b", "GET",
                "M-SEARCH * HTTP/1.1", "get_2 /x?y=1 HTTP/2.0", "GE.T /x HTTP/1.1",
                "OPTIONS * HTTP/1.1", "HEAD /a b c HTTP/1.0"]
        d = self.check(lines(*[clf(request=r) for r in reqs]), "common", "--top", "20")
        self.assertEqual(d["lines"]["parsed"], len(reqs))
        self.assertEqual(counts(d["top_endpoints"], "endpoint"),
                         [("*", 2), ("/", 2), ("/a b c", 2), ("/a b", 1), ("/x?y=1", 1)])
        self.assertEqual(counts(d["methods"], "method"),
                         [("GET", 4), ("HEAD", 1), ("M-SEARCH", 1), ("OPTIONS", 1), ("get_2", 1)])

    # --- time -----------------------------------------------------------------------------
    def test_timestamps_converted_to_utc(self):
        d = self.check(lines(clf(ts="01/Jan/2024:10:00:00 +0530"),    # 04:30Z
                             clf(ts="01/Jan/2024:00:00:00 -0800"),    # 08:00Z
                             clf(ts="01/Jan/2024:06:00:00 +0000")))   # 06:00Z
        self.assertEqual(d["time_range"], {"first": "2024-01-01T04:30:00Z",
                                           "last": "2024-01-01T08:00:00Z"})
        d = self.check(lines(clf(ts="01/Jan/2024:02:00:00 +0530"),
                             clf(ts="31/Dec/2023:16:30:00 -0800")))
        self.assertEqual(d["time_range"], {"first": "2023-12-31T20:30:00Z",
                                           "last": "2024-01-01T00:30:00Z"})

    def test_times_outside_years_1_to_9999_are_invalid(self):
        # What no sink can store (one such line used to wedge the PostgreSQL sink) is an
        # invalid line, counted and sampled.
        data = lines(clf(ts="01/Jan/0000:00:00:00 +2359"), clf(ts="31/Dec/9999:23:59:59 -0100"),
                     clf(ts="01/Jan/0001:00:00:00 +0000"), clf(ts="31/Dec/9999:23:59:59 +0000"))
        self.write("t.log", data)
        d = self.batch_json("--format", "common", "t.log", cwd=self.tmp)
        self.assertEqual(d["lines"], {"total": 4, "parsed": 2, "invalid": 2})
        self.assertEqual([s["line"] for s in d["invalid_samples"]], [1, 2])
        self.assertEqual(d["time_range"], {"first": "0001-01-01T00:00:00Z",
                                           "last": "9999-12-31T23:59:59Z"})

    def test_names_and_unknown_flags_in_messages(self):
        # A file name is chosen by whoever can write into a log directory: its terminal escapes
        # must not reach the operator's terminal raw, in any message or report.
        evil = "\x1b]0;pwned\x07x.log"
        r = self.run_logan("batch", str(self.tmp / evil))
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertNotIn(b"\x1b", r.stderr)
        self.assertNotIn(b"\x07", r.stderr)
        self.assertIn(b"\\u001b]0;pwned\\u0007x.log", r.stderr)
        (self.tmp / evil).write_bytes(logan_cli.gzip_bytes(clf() + b"\n")[:-12] + b"junkjunk")
        self.write("good.log", clf() + b"\n")
        r = self.run_logan("batch", "--keep-going", "--format", "common", evil, "good.log",
                           cwd=self.tmp)
        for out in (r.stdout, r.stderr):
            self.assertNotIn(b"\x1b", out, r.describe())
            self.assertNotIn(b"\x07", out, r.describe())
        self.assertIn(b"Skipped inputs", r.stdout)
        self.assertIn(b"\\u001b", r.stdout)
        # An unknown flag points at the help of the command it was given to.
        r = self.run_logan("batch", "--no-such-flag", "good.log", cwd=self.tmp)
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertOneLineNaming(r.stderr, "'logan batch --help'", r)

    def test_passwords_never_reach_messages(self):
        # Every path that once printed a password in full: a --lookup without key=, a bad
        # percent escape in the password (libpq quotes it alone), a malformed host (libpq
        # quotes the URI), an unknown sink scheme, the S3 endpoint in --verbose, --to.
        log = self.write("a.log", clf() + b"\n")
        cases = [
            ["batch", "--lookup", "o=postgresql://logan:S3cretPw@127.0.0.1:1/db?table=t", log],
            ["batch", "--lookup", "o=postgresql:host=127.0.0.1 password=S3cretPw?table=t", log],
            ["batch", "--sink", "postgresql://logan:S3cret%zzPw@127.0.0.1:1/db", log],
            ["batch", "--sink", "postgresql://logan:S3cretPw@[::1:55432/web", log],
            ["batch", "--sink", "POSTGRESQL://logan:S3cretPw@127.0.0.1:1/db", log],
            ["batch", "--verbose", "--s3-endpoint", "http://u:S3cretPw@127.0.0.1:1",
             "--retries", "1", "s3://b/k"],
            ["export", "--to", "postgresql://logan:S3cretPw@127.0.0.1:1/db", "--table", "t", log],
        ]
        for args in cases:
            with self.subTest(args=args):
                r = self.run_logan(*args, timeout=60)
                self.assertNotEqual(r.returncode, 0, r.describe())
                self.assertTrue(r.stderr, r.describe())
                self.assertNotIn(b"S3cret", r.stderr, r.describe())
                self.assertNotIn(b"zzPw", r.stderr, r.describe())

    def test_zero_parsed_lines(self):
        d = self.check(b"garbage\nmore garbage\n\n")
        self.assertEqual(d["lines"], {"total": 3, "parsed": 0, "invalid": 3})
        self.assertEqual(d["content_size"], {"count": 0, "sum": 0, "min": 0, "max": 0, "avg": 0})
        self.assertEqual(d["time_range"], {"first": None, "last": None})
        for k in ("response_codes", "ip_addresses", "top_endpoints", "methods"):
            self.assertEqual(d[k], [], k)
        self.assertEqual(d["unique_clients"], 0)
        self.assertEqual(set(d["bytes_by_status_class"].values()), {0})

    # --- ranking and options --------------------------------------------------------------------
    def test_tie_breaking(self):
        data = []
        for ip, n in [("10.0.0.2", 2), ("10.0.0.10", 2), ("alpha", 2), ("Zhost", 2), ("::1", 2),
                      ("9.9.9.9", 3)]:
            data += [clf(ip=ip, request="GET /z HTTP/1.1")] * n
        for ep, method in [("/a?x", "PUT"), ("/a", "POST"), ("/B", "DELETE"), ("/b", "GET")]:
            data += [clf(request=f"{method} {ep} HTTP/1.1")] * 2
        d = self.check(lines(*data), "common", "--ip-threshold", "1")
        self.assertEqual(counts(d["ip_addresses"], "ip"),
                         [("192.0.2.1", 8), ("9.9.9.9", 3), ("10.0.0.10", 2), ("10.0.0.2", 2),
                          ("::1", 2), ("Zhost", 2), ("alpha", 2)])
        self.assertEqual(counts(d["top_endpoints"], "endpoint"),
                         [("/z", 13), ("/B", 2), ("/a", 2), ("/a?x", 2), ("/b", 2)])
        self.assertEqual(counts(d["methods"], "method"),
                         [("GET", 15), ("DELETE", 2), ("POST", 2), ("PUT", 2)])
        d = self.check(lines(*data), "common", "--top", "3")
        self.assertEqual(counts(d["top_endpoints"], "endpoint"),
                         [("/z", 13), ("/B", 2), ("/a", 2)])

    def test_ip_threshold_and_top(self):
        data = []
        for ip, n in [("192.0.2.12", 12), ("192.0.2.11", 11), ("192.0.2.10", 10),
                      ("192.0.2.1", 1)]:
            data += [clf(ip=ip, request=f"GET /e{i % 14:02d} HTTP/1.1") for i in range(n)]
        d = self.check(lines(*data))
        self.assertEqual(counts(d["ip_addresses"], "ip"), [("192.0.2.12", 12), ("192.0.2.11", 11)],
                         "default threshold 10: count > 10 only")
        self.assertEqual(len(d["top_endpoints"]), 10, "default top 10")
        self.assertEqual(d["unique_clients"], 4)
        d = self.check(lines(*data), "common", "--ip-threshold", "9", "--top", "2")
        self.assertEqual(counts(d["ip_addresses"], "ip"),
                         [("192.0.2.12", 12), ("192.0.2.11", 11), ("192.0.2.10", 10)])
        self.assertEqual(counts(d["top_endpoints"], "endpoint"), [("/e00", 4), ("/e01", 3)])
        d = self.check(lines(*data), "common", "--ip-threshold", "12", "--top", "100")
        self.assertEqual(d["ip_addresses"], [])
        self.assertEqual(len(d["top_endpoints"]), 12)

    # --- invalid samples --------------------------------------------------------------------
    def test_ip_top_caps_the_client_list_in_text_and_html_only(self):
        # 60 clients above the threshold: the text report and the stream's HTML page show 50
        # and say how many more; JSON lists them all.
        rows = [clf(ip=f"198.51.100.{i}") for i in range(60) for _ in range(11)]
        self.write("ips.log", lines(*rows))
        r = self.run_logan("batch", "--format", "common", "ips.log", cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.describe())
        text = r.stdout.decode()
        self.assertIn("IP addresses with more than 10 requests: 60\n", text)
        self.assertEqual(text.count("  198.51.100."), 50)
        self.assertIn("  ... and 10 more (--ip-top)\n", text)
        r = self.run_logan("batch", "--format", "common", "--ip-top", "0", "ips.log", cwd=self.tmp)
        self.assertEqual(r.stdout.decode().count("  198.51.100."), 60)
        self.assertEqual(len(self.batch_json("--format", "common", "ips.log", cwd=self.tmp)["ip_addresses"]), 60)
        page = self.tmp / "page.html"
        r = self.run_logan("stream", "--format", "common", "--output-html", page, "-",
                           stdin=(self.tmp / "ips.log").read_bytes())
        self.assertEqual(r.returncode, 0, r.describe())
        html_text = page.read_text()
        # Both the window and the total list 50 of the 60.
        self.assertEqual(html_text.count(">198.51.100."), 100)
        self.assertEqual(html_text.count("and 10 more (--ip-top)"), 2)

    def test_invalid_samples_lines_and_sources(self):
        a = lines(clf(), b"bad a2", clf(), clf(), b"bad a5", clf(), end=b"\r\n")
        b_lines = [clf() if i % 2 == 0 else f"bad b{i}".encode() for i in range(1, 26)]
        b_lines[2] = b"x" * 1000                      # line 3: a long invalid line
        b = lines(*b_lines, final_newline=False)
        self.write("sub/a.log", a)
        self.write("b.log", b)
        got = self.batch_json("--format", "common", "sub/a.log", "b.log", cwd=self.tmp)
        want = ref.analyze([("sub/a.log", a), ("b.log", b)], "common")
        self.assertDocEqual(got, want)
        self.assertEqual(got["lines"], {"total": 31, "parsed": 16, "invalid": 15})
        self.assertEqual([(s["source"], s["line"]) for s in got["invalid_samples"]],
                         [("sub/a.log", 2), ("sub/a.log", 5)]
                         + [("b.log", n) for n in range(1, 17, 2)])
        self.assertEqual(got["invalid_samples"][0]["text"], "bad a2")
        self.assertEqual(got["invalid_samples"][3]["text"], "x" * 512, "text: first 512 bytes")
        # in the order given, not sorted
        got = self.batch_json("--format", "common", "b.log", "sub/a.log", cwd=self.tmp)
        self.assertEqual([(s["source"], s["line"]) for s in got["invalid_samples"]],
                         [("b.log", n) for n in range(1, 21, 2)])

    def test_output_is_valid_utf8_with_invalid_bytes_and_nul(self):
        data = lines(
            clf(ip=b"h\xffst", request=b"GET /caf\xe9 HTTP/1.1"),
            clf(request=b"GET /caf\xc3\xa9 HTTP/1.1"),
            clf(request=b"GET /nul\x00x HTTP/1.1"),
            combined(agent=b"bad \xed\xa0\x80 \xc0\xaf \xf0\x9f\x98 end \x00"),
            b"\xff\xfe\x00garbage\x00\xc3",
            b"\xed\xa0\x80\x00\xc0\xaf\xe2\x82",
            "caf\u00e9 \u65e5\u672c".encode("utf-8"))
        d = self.check(data, "common", "--ip-threshold", "0")
        self.assertEqual(d["lines"], {"total": 7, "parsed": 3, "invalid": 4})
        self.assertEqual(sorted(e["endpoint"] for e in d["top_endpoints"]),
                         ["/caf\u00e9", "/caf\ufffd", "/nul\x00x"])
        self.assertIn({"ip": "h\ufffdst", "count": 1}, d["ip_addresses"])
        self.assertEqual([s["text"] for s in d["invalid_samples"]], [
            ref.text(combined(agent=b"bad \xed\xa0\x80 \xc0\xaf \xf0\x9f\x98 end \x00")),
            "\ufffd\ufffd\x00garbage\x00\ufffd",
            "\ufffd\ufffd\ufffd\x00\ufffd\ufffd\ufffd",
            "caf\u00e9 \u65e5\u672c"])
        d = self.check(data, "combined")
        self.assertEqual(d["lines"]["parsed"], 1)

    def test_binary_garbage_file(self):
        data = random.Random(20240307).randbytes(300_000)
        if data.endswith(b"\r"):
            data = data[:-1]
        d = self.check(data, "common", name="garbage.bin")
        self.assertEqual(d["lines"]["parsed"], 0)
        self.assertEqual(d["lines"]["total"], sum(1 for _ in ref.iter_lines(data)))
        self.assertEqual(len(d["invalid_samples"]), 10)

    # --- a 50 MB line -----------------------------------------------------------------------------
    def huge_line_chunks(self, mib):
        yield clf(request="GET /ok HTTP/1.1") + b"\n"
        yield b'192.0.2.1 - - [07/Mar/2024:10:00:00 +0000] "GET /'
        block = b"a" * MiB
        for _ in range(mib):
            yield block
        yield b' HTTP/1.1" 200 5'          # a well-formed line, invalid only by its length

    def huge_line_expected_text(self):
        return (b'192.0.2.1 - - [07/Mar/2024:10:00:00 +0000] "GET /' + b"a" * 512)[:512].decode()

    def run_huge(self, mib):
        r, rss_kib = logan_cli.run_with_rusage(
            self.logan, ["batch", "--json", "--format", "common", "-"],
            stdin_chunks=self.huge_line_chunks(mib), timeout=55)
        self.assertEqual(r.returncode, 0, r.describe())
        d = self.doc_from(r)
        self.assertEqual(d["lines"], {"total": 2, "parsed": 1, "invalid": 1})
        self.assertEqual(d["invalid_samples"], [{"source": "-", "line": 2,
                                                 "text": self.huge_line_expected_text()}])
        self.assertEqual(counts(d["top_endpoints"], "endpoint"), [("/ok", 1)])
        return rss_kib / 1024

    def test_50mb_line_without_newline_on_stdin(self):
        small = self.run_huge(5)
        big = self.run_huge(50)
        if logan_cli.is_sanitized_build(self.logan):
            self.skipTest(f"sanitizer build: memory not checked (max RSS {big:.0f} MiB)")
        self.assertLess(big - small, 20, f"max RSS grows with the line: {small:.0f} MiB for a "
                                         f"5 MiB line, {big:.0f} MiB for a 50 MiB line")
        self.assertLess(big, 200, f"max RSS {big:.0f} MiB for a 50 MiB line")

    def test_50mb_line_in_a_file(self):
        p = self.tmp / "huge.log"
        with open(p, "wb") as f:
            for c in self.huge_line_chunks(50):
                f.write(c)
            f.write(b"\n" + clf(request="GET /after HTTP/1.1"))
        r = self.run_logan("batch", "--json", "--format", "common", "huge.log", cwd=self.tmp,
                           timeout=55)
        self.assertEqual(r.returncode, 0, r.describe())
        d = self.doc_from(r)
        self.assertEqual(d["lines"], {"total": 3, "parsed": 2, "invalid": 1})
        self.assertEqual(d["invalid_samples"], [{"source": "huge.log", "line": 2,
                                                 "text": self.huge_line_expected_text()}])
        self.assertEqual(counts(d["top_endpoints"], "endpoint"), [("/after", 1), ("/ok", 1)])

    # --- format strings ---------------------------------------------------------------------------
    def test_nginx_format_string(self):
        data = lines(
            b'192.0.2.1 - - [07/Mar/2024:10:00:00 +0000] "GET /n?q=1 HTTP/1.1" 200 512 "-" '
            b'"curl/8.0"',
            b'2001:db8::5 - alice [07/Mar/2024:11:00:00 +0100] "POST /api HTTP/2.0" 201 0 '
            b'"https://ex.com/" "UA \\x22quoted\\x22"',
            b'192.0.2.1 - - [07/Mar/2024:12:00:00 +0000] "GET /n?q=1 HTTP/1.1" 404 0 "-" "-"',
            b'192.0.2.1 - - [07/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 12')
        d = self.check(data, NGINX_COMBINED, "--ip-threshold", "0")
        self.assertEqual(d["lines"], {"total": 4, "parsed": 3, "invalid": 1})
        self.assertEqual(counts(d["response_codes"], "code"), [(200, 1), (201, 1), (404, 1)])
        self.assertEqual(counts(d["top_endpoints"], "endpoint"), [("/n?q=1", 2), ("/api", 1)])
        self.assertEqual(counts(d["methods"], "method"), [("GET", 2), ("POST", 1)])
        self.assertEqual(counts(d["ip_addresses"], "ip"), [("192.0.2.1", 2), ("2001:db8::5", 1)])
        self.assertEqual(d["time_range"], {"first": "2024-03-07T10:00:00Z",
                                           "last": "2024-03-07T12:00:00Z"})
        self.assertEqual(d["bytes_by_status_class"]["2xx"], 512)
        self.assertDocEqual(self.check(data, "combined", "--ip-threshold", "0"), d,
                            "nginx string vs combined")

    def test_apache_format_string_with_D_and_Host(self):
        fmt = '%h %l %u %t "%r" %>s %b %D "%{Host}i"'
        data = lines(clf(size=100) + b' 1534 "example.com"',
                     clf(size="-", request="GET /b HTTP/1.1") + b' 12 "www.example.org"',
                     clf(status=503, size=20, request="POST /c HTTP/1.1") + b' 999 "-"',
                     clf(status=2000) + b' 1 "x"',
                     clf() + b" 12")
        d = self.check(data, fmt)
        self.assertEqual(d["lines"], {"total": 5, "parsed": 3, "invalid": 2})
        self.assertEqual(d["content_size"], {"count": 3, "sum": 120, "min": 0, "max": 100,
                                             "avg": 40.0})
        self.assertEqual(counts(d["response_codes"], "code"), [(200, 2), (503, 1)])
        self.assertEqual(counts(d["top_endpoints"], "endpoint"),
                         [("/b", 1), ("/c", 1), ("/index.html", 1)])
        self.assertEqual([s["line"] for s in d["invalid_samples"]], [4, 5])
        fmt2 = '%{Host}i %h %l %u %t "%r" %>s %b %D'
        data2 = lines(b"example.com " + clf(ip="192.0.2.9") + b" 1534",
                      b"www.example.org " + clf(ip="192.0.2.9", size="-") + b" 7",
                      clf(ip="192.0.2.9") + b" 7")
        d = self.check(data2, fmt2, "--ip-threshold", "0")
        self.assertEqual(d["lines"], {"total": 3, "parsed": 2, "invalid": 1})
        self.assertEqual(counts(d["ip_addresses"], "ip"), [("192.0.2.9", 2)])


if __name__ == "__main__":
    logan_cli.main()
