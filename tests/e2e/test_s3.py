"""End-to-end tests of s3:// inputs and outputs against a real S3-compatible server: s3rver
(s3_server.py), behind a proxy (s3_proxy.py) that checks every SigV4 signature with its own
implementation and injects faults. Results over S3 must equal `logan batch` over the same files
on local disk; every credential source is used; errors are one line, name the object and never
show a secret."""
from __future__ import annotations

import os
import random
import sys
import unittest
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import logan_cli  # noqa: E402
import s3_server  # noqa: E402
from s3_proxy import S3Proxy  # noqa: E402

KEY_ID = "AKIDLOGANTEST0001"
SECRET = "logan/Test+Secret=Key0123456789abcdef"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/Session+Token=="
BUCKET = "logs"
MANY = 1050  # keys under many/: more than one ListObjectsV2 page of 1,000


def without_sources(doc: dict) -> dict:
    """The document with each invalid sample's source reduced to its file name."""
    doc = dict(doc)
    doc["invalid_samples"] = [dict(s, source=s["source"].rsplit("/", 1)[-1])
                              for s in doc["invalid_samples"]]
    return doc


def unique_endpoint_log(n: int) -> bytes:
    rnd = random.Random(5)
    return b"".join(logan_cli.clf(request=f"GET /item/{i}/{rnd.getrandbits(64):016x} HTTP/1.1",
                                  ip=f"10.{i % 250}.{i // 250 % 250}.1") + b"\n" for i in range(n))


