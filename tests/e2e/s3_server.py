"""A throw-away s3rver (the S3-compatible server from npm, installed into tests/s3/node_modules
by dev/install-deps) for the end-to-end tests: a temporary data directory, a free loopback port,
stopped at the end. s3rver knows one access key, S3RVER with secret S3RVER. It checks that a
SigV4 request names a known access key but does not check the signature itself; s3_proxy.py
does that, in front of it.

Objects are put without signing (s3rver accepts anonymous requests), over one kept-alive
connection, so that tests can load a thousand keys in a second or two.
"""
from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
S3RVER_JS = REPO / "tests" / "s3" / "node_modules" / "s3rver" / "bin" / "s3rver.js"
ACCESS_KEY = "S3RVER"
SECRET_KEY = "S3RVER"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def why_unavailable() -> str | None:
    """None when s3rver can be started, else why not (the tests then fail, saying so)."""
    if shutil.which("node") is None:
        return "node is not installed (dev/install-deps installs nodejs)"
    if not S3RVER_JS.exists():
        return f"{S3RVER_JS} is missing (run dev/install-deps)"
    return None


class S3rver:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="logan-s3rver-"))
        self.log = open(self.dir / "s3rver.log", "wb")
        # A free port can be taken by another test's server before node binds it: then node
        # exits, or something else answers. Check that s3rver itself answers, else try again.
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen(
                # s3rver encrypts its continuation tokens with DES, which OpenSSL 3 keeps in its
                # legacy provider: without it every truncated listing is an InternalError.
                ["node", "--openssl-legacy-provider", str(S3RVER_JS), "-d", str(self.dir / "data"),
                 "-a", "127.0.0.1", "-p", str(self.port), "-s"],
                stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
            if self._answers():
                break
            self._kill()
        else:
            self.stop()
            raise RuntimeError("s3rver did not start: " +
                               (self.dir / "s3rver.log").read_text(errors="replace"))
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def _answers(self) -> bool:
        """True once s3rver answers a ListBuckets on self.port; False if it died or 30 s passed."""
        deadline = time.time() + 30
        while time.time() < deadline and self.proc.poll() is None:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/")
                body = c.getresponse().read()
                c.close()
                return b"ListAllMyBucketsResult" in body and self.proc.poll() is None
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
        return False

    def _kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        for attempt in range(2):  # the kept-alive connection may have timed out
            try:
                self.conn.request(method, path, body=body)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def create_bucket(self, bucket: str):
        status, body = self.request("PUT", "/" + bucket)
        if status != 200:
            raise RuntimeError(f"cannot create bucket {bucket}: {status} {body!r}")

    def put(self, bucket: str, key: str, data: bytes):
        status, body = self.request("PUT", f"/{bucket}/{urllib.parse.quote(key)}", data)
        if status != 200:
            raise RuntimeError(f"cannot put {bucket}/{key}: {status} {body!r}")

    def get(self, bucket: str, key: str) -> tuple[int, bytes]:
        return self.request("GET", f"/{bucket}/{urllib.parse.quote(key)}")

    def stop(self):
        self._kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
