#!/usr/bin/env python3
"""logan batch --json against the independent reference implementation, on generated data.

For each of common, combined and vhost_combined: 20,000 generated lines with 5 % malformed, a few
seeds; the same data compressed (gzip, bzip2, zstd), split across files given as a directory,
a glob and a list, through stdin, and with 1, 2 and 4 threads.

    LOGAN=build/src/cli/logan python3 tests/e2e/test_crosscheck.py
"""
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logan_cli  # noqa: E402
from logan_cli import ref  # noqa: E402

FORMATS = ["common", "combined", "vhost_combined"]
SEEDS = [1, 7, 2024]
LINES = 20000
MALFORMED = "0.05"
PARTS = 4


class CrossCheck(logan_cli.LoganTestCase):
    """Generated data is made once per class (lazily) and shared by the tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._shared = tempfile.TemporaryDirectory(prefix="logan-e2e-xcheck-")
        cls.shared = Path(cls._shared.name)
        cls._generated = {}
        cls._reference = {}

    @classmethod
    def tearDownClass(cls):
        cls._shared.cleanup()
        super().tearDownClass()

    # --- data ---------------------------------------------------------------------------
    def generated(self, fmt, seed) -> Path:
        key = (fmt, seed)
        if key not in self._generated:
            p = self.shared / f"gen-{fmt}-{seed}.log"
            self.gen(p, LINES, seed, fmt, MALFORMED)
            self._generated[key] = p
        return self._generated[key]

    def reference(self, fmt, seed, ip_threshold=10, top=10, source=None) -> dict:
        key = (fmt, seed)
        if key not in self._reference:
            p = self.generated(fmt, seed)
            self._reference[key] = ref.collect([(str(p), p.read_bytes())], fmt)
        d = logan_cli.normalize(ref.document(self._reference[key], ip_threshold, top))
        if source is not None:
            d = dict(d, invalid_samples=[dict(s, source=source) for s in d["invalid_samples"]])
        return d

    def split(self, fmt, seed, compress=True) -> tuple[Path, list[Path], list[bytes]]:
        """The generated file cut at line boundaries into PARTS files in a fresh directory;
        part i compressed with gzip, bzip2, nothing, zstd (plain when zstd is missing)."""
        data = self.generated(fmt, seed).read_bytes()
        cut = [0]
        for i in range(1, PARTS):
            nl = data.find(b"\n", len(data) * i // PARTS)
            cut.append(nl + 1 if nl >= 0 else len(data))
        cut.append(len(data))
        chunks = [data[cut[i]:cut[i + 1]] for i in range(PARTS)]
        d = self.tmp / f"split-{fmt}-{seed}"
        d.mkdir()
        paths = []
        for i, c in enumerate(chunks):
            kind = ["gz", "bz2", "", "zst"][i % 4] if compress else ""
            body = c
            if kind == "gz":
                body = logan_cli.gzip_bytes(c)
            elif kind == "bz2":
                body = logan_cli.bz2_bytes(c)
            elif kind == "zst":
                z = logan_cli.zstd_bytes(c)
                if z is None:
                    kind, z = "", c
                body = z
            p = d / (f"part-{i}.log" + (f".{kind}" if kind else ""))
            p.write_bytes(body)
            paths.append(p)
        return d, paths, chunks

    # --- the generator ------------------------------------------------------------------
    def test_gen_is_deterministic_and_writes_n_lines(self):
        for fmt in FORMATS:
            with self.subTest(format=fmt):
                a = self.tmp / f"a-{fmt}.log"
                self.gen(a, 2000, 5, fmt, MALFORMED)
                r = self.run_logan("gen", "--lines", 2000, "--seed", 5, "--format", fmt,
                                   "--malformed", MALFORMED)
                self.assertEqual(r.returncode, 0, r.describe())
                self.assertEqual(r.stdout, a.read_bytes(), "gen to stdout == gen -o FILE")
                b = self.tmp / f"b-{fmt}.log"
                self.gen(b, 2000, 5, fmt, MALFORMED)
                self.assertEqual(a.read_bytes(), b.read_bytes(), "same seed, same bytes")
                c = self.tmp / f"c-{fmt}.log"
                self.gen(c, 2000, 6, fmt, MALFORMED)
                self.assertNotEqual(a.read_bytes(), c.read_bytes(), "other seed, other bytes")
                n = sum(1 for _ in ref.iter_lines(a.read_bytes()))
                self.assertEqual(n, 2000, "--lines 2000 writes 2000 lines")

    def test_gen_without_malformed_lines_is_all_valid(self):
        for fmt in FORMATS:
            with self.subTest(format=fmt):
                p = self.tmp / f"clean-{fmt}.log"
                self.gen(p, 3000, 11, fmt, "0")
                want = ref.analyze_paths([str(p)], fmt)
                self.assertEqual(want["lines"], {"total": 3000, "parsed": 3000, "invalid": 0},
                                 "the reference parses every line of --malformed 0")
                got = self.batch_json("--format", fmt, p)
                self.assertDocEqual(got, want, fmt)

    def test_gen_malformed_lines_are_mostly_invalid_lines(self):
        for fmt in FORMATS:
            with self.subTest(format=fmt):
                lines_ = self.reference(fmt, SEEDS[0])["lines"]
                self.assertEqual(lines_["total"], LINES)
                self.assertGreater(lines_["invalid"], LINES * 0.02, lines_)
                self.assertLess(lines_["invalid"], LINES * 0.08, lines_)

    # --- the same numbers as the reference ------------------------------------------------
    def test_explicit_format_matches_reference(self):
        for fmt in FORMATS:
            for seed in SEEDS:
                with self.subTest(format=fmt, seed=seed):
                    p = self.generated(fmt, seed)
                    got = self.batch_json("--format", fmt, p)
                    self.assertDocEqual(got, self.reference(fmt, seed), f"{fmt} seed {seed}")

    def test_threshold_and_top_options_match_reference(self):
        for fmt in FORMATS:
            for thr, top in ((2, 25), (0, 3), (50, 1)):
                with self.subTest(format=fmt, ip_threshold=thr, top=top):
                    p = self.generated(fmt, SEEDS[0])
                    got = self.batch_json("--format", fmt, "--ip-threshold", thr, "--top", top, p)
                    self.assertDocEqual(got, self.reference(fmt, SEEDS[0], thr, top),
                                        f"{fmt} --ip-threshold {thr} --top {top}")

    def test_auto_format_matches_explicit(self):
        for fmt in ("common", "combined"):
            for seed in SEEDS[:2]:
                with self.subTest(format=fmt, seed=seed):
                    p = self.generated(fmt, seed)
                    explicit = self.batch_json("--format", fmt, p)
                    auto = self.batch_json("--format", "auto", p)
                    self.assertDocEqual(auto, explicit, f"auto vs {fmt}")
                    default = self.batch_json(p)
                    self.assertDocEqual(default, explicit, f"default format vs {fmt}")

    # --- compression, splitting, stdin ----------------------------------------------------
    def test_whole_file_compressed(self):
        codecs = [("gzip", logan_cli.gzip_bytes), ("bzip2", logan_cli.bz2_bytes)]
        if logan_cli.zstd_exe():
            codecs.append(("zstd", logan_cli.zstd_bytes))
        for fmt in FORMATS:
            data = self.generated(fmt, SEEDS[0]).read_bytes()
            for name, fn in codecs:
                with self.subTest(format=fmt, codec=name):
                    p = self.write(f"{fmt}.{name}.log", fn(data))
                    got = self.batch_json("--format", fmt, p)
                    self.assertDocEqual(got, self.reference(fmt, SEEDS[0], source=str(p)),
                                        f"{fmt} {name}")
        if not logan_cli.zstd_exe():
            with self.subTest(codec="zstd"):
                self.skipTest("no zstd command: the zstd case was not checked")

    def split_reference(self, fmt, paths, chunks, ip_threshold=10, top=10):
        return logan_cli.normalize(ref.analyze(
            [(p.name, c) for p, c in zip(paths, chunks)], fmt, ip_threshold, top))

    def test_split_directory_and_glob(self):
        for fmt in FORMATS:
            with self.subTest(format=fmt):
                d, paths, chunks = self.split(fmt, SEEDS[1])
                whole = self.reference(fmt, SEEDS[1])
                want = self.split_reference(fmt, paths, chunks)
                suffixes = {p.name: p.name for p in paths}
                for label, arg in (("directory", str(d)), ("glob", str(d / "part-*"))):
                    got = self.batch_json("--format", fmt, arg)
                    self.assertDocEqual(got, whole, f"{fmt} {label}", skip=("invalid_samples",))
                    self.assertSamplesMatch(got["invalid_samples"], want["invalid_samples"],
                                            suffixes, f"{fmt} {label}")

    def test_split_files_in_given_order(self):
        fmt = "combined"
        _, paths, chunks = self.split(fmt, SEEDS[2])
        order = [3, 1, 0, 2]
        got = self.batch_json("--format", fmt, *[paths[i] for i in order])
        want = logan_cli.normalize(ref.analyze(
            [(str(paths[i]), chunks[i]) for i in order], fmt))
        self.assertDocEqual(got, want, "files in the order given (not sorted)")

    def test_stdin(self):
        for fmt in FORMATS:
            with self.subTest(format=fmt):
                data = self.generated(fmt, SEEDS[2]).read_bytes()
                got = self.batch_json("--format", fmt, "-", stdin=data)
                self.assertDocEqual(got, self.reference(fmt, SEEDS[2], source="-"), f"{fmt} stdin")

    def test_threads_give_identical_output(self):
        for fmt in FORMATS:
            with self.subTest(format=fmt):
                p = self.generated(fmt, SEEDS[0])
                d, _, _ = self.split(fmt, SEEDS[0])
                for inputs in ([p], [d], [p, d]):
                    outs = {}
                    for n in (1, 2, 4):
                        r = self.run_logan("batch", "--json", "--format", fmt, "--threads", n,
                                           *inputs)
                        self.assertEqual(r.returncode, 0, r.describe())
                        outs[n] = r.stdout
                    self.assertEqual(outs[1], outs[2], f"--threads 1 vs 2 on {inputs}")
                    self.assertEqual(outs[1], outs[4], f"--threads 1 vs 4 on {inputs}")
                    if inputs == [p]:
                        self.assertDocEqual(self.doc_from(r), self.reference(fmt, SEEDS[0]))


if __name__ == "__main__":
    logan_cli.main()
