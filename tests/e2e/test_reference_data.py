#!/usr/bin/env python3
"""logan on the shared reference sample (../shared/data/apache.access.log from the repository
root), against the numbers published in ../shared/data/README.md. Skipped when the sample is
not there (a user's clone does not have it).

    LOGAN=build/src/cli/logan python3 tests/e2e/test_reference_data.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import ref  # noqa: E402
import shared_sample  # noqa: E402  (tests/reference, on the path via logan_cli)

SAMPLE = shared_sample.SAMPLE


@unittest.skipUnless(SAMPLE.is_file(), f"no reference sample at {SAMPLE}")
class ReferenceData(logan_cli.LoganTestCase):

    def check_readme_numbers(self, d):
        shared_sample.assert_published_numbers(self, d)
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
