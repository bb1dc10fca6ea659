"""An HTTP proxy for the S3 end-to-end tests, in front of s3rver, that does what s3rver does
not: it checks every SigV4 signature (Authorization header) against the secret of its access
key, answering 403 SignatureDoesNotMatch like S3, and it injects faults on request: 503 SlowDown
or other error answers for the next N requests, a response cut after K bytes (a dropped
connection), a delay. It records what it saw (method, path, headers, the region of each
signature) so tests can check ranges, retries, regions and session tokens.
Python standard library only; threaded, HTTP/1.1 with keep-alive.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import http.server
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from http_faults import write_then_drop

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te",
              "upgrade", "trailer"}


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def _encode(s: str) -> str:
    return urllib.parse.quote(s, safe="-_.~")


def expected_signature(method: str, raw_path: str, headers: dict, secret: str) -> str | None:
    """The SigV4 signature S3 would compute for this request; None when malformed."""
    auth = headers.get("authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,"
                 r"\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$", auth)
    if not m:
        return None
    _, date, region, service, signed, _ = m.groups()
    path, _, query = raw_path.partition("?")
    pairs = []
    for item in query.split("&") if query else []:
        k, _, v = item.partition("=")
        pairs.append((_encode(urllib.parse.unquote(k)), _encode(urllib.parse.unquote(v))))
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    canonical_headers = "".join(
        f"{h}:{' '.join(headers.get(h, '').split())}\n" for h in signed.split(";"))
    canonical = "\n".join([method, path, canonical_query, canonical_headers, signed,
                           headers.get("x-amz-content-sha256", "")])
    amz_date = headers.get("x-amz-date", "")
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(("AWS4" + secret).encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    region: str | None
    status: int = 0


@dataclass
class Faults:
    fail_next: int = 0            # answer the next N requests with `fail_status`/`fail_code`
    fail_status: int = 503
    fail_code: str = "SlowDown"
    fail_only: str = ""           # only requests whose path+query contains this
    cut_next_gets: int = 0        # cut the next N object GETs after `cut_after` bytes
    cut_after: int = 0
    delay: float = 0.0            # seconds before answering each request
    deny_prefix: str = ""         # 403 AccessDenied for paths starting with this
    ignore_range: bool = False    # forward GETs without their Range (a whole object comes back)
    seen: list = field(default_factory=list)


class S3Proxy:
    def __init__(self, upstream_port: int, secrets: dict[str, str], upstream_key: str = ""):
        """`secrets`: access key -> secret, checked here; with `upstream_key`, those access keys
        are renamed to it when forwarded (s3rver knows only its own key)."""
        self.upstream_port = upstream_port
        self.secrets = secrets
        self.upstream_key = upstream_key
        self.faults = Faults()
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                proxy._handle(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def seen(self) -> list[Seen]:
        with self.lock:
            return list(self.faults.seen)

    def reset(self):
        with self.lock:
            self.faults = Faults()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def _error(h, status: int, code: str, message: str):
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error>").encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _handle(self, h):
        headers = {k.lower(): v for k, v in h.headers.items()}
        length = int(headers.get("content-length", "0") or 0)
        body = h.rfile.read(length) if length else b""
        m = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/", headers.get("authorization", ""))
        seen = Seen(h.command, h.path, headers, m.group(1) if m else None)
        with self.lock:
            f = self.faults
            f.seen.append(seen)
            fail = f.fail_next > 0 and f.fail_only in h.path
            if fail:
                f.fail_next -= 1
            is_object_get = h.command == "GET" and "range" in headers
            cut = f.cut_next_gets > 0 and is_object_get
            if cut:
                f.cut_next_gets -= 1
            cut_after, delay, deny, ignore_range = f.cut_after, f.delay, f.deny_prefix, f.ignore_range
            fail_status, fail_code = f.fail_status, f.fail_code
        if delay:
            time.sleep(delay)
        if "authorization" in headers:
            key = re.search(r"Credential=([^/]+)/", headers["authorization"])
            secret = self.secrets.get(key.group(1)) if key else None
            if secret is not None and expected_signature(
                    h.command, h.path, headers, secret) != re.search(
                    r"Signature=([0-9a-f]+)", headers["authorization"]).group(1):
                seen.status = 403
                return self._error(h, 403, "SignatureDoesNotMatch",
                                   "The request signature we calculated does not match the "
                                   "signature you provided.")
        if deny and urllib.parse.urlsplit(h.path).path.startswith(deny):
            seen.status = 403
            return self._error(h, 403, "AccessDenied", "Access Denied")
        if fail:
            seen.status = fail_status
            return self._error(h, fail_status, fail_code, "injected by the test proxy")
        up = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        fwd = {k: v for k, v in h.headers.items() if k.lower() not in HOP_BY_HOP}
        if ignore_range:
            fwd = {k: v for k, v in fwd.items() if k.lower() != "range"}
        if self.upstream_key and "authorization" in headers:
            def rename(m):
                known = m.group(1) in self.secrets
                return f"Credential={self.upstream_key if known else m.group(1)}/"
            fwd = {k: (re.sub(r"Credential=([^/]+)/", rename, v)
                       if k.lower() == "authorization" else v) for k, v in fwd.items()}
        up.request(h.command, h.path, body=body if body else None, headers=fwd)
        r = up.getresponse()
        data = r.read()
        up.close()
        seen.status = r.status
        h.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if cut and len(data) > cut_after:
            return write_then_drop(h, data, cut_after)
        if h.command != "HEAD":
            h.wfile.write(data)
