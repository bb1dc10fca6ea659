"""The reference application's sample log (../shared/data beside the repository, absent from
users' clones) and the statistics its README publishes for it, checked against both logan and
the reference implementation.
"""
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "apache.access.log"


def assert_published_numbers(test, doc):
    """Asserts, with unittest.TestCase `test`, the numbers of ../shared/data/README.md."""
    test.assertEqual(doc["lines"], {"total": 1406, "parsed": 1406, "invalid": 0})
    test.assertEqual(doc["content_size"], {"count": 1406, "sum": 10933005, "min": 0,
                                           "max": 138789, "avg": 7775.963726884779})
    test.assertEqual(doc["response_codes"], [{"code": 200, "count": 1272},
                                             {"code": 302, "count": 6},
                                             {"code": 401, "count": 123},
                                             {"code": 404, "count": 5}])
    test.assertEqual(len(doc["ip_addresses"]), 25, "IP addresses with more than 10 requests")
    test.assertEqual(doc["ip_addresses"][:2], [{"ip": "64.242.88.10", "count": 452},
                                               {"ip": "10.0.0.153", "count": 188}])
    test.assertEqual(doc["top_endpoints"][0],
                     {"endpoint": "/twiki/bin/view/Main/WebHome", "count": 40})
