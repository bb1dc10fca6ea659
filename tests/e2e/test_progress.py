#!/usr/bin/env python3
"""The progress line: drawn on stderr when stderr is a terminal and the input is large or
stdin, erased at the end, never mixed into stdout; absent when stderr is not a terminal or
with --no-progress.

    LOGAN=build/logan python3 tests/e2e/test_progress.py
"""
import os
import pty
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import make_log  # noqa: E402


class Progress(logan_cli.LoganTestCase):

    def run_on_a_terminal(self, *args):
        """Runs `logan batch ARGS -` with stderr on a pseudo-terminal, feeding stdin slowly for
        about 1.5 s; returns (exit status, stdout bytes, what the terminal showed)."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([self.logan, "batch", *args, "-"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        shown = bytearray()

        def read_terminal():
            while True:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    return
                if not data:
                    return
                shown.extend(data)

        reader = threading.Thread(target=read_terminal)
        reader.start()
        block = make_log(2000, 5)
        for _ in range(15):
            proc.stdin.write(block)
            proc.stdin.flush()
            time.sleep(0.1)
        proc.stdin.close()
        out = proc.stdout.read()
        status = proc.wait(timeout=60)
        reader.join(timeout=5)
        os.close(master)
        return status, out, bytes(shown)

    def test_drawn_on_a_terminal_and_erased(self):
        status, out, shown = self.run_on_a_terminal("--json", "--format", "common")
        self.assertEqual(status, 0)
        self.assertIn(b"lines/s", shown)
        self.assertTrue(shown.endswith(b"\r\x1b[K"), f"the line is erased at the end: {shown[-40:]!r}")
        self.assertNotIn(b"lines/s", out)
        self.assertEqual(self.doc_from(logan_cli.Result([], 0, out, b""))["lines"]["total"], 30000)

    def test_no_progress_flag(self):
        status, out, shown = self.run_on_a_terminal("--json", "--no-progress", "--format", "common")
        self.assertEqual(status, 0)
        self.assertNotIn(b"lines/s", shown)

    def test_not_drawn_when_stderr_is_not_a_terminal(self):
        r = self.run_logan("batch", "--json", "--format", "common", "-", stdin=make_log(5000, 3))
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(r.stderr, b"")


if __name__ == "__main__":
    unittest.main(verbosity=2)