class S3Test(logan_cli.LoganTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A missing s3rver fails the suite rather than skipping it: CI installs it.
        if s3_server.why_unavailable():
            raise AssertionError(s3_server.why_unavailable())
        cls.server = s3_server.S3rver()
        cls.proxy = S3Proxy(cls.server.port, {KEY_ID: SECRET}, upstream_key=s3_server.ACCESS_KEY)
        cls.local = Path(cls.server.dir) / "local"
        cls.local.mkdir()
        cls.server.create_bucket(BUCKET)
        gen = lambda name, lines, seed: cls._gen(cls.local / name, lines, seed)  # noqa: E731
        plain = gen("access.log", 20000, 1)
        gz = cls.local / "access.log.gz"
        gz.write_bytes(logan_cli.gzip_bytes(gen("gz-src.log", 15000, 2).read_bytes()))
        zst = cls.local / "access-b.log.zst"
        zst.write_bytes(logan_cli.zstd_bytes(gen("zst-src.log", 15000, 3).read_bytes()))
        large = gen("large.log", 30000, 4)
        cls.files = {"logs/2024-03-01/access.log": plain, "logs/2024-03-01/access.log.gz": gz,
                     "logs/2024-03-02/access-b.log.zst": zst, "big/large.log": large}
        for key, path in cls.files.items():
            cls.server.put(BUCKET, key, path.read_bytes())
        for key in ("logs/2024-03-02/error.log", "logs/2024-04-01/access.log", "deep/x.log",
                    "deep/a/b/c.log", "deep/a/b/c.txt"):
            cls.server.put(BUCKET, key, logan_cli.clf() + b"\n")
        for i in range(MANY):
            cls.server.put(BUCKET, f"many/k{i:04d}.log", logan_cli.clf(ip=f"10.0.{i // 256}.{i % 256}") + b"\n")

    @classmethod
    def _gen(cls, path: Path, lines: int, seed: int) -> Path:
        r = logan_cli.run(cls.logan, ["gen", "--lines", lines, "--seed", seed, "--malformed",
                                      "0.01", "-o", path])
        assert r.returncode == 0, r.describe()
        return path

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.server.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.proxy.reset()

    # --- helpers ---------------------------------------------------------------------------
    def env(self, **extra) -> dict:
        """The environment without any AWS_ or HADOOP_ variable and with a HOME of its own."""
        e = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HADOOP_"))}
        e["HOME"] = str(self.tmp)
        e.update(extra)
        return e

    def creds(self, **extra) -> dict:
        return self.env(**{"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET, **extra})

    def s3(self, *args, env=None, endpoint=None) -> logan_cli.Result:
        # A short timeout: a hang shows as this test's failure, within ctest's limit for the file.
        return self.run_logan("batch", "--no-progress", "--s3-endpoint",
                              endpoint or self.proxy.endpoint, *args,
                              env=env if env is not None else self.creds(), timeout=60)

    def s3_json(self, *args, env=None) -> dict:
        r = self.s3("--json", *args, env=env)
        self.assertEqual(r.returncode, 0, r.describe())
        return self.doc_from(r)

    def local_json(self, *keys) -> dict:
        return self.batch_json("--no-progress", *[self.files[k] for k in keys])

    def assertFailsOneLine(self, r: logan_cli.Result, *needles: str):
        err = r.stderr_text()
        self.assertEqual(r.returncode, 2, r.describe())
        self.assertEqual(err.count("\n"), 1, "one line on stderr" + r.describe())
        for n in needles:
            self.assertIn(n, err, r.describe())
        for secret in (SECRET, TOKEN):
            self.assertNotIn(secret, err)

    # --- listing and reading ---------------------------------------------------------------
    def test_glob_over_plain_gzip_and_zstd_objects_equals_local_files(self):
        got = self.s3_json(f"s3://{BUCKET}/logs/2024-03-*/access*.log*")
        want = self.local_json("logs/2024-03-01/access.log", "logs/2024-03-01/access.log.gz",
                               "logs/2024-03-02/access-b.log.zst")
        self.assertEqual(without_sources(got), without_sources(want))
        self.assertEqual(got["lines"]["total"], 50000)
        listings = [s for s in self.proxy.seen() if "list-type=2" in s.path]
        self.assertEqual(len(listings), 1)
        self.assertIn("prefix=logs%2F2024-03-", listings[0].path, "lists the literal prefix")

    def test_double_star_matches_any_depth_and_question_mark_one_character(self):
        self.assertEqual(self.s3_json(f"s3://{BUCKET}/deep/**/*.log")["lines"]["total"], 2)
        self.assertEqual(self.s3_json(f"s3://{BUCKET}/deep/?.log")["lines"]["total"], 1)
        self.assertEqual(self.s3_json(f"s3://{BUCKET}/many/k00?0.log")["lines"]["total"], 10)

    def test_listing_follows_continuation_tokens_past_1000_keys(self):
        doc = self.s3_json(f"s3://{BUCKET}/many/k*.log")
        self.assertEqual(doc["lines"]["total"], MANY)
        self.assertEqual(doc["unique_clients"], MANY)
        pages = [s.path for s in self.proxy.seen() if "list-type=2" in s.path]
        self.assertEqual(len(pages), 2, pages)
        self.assertIn("continuation-token=", pages[1])

    def test_literal_key_and_key_prefix_as_directory(self):
        doc = self.s3_json(f"s3://{BUCKET}/logs/2024-03-01/access.log")
        self.assertEqual(without_sources(doc), without_sources(self.local_json("logs/2024-03-01/access.log")))
        both = self.s3_json(f"s3://{BUCKET}/logs/2024-03-01")
        self.assertEqual(both["lines"]["total"], 35000)

    def test_large_object_is_read_as_parallel_ranges(self):
        got = self.s3_json("--s3-part-size", "1", "--s3-connections", "4", f"s3://{BUCKET}/big/large.log")
        self.assertEqual(without_sources(got), without_sources(self.local_json("big/large.log")))
        size = self.files["big/large.log"].stat().st_size
        ranges = sorted(s.headers["range"] for s in self.proxy.seen() if "range" in s.headers)
        self.assertEqual(len(ranges), (size + (1 << 20) - 1) >> 20, ranges)
        self.assertIn("bytes=0-1048575", ranges)

    def test_mixed_local_and_s3_inputs_equal_all_local(self):
        got = self.s3_json(self.files["logs/2024-03-01/access.log"], f"s3://{BUCKET}/big/large.log",
                           self.files["logs/2024-03-01/access.log.gz"])
        want = self.local_json("logs/2024-03-01/access.log", "big/large.log", "logs/2024-03-01/access.log.gz")
        self.assertEqual(without_sources(got), without_sources(want))

    def test_export_reads_s3_inputs(self):
        out = self.tmp / "out"
        # One worker: with several, chunks land in a part file in the order workers finish them,
        # so two runs are equal as sets of records but not byte for byte.
        r = self.run_logan("export", "--no-progress", "-j", "1", "--s3-endpoint", self.proxy.endpoint,
                           "-o", out, f"s3://{BUCKET}/logs/2024-03-01/access.log.gz", env=self.creds())
        self.assertEqual(r.returncode, 0, r.describe())
        local = self.run_logan("export", "--no-progress", "-j", "1", "-o", self.tmp / "local",
                               self.files["logs/2024-03-01/access.log.gz"])
        self.assertEqual(r.stderr_text().split(" to ")[1].split(";")[1:],
                         local.stderr_text().split(" to ")[1].split(";")[1:])
        same = (logan_cli.gzip.decompress((out / "part-00000.jsonl.gz").read_bytes()) ==
                logan_cli.gzip.decompress((self.tmp / "local" / "part-00000.jsonl.gz").read_bytes()))
        self.assertTrue(same, "the export of the S3 input differs from the local one")

    def test_export_into_an_s3_prefix(self):
        r = self.run_logan("export", "--no-progress", "-j", "1", "--s3-endpoint", self.proxy.endpoint,
                           "--parts", "2", "--partition", "day", "-o", f"s3://{BUCKET}/exports/run1/",
                           self.files["logs/2024-03-01/access.log"], env=self.creds())
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertIn("to 's3://logs/exports/run1/'", r.stderr_text())
        local = self.tmp / "local"
        self.run_logan("export", "--no-progress", "-j", "1", "--parts", "2", "--partition", "day", "-o", local,
                       self.files["logs/2024-03-01/access.log"])
        names = sorted(str(p.relative_to(local)) for p in local.rglob("*") if p.is_file())
        self.assertIn("_SUCCESS", names)
        for name in names:
            status, body = self.server.get(BUCKET, f"exports/run1/{name}")
            self.assertEqual(status, 200, name)
            self.assertTrue(body == (local / name).read_bytes(), f"{name} differs from the local export")
        puts = [s.path for s in self.proxy.seen() if s.method == "PUT"]
        self.assertEqual(len(puts), len(names))
        self.assertTrue(puts[-1].endswith("/_SUCCESS"), puts)

    # --- credentials, region, endpoint ------------------------------------------------------
    def test_credentials_file_profile_and_region_from_config_file(self):
        creds = self.write("aws/credentials", "[default]\naws_access_key_id = WRONG\n"
                           "aws_secret_access_key = wrong\n\n[analytics]\n"
                           f"aws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
        config = self.write("aws/config", "[default]\nregion = us-west-2\n\n"
                            "[profile analytics]\nregion = eu-west-3\n")
        env = self.env(AWS_PROFILE="analytics", AWS_SHARED_CREDENTIALS_FILE=str(creds),
                       AWS_CONFIG_FILE=str(config))
        self.assertEqual(self.s3_json(f"s3://{BUCKET}/deep/x.log", env=env)["lines"]["total"], 1)
        self.assertEqual({s.region for s in self.proxy.seen()}, {"eu-west-3"})

    def test_default_profile_from_home_config_file_and_default_region(self):
        self.write(".aws/config", f"[default]\naws_access_key_id = {KEY_ID}\n"
                   f"aws_secret_access_key = {SECRET}\n")
        self.assertEqual(self.s3_json(f"s3://{BUCKET}/deep/x.log", env=self.env())["lines"]["total"], 1)
        self.assertEqual({s.region for s in self.proxy.seen()}, {"us-east-1"})

    def test_session_token_is_sent_and_signed_and_env_region_wins(self):
        self.write(".aws/config", "[default]\nregion = us-west-2\n")
        env = self.creds(AWS_SESSION_TOKEN=TOKEN, AWS_REGION="ap-south-1")
        self.assertEqual(self.s3_json(f"s3://{BUCKET}/deep/x.log", env=env)["lines"]["total"], 1)
        seen = self.proxy.seen()
        self.assertTrue(seen)
        for s in seen:
            self.assertEqual(s.headers.get("x-amz-security-token"), TOKEN)
            self.assertIn("x-amz-security-token", s.headers["authorization"])
            self.assertEqual(s.region, "ap-south-1")

    def test_endpoint_from_environment(self):
        r = self.run_logan("batch", "--json", "--no-progress", f"s3://{BUCKET}/deep/x.log",
                           env=self.creds(AWS_ENDPOINT_URL=self.proxy.endpoint))
        self.assertEqual(r.returncode, 0, r.describe())

    def test_verbose_output_never_shows_secrets(self):
        env = self.creds(AWS_SESSION_TOKEN=TOKEN)
        r = self.s3("--json", "--verbose", "--s3-part-size", "1", f"s3://{BUCKET}/big/large.log",
                    "-o", f"s3://{BUCKET}/reports/verbose.json", env=env)
        self.assertEqual(r.returncode, 0, r.describe())
        err = r.stderr_text()
        self.assertIn("credentials from environment with a session token", err)
        self.assertIn("GET s3://logs/big/large.log bytes 0-1048575", err)
        for secret in (SECRET, TOKEN, KEY_ID):
            self.assertNotIn(secret, err)
        bad = self.s3("--verbose", f"s3://{BUCKET}/deep/x.log",
                      env=self.creds(AWS_SECRET_ACCESS_KEY="Wrong/Secret+Value"))
        self.assertEqual(bad.returncode, 2, bad.describe())
        self.assertNotIn("Wrong/Secret+Value", bad.stderr_text())

    # --- errors ----------------------------------------------------------------------------
    def test_wrong_secret_is_signature_does_not_match(self):
        r = self.s3(f"s3://{BUCKET}/deep/x.log", env=self.creds(AWS_SECRET_ACCESS_KEY="Wrong/Secret+Value"))
        self.assertFailsOneLine(r, "SignatureDoesNotMatch", "s3://logs/deep/x.log",
                                "credentials from environment")
        self.assertNotIn("Wrong/Secret+Value", r.stderr_text())

    def test_unknown_access_key_is_invalid_access_key_id(self):
        r = self.s3(f"s3://{BUCKET}/deep/x.log", env=self.env(AWS_ACCESS_KEY_ID="NOSUCHKEY",
                                                              AWS_SECRET_ACCESS_KEY=SECRET))
        self.assertFailsOneLine(r, "InvalidAccessKeyId", "s3://logs/deep/x.log")

    def test_missing_bucket_object_and_glob(self):
        self.assertFailsOneLine(self.s3("s3://no-such-bucket/a.log"), "NoSuchBucket", "s3://no-such-bucket/a.log")
        self.assertFailsOneLine(self.s3(f"s3://{BUCKET}/nope.log"), "NoSuchKey", "s3://logs/nope.log")
        self.assertFailsOneLine(self.s3(f"s3://{BUCKET}/logs/*.nope"), "no object matches", "s3://logs/logs/*.nope")

    def test_access_denied_names_the_object(self):
        self.proxy.faults.deny_prefix = f"/{BUCKET}/big/"
        r = self.s3(f"s3://{BUCKET}/big/large.log")
        self.assertFailsOneLine(r, "AccessDenied", "cannot read 's3://logs/big/large.log'")

    def test_a_server_that_ignores_ranges_is_an_error_not_wrong_data(self):
        self.proxy.faults.ignore_range = True
        r = self.s3("--s3-part-size", "1", f"s3://{BUCKET}/big/large.log")
        self.assertFailsOneLine(r, "cannot read 's3://logs/big/large.log'",
                                "answered HTTP 200 to a request for a byte range")

    def test_keep_going_skips_a_missing_object(self):
        r = self.s3("--json", "--keep-going", f"s3://{BUCKET}/nope.log", f"s3://{BUCKET}/deep/x.log")
        self.assertEqual(r.returncode, 0, r.describe())
        doc = logan_cli.parse_json_stdout(r.stdout)
        self.assertEqual(doc["lines"]["total"], 1)
        self.assertIn("s3://logs/nope.log", doc["skipped_inputs"][0])

    # --- retries ---------------------------------------------------------------------------
    def test_slowdown_and_503_are_retried(self):
        self.proxy.faults.fail_next = 3
        r = self.s3("--json", "--verbose", f"s3://{BUCKET}/logs/2024-03-01/access.log")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertIn("SlowDown", r.stderr_text())
        self.assertIn("attempt 4 of 6", r.stderr_text())
        self.assertEqual(without_sources(logan_cli.parse_json_stdout(r.stdout)),
                         without_sources(self.local_json("logs/2024-03-01/access.log")))

    def test_dropped_connection_resumes_from_its_offset(self):
        self.proxy.faults.cut_next_gets = 2
        self.proxy.faults.cut_after = 100000
        got = self.s3_json("--s3-part-size", "4", "--s3-connections", "1", f"s3://{BUCKET}/big/large.log")
        self.assertEqual(without_sources(got), without_sources(self.local_json("big/large.log")))
        ranges = [s.headers["range"] for s in self.proxy.seen() if "range" in s.headers]
        self.assertEqual(ranges[:3], ["bytes=0-4194303", "bytes=100000-4194303",
                                      "bytes=200000-4194303"])

    def test_slow_responses_are_waited_for(self):
        self.proxy.faults.delay = 0.3
        got = self.s3_json("--s3-connections", "2", f"s3://{BUCKET}/logs/2024-03-0*/access*.log*")
        self.assertEqual(got["lines"]["total"], 50000)

    def test_retries_are_bounded(self):
        self.proxy.faults.fail_next = 100
        self.proxy.faults.fail_status = 500
        self.proxy.faults.fail_code = "InternalError"
        self.proxy.faults.fail_only = "/big/"
        r = self.s3("--retries", "3", f"s3://{BUCKET}/big/large.log")
        self.assertFailsOneLine(r, "cannot read 's3://logs/big/large.log'", "InternalError",
                                "after 3 attempts")

    # --- output to S3 ----------------------------------------------------------------------
    def test_report_written_to_s3(self):
        r = self.s3("--json", f"s3://{BUCKET}/deep/x.log", "-o", f"s3://{BUCKET}/reports/r.json")
        self.assertEqual(r.returncode, 0, r.describe())
        self.assertEqual(r.stdout, b"")
        want = self.s3("--json", f"s3://{BUCKET}/deep/x.log").stdout
        self.assertEqual(self.server.get(BUCKET, "reports/r.json"), (200, want))
        self.assertEqual([s.method for s in self.proxy.seen() if "reports/" in s.path], ["PUT"])

    def test_large_report_is_uploaded_in_parts(self):
        log = self.write("many-endpoints.log", unique_endpoint_log(150000))
        # 1 MiB asked for, 5 MiB used: S3 refuses smaller parts but the last.
        r = self.s3("--json", "--top", "200000", "--s3-part-size", "1", log,
                    "-o", f"s3://{BUCKET}/reports/big.json")
        self.assertEqual(r.returncode, 0, r.describe())
        want = self.run_logan("batch", "--json", "--no-progress", "--top", "200000", log).stdout
        self.assertGreater(len(want), 5 << 20)
        status, body = self.server.get(BUCKET, "reports/big.json")
        self.assertEqual(status, 200)
        self.assertTrue(body == want, "the uploaded report differs")  # no diff of 7 MB
        parts = [s.path for s in self.proxy.seen() if "partNumber=" in s.path]
        self.assertEqual(len(parts), (len(want) + (5 << 20) - 1) // (5 << 20), parts)

    def test_failed_multipart_upload_is_aborted(self):
        log = self.write("many-endpoints.log", unique_endpoint_log(150000))
        self.proxy.faults.fail_next = 1
        self.proxy.faults.fail_status = 403
        self.proxy.faults.fail_code = "AccessDenied"
        self.proxy.faults.fail_only = "partNumber=2"
        r = self.s3("--json", "--top", "200000", "--s3-part-size", "5", log,
                    "-o", f"s3://{BUCKET}/reports/aborted.json")
        self.assertEqual(r.returncode, 1, r.describe())
        self.assertIn("cannot write 's3://logs/reports/aborted.json': AccessDenied", r.stderr_text())
        self.assertTrue(any(s.method == "DELETE" and "uploadId=" in s.path for s in self.proxy.seen()))
        self.assertEqual(self.server.get(BUCKET, "reports/aborted.json")[0], 404)


if __name__ == "__main__":
    unittest.main()
