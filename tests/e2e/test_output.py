#!/usr/bin/env python3
"""Where reports go: `-o FILE` writes the same report as stdout, into place, leaving no
temporary file; an unwritable destination is exit status 1 with one line naming it. The same
for `logan gen -o`.

    LOGAN=build/logan python3 tests/e2e/test_output.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import make_log  # noqa: E402


class Output(logan_cli.LoganTestCase):

    def test_report_to_a_file(self):
        self.write("a.log", make_log(300, 4))
        for fmt in ([], ["--json"]):
            with self.subTest(json=bool(fmt)):
                to_stdout = self.run_logan("batch", *fmt, "a.log", cwd=self.tmp)
                r = self.run_logan("batch", *fmt, "-o", "report.out", "a.log", cwd=self.tmp)
                self.assertEqual(r.returncode, 0, r.describe())
                self.assertEqual(r.stdout, b"")
                self.assertEqual((self.tmp / "report.out").read_bytes(), to_stdout.stdout)
                self.assertEqual(sorted(p.name for p in self.tmp.iterdir()), ["a.log", "report.out"])

    def test_unwritable_destination(self):
        self.write("a.log", make_log(50, 4))
        r = self.run_logan("batch", "-o", "no/such/dir/report.txt", "a.log", cwd=self.tmp)
        self.assertEqual(r.returncode, 1, r.describe())
        self.assertOneLineNaming(r.stderr, "no/such/dir/report.txt", r)
        r = self.run_logan("gen", "--lines", "10", "-o", "no/such/dir/gen.log", cwd=self.tmp)
        self.assertEqual(r.returncode, 1, r.describe())
        self.assertOneLineNaming(r.stderr, "no/such/dir/gen.log", r)

    def test_gen_to_a_file_equals_stdout(self):
        r = self.run_logan("gen", "--lines", "500", "--seed", "9", "-o", "g.log", cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.describe())
        to_stdout = self.run_logan("gen", "--lines", "500", "--seed", "9", cwd=self.tmp)
        self.assertEqual((self.tmp / "g.log").read_bytes(), to_stdout.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
