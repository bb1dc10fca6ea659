#!/usr/bin/env python3
"""Hand-computed checks of the reference implementation itself (no logan binary needed).

    python3 tests/reference/test_reference_stats.py
"""
import json
import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import reference_stats as ref  # noqa: E402
import shared_sample  # noqa: E402

SHARED_SAMPLE = shared_sample.SAMPLE


def L(ip="192.0.2.1", req="GET /a HTTP/1.1", st="200", sz="100",
      ts="07/Mar/2024:10:00:00 +0000"):
    return f'{ip} - - [{ts}] "{req}" {st} {sz}'.encode()


def doc(data, fmt="common", **kw):
    return ref.analyze([("a.log", data)], fmt, **kw)


class Lines(unittest.TestCase):
    def test_crlf_final_line_and_empty_lines(self):
        d = doc(L() + b"\r\n\r\n" + L() + b"\n\n" + L())
        self.assertEqual(d["lines"], {"total": 5, "parsed": 3, "invalid": 2})
        self.assertEqual([(s["line"], s["text"]) for s in d["invalid_samples"]],
                         [(2, ""), (4, "")])
        self.assertEqual(doc(b"")["lines"], {"total": 0, "parsed": 0, "invalid": 0})
        self.assertEqual(doc(b"\n")["lines"], {"total": 1, "parsed": 0, "invalid": 1})
        self.assertEqual(doc(L() + b"\n")["lines"]["total"], 1)

    def test_trailing_blanks_allowed_leading_not(self):
        d = doc(L() + b" \t \n" + L() + b"\t\n " + L() + b"\n")
        self.assertEqual(d["lines"], {"total": 3, "parsed": 2, "invalid": 1})
        self.assertEqual(d["invalid_samples"][0]["line"], 3)

    def test_long_line(self):
        big = L(req="GET /" + "a" * (1 << 20) + " HTTP/1.1")
        d = doc(L() + b"\n" + big + b"\n" + L())
        self.assertEqual(d["lines"], {"total": 3, "parsed": 2, "invalid": 1})
        self.assertEqual(d["invalid_samples"], [{"source": "a.log", "line": 2,
                                                 "text": big[:512].decode()}])

    def test_samples_limit_and_truncation(self):
        d = doc(b"x" * 1000 + b"\n" + b"bad\n" * 20)
        self.assertEqual(len(d["invalid_samples"]), 10)
        self.assertEqual(d["invalid_samples"][0]["text"], "x" * 512)
        self.assertEqual([s["line"] for s in d["invalid_samples"]], list(range(1, 11)))
        d = ref.analyze([("b", b"ok?\n"), ("a", L() + b"\nbad\n")])
        self.assertEqual([(s["source"], s["line"]) for s in d["invalid_samples"]],
                         [("b", 1), ("a", 2)])


