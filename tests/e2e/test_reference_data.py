#!/usr/bin/env python3
"""logan on the shared reference sample (../shared/data/apache.access.log from the repository
root), against the numbers published in ../shared/data/README.md. Skipped when the sample is
not there (a user's clone does not have it).

    LOGAN=build/src/cli/logan python3 tests/e2e/test_reference_data.py
"""
import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import ref  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "data" / "apache.access.log"


@unittest.skipUnless(SAMPLE.is_file(), f"no reference sample at {SAMPLE}")
class ReferenceData(logan_cli.LoganTestCase):

    def check_readme_numbers(self, d):
        self.assertEqual(d["lines"], {"total": 1406, "parsed": 1406, "invalid": 0})
        self.assertEqual(d["content_size"], {"count": 1406, "sum": 10933005, "min": 0,
                                             "max": 138789, "avg": 7775.963726884779})
        self.assertEqual(d["response_codes"], [{"code": 200, "count": 1272},
                                               {"code": 302, "count": 6},
                                               {"code": 401, "count": 123},
                                               {"code": 404, "count": 5}])
        self.assertEqual(len(d["ip_addresses"]), 25, "IP addresses with more than 10 requests")
        self.assertEqual(d["ip_addresses"][:2], [{"ip": "64.242.88.10", "count": 452},
                                                 {"ip": "10.0.0.153", "count": 188}])
        self.assertEqual(d["top_endpoints"][0],
                         {"endpoint": "/twiki/bin/view/Main/WebHome", "count": 40})
        self.assertEqual(d["invalid_samples"], [])

    def test_common(self):
        d = self.batch_json("--format", "common", SAMPLE)
        self.check_readme_numbers(d)
        self.assertDocEqual(d, ref.analyze_paths([str(SAMPLE)], "common"), "vs reference")

    def test_auto(self):
        d = self.batch_json("--format", "auto", SAMPLE)
        self.check_readme_numbers(d)
        self.assertDocEqual(d, ref.analyze_paths([str(SAMPLE)], "common"), "vs reference")


if __name__ == "__main__":
    logan_cli.main()