class Fields(unittest.TestCase):
    def test_requests(self):
        reqs = ["GET /", "GET / HTTP/1.1", "GET /a b c HTTP/1.0", "GET /a b", "-", "GET",
                r"\x16\x03\x01\x00\xa5", "M-SEARCH * HTTP/1.1", "get_2 /x?y=1 HTTP/2.0",
                "GE.T /x HTTP/1.1", "GET HTTP/1.1", r"GET /q\"x\" HTTP/1.1"]
        d = doc(b"\n".join(L(req=r) for r in reqs), ip_threshold=0, top=100)
        self.assertEqual(d["lines"]["parsed"], len(reqs))
        self.assertEqual(sorted((e["endpoint"], e["count"]) for e in d["top_endpoints"]),
                         sorted([("/", 2), ("/a b c", 1), ("/a b", 1), ("*", 1), ("/x?y=1", 1),
                                 ("HTTP/1.1", 1), (r"/q\"x\"", 1)]))
        self.assertEqual(d["methods"], [{"method": "GET", "count": 6},
                                        {"method": "M-SEARCH", "count": 1},
                                        {"method": "get_2", "count": 1}])

    def test_raw_tls_bytes_in_request(self):
        line = (b'192.0.2.9 - - [07/Mar/2024:10:00:00 +0000] '
                b'"\x16\x03\x01\x02\x00\x01 \x00\x01\xfc\x03\x03" 400 0')
        d = doc(line)
        self.assertEqual(d["lines"]["parsed"], 1)
        self.assertEqual((d["methods"], d["top_endpoints"]), ([], []))
        self.assertEqual(d["response_codes"], [{"code": 400, "count": 1}])

    def test_quotes_and_escapes(self):
        # A raw quote not followed by the rest of the next literal is content.
        ok = [L(req=r'GET /x\\ HTTP/1.1'), L(req=r'GET /x\" HTTP/1.1'), L(req='GET /a"b HTTP/1.1')]
        bad = [L(req='GET /x\\')]
        d = doc(b"\n".join(ok + bad), top=5)
        self.assertEqual(d["lines"], {"total": 4, "parsed": 3, "invalid": 1})
        self.assertEqual(sorted(e["endpoint"] for e in d["top_endpoints"]),
                         ['/a"b', r"/x\"", r"/x\\"])
        line = (b'h - - [07/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 1 '
                b'"\\\\" "Mozilla \\"x\\" \\\\"')
        self.assertEqual(doc(line, "combined")["lines"]["parsed"], 1)

    def test_status_and_size(self):
        d = doc(b"\n".join([L(st="20"), L(st="2000"), L(st="20x"), L(sz="-", st="304"),
                            L(sz="12a"), L(sz="0", st="099"), L(sz="7", st="600"),
                            L(sz="5", st="500"), L(sz="-5")]))
        self.assertEqual(d["lines"], {"total": 9, "parsed": 4, "invalid": 5})
        self.assertEqual(d["content_size"], {"count": 4, "sum": 12, "min": 0, "max": 7,
                                             "avg": 3.0})
        self.assertEqual(d["response_codes"], [{"code": 99, "count": 1},
                                               {"code": 304, "count": 1},
                                               {"code": 500, "count": 1},
                                               {"code": 600, "count": 1}])
        self.assertEqual(d["bytes_by_status_class"], {"1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0,
                                                      "5xx": 5, "other": 7})

    def test_times(self):
        d = doc(b"\n".join([L(ts="01/Jan/2024:10:00:00 +0530"), L(ts="01/Jan/2024:00:00:00 -0800"),
                            L(ts="01/Jan/2024:06:00:00 +0000"), L(ts="31/Feb/2024:06:00:00 +0000"),
                            L(ts="01/jan/2024:06:00:00 +0000"), L(ts="1/Jan/2024:06:00:00 +0000")]))
        self.assertEqual(d["lines"]["parsed"], 3)
        self.assertEqual(d["time_range"], {"first": "2024-01-01T04:30:00Z",
                                           "last": "2024-01-01T08:00:00Z"})
        d = doc(L(ts="01/Jan/2024:02:00:00 +0530"))
        self.assertEqual(d["time_range"], {"first": "2023-12-31T20:30:00Z",
                                           "last": "2023-12-31T20:30:00Z"})

    def test_empty_statistics(self):
        d = doc(b"garbage\n\n")
        self.assertEqual(d["content_size"], {"count": 0, "sum": 0, "min": 0, "max": 0, "avg": 0})
        self.assertEqual(d["time_range"], {"first": None, "last": None})
        self.assertEqual(d["unique_clients"], 0)

    def test_ranking(self):
        data = []
        for ip, n in [("10.0.0.2", 2), ("10.0.0.10", 2), ("alpha", 2), ("Zhost", 2), ("::1", 2),
                      ("9.9.9.9", 3)]:
            data += [L(ip=ip)] * n
        d = doc(b"\n".join(data), ip_threshold=1)
        self.assertEqual([e["ip"] for e in d["ip_addresses"]],
                         ["9.9.9.9", "10.0.0.10", "10.0.0.2", "::1", "Zhost", "alpha"])
        self.assertEqual(doc(b"\n".join(data), ip_threshold=2)["ip_addresses"],
                         [{"ip": "9.9.9.9", "count": 3}])
        self.assertEqual(d["unique_clients"], 6)

    def test_utf8_replacement(self):
        line = b'h\xffst - - [07/Mar/2024:10:00:00 +0000] "GET /caf\xe9 HTTP/1.1" 200 1'
        d = doc(line + b"\n\xed\xa0\x80\x00\xc0\xaf", ip_threshold=0)
        self.assertEqual(d["ip_addresses"], [{"ip": "h\ufffdst", "count": 1}])
        self.assertEqual(d["top_endpoints"], [{"endpoint": "/caf\ufffd", "count": 1}])
        self.assertEqual(d["invalid_samples"][0]["text"], "\ufffd" * 3 + "\x00" + "\ufffd" * 2)


class Formats(unittest.TestCase):
    def test_vhost_combined(self):
        line = (b'www.example.com:443 2001:db8::1 - - [07/Mar/2024:10:00:00 +0000] '
                b'"GET / HTTP/1.1" 200 1 "-" "UA"')
        d = doc(line, "vhost_combined", ip_threshold=0)
        self.assertEqual(d["ip_addresses"], [{"ip": "2001:db8::1", "count": 1}])
        self.assertEqual(doc(line, "combined")["lines"]["parsed"], 0)

    def test_nginx_and_apache_strings(self):
        line = (b'192.0.2.1 - - [07/Mar/2024:10:00:00 +0000] "GET /n HTTP/1.1" 200 5 '
                b'"-" "curl/8 \\x22q\\x22"')
        nginx = ('$remote_addr - $remote_user [$time_local] "$request" $status '
                 '$body_bytes_sent "$http_referer" "$http_user_agent"')
        self.assertEqual(doc(line, nginx), doc(line, "combined"))
        fmt = '%h %l %u %t "%r" %>s %b %D "%{Host}i"'
        d = doc(L() + b' 1234 "example.com"\n' + L() + b" 12 example.com", fmt)
        self.assertEqual(d["lines"], {"total": 2, "parsed": 1, "invalid": 1})
        d = doc(b"example.com " + L() + b" 1234", "%{Host}i %h %l %u %t \"%r\" %>s %b %D",
                ip_threshold=0)
        self.assertEqual(d["ip_addresses"], [{"ip": "192.0.2.1", "count": 1}])


class SharedSample(unittest.TestCase):
    @unittest.skipUnless(SHARED_SAMPLE.exists(), "no ../shared/data/apache.access.log")
    def test_readme_numbers(self):
        out = subprocess.run([sys.executable, str(HERE / "reference_stats.py"), "--format",
                              "common", str(SHARED_SAMPLE)], stdout=subprocess.PIPE, check=True)
        shared_sample.assert_published_numbers(self, json.loads(out.stdout))

if __name__ == "__main__":
    unittest.main(verbosity=2)
