"""A small WebHDFS server for the end-to-end tests (no Hadoop package exists on Debian), written
from the WebHDFS REST API documentation: a "namenode" port answers GETFILESTATUS, LISTSTATUS and
OPEN (a 307 redirect to the "datanode" port, which serves the bytes, honouring offset and
length); errors are RemoteException JSON documents (FileNotFoundException,
AccessControlException, SecurityException). The namespace is a local directory.

Authentication as in Hadoop's simple mode: every request must carry user.name or, when the
server was given a token, delegation=<token> (user.name is then refused). `negotiate` makes
the namenode answer 401 with "WWW-Authenticate: Negotiate", as a Kerberos cluster does.
Faults for the retry tests: the next N datanode reads answer 503, or are cut after K bytes.
Python standard library only; threaded.
"""
from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from pathlib import Path

from http_faults import write_then_drop


class WebHdfsServer:
    def __init__(self, root: Path, token: str | None = None, negotiate: bool = False,
                 denied: tuple[str, ...] = ()):
        self.root = Path(root)
        self.token = token
        self.negotiate = negotiate
        self.denied = denied
        self.lock = threading.Lock()
        self.fail_reads = 0
        self.cut_reads = 0
        self.cut_after = 0
        self.requests: list[tuple[str, str, dict]] = []  # (port role, op, query)
        self.namenode = self._serve(self._namenode)
        self.datanode = self._serve(self._datanode)

    # --- plumbing --------------------------------------------------------------------------
    def _serve(self, handle):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                handle(self)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    @property
    def authority(self) -> str:
        return f"127.0.0.1:{self.namenode.server_address[1]}"

    def stop(self):
        for s in (self.namenode, self.datanode):
            s.shutdown()
            s.server_close()

    @staticmethod
    def _send(h, status: int, body: bytes, ctype="application/json", extra=()):
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def _exception(self, h, status: int, exception: str, message: str):
        body = json.dumps({"RemoteException": {
            "exception": exception, "javaClassName": f"org.apache.hadoop.{exception}",
            "message": message}}).encode()
        self._send(h, status, body)

    def _parse(self, h):
        u = urllib.parse.urlsplit(h.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
        path = urllib.parse.unquote(u.path)
        prefix = "/webhdfs/v1"
        return (path[len(prefix):] or "/") if path.startswith(prefix) else None, q

    def _local(self, hdfs_path: str) -> Path:
        return self.root / hdfs_path.lstrip("/")

    def _authorised(self, h, q) -> bool:
        if self.negotiate:
            self._send(h, 401, b"Authentication required", "text/plain",
                       [("WWW-Authenticate", "Negotiate")])
            return False
        if self.token is not None:
            if q.get("delegation") != self.token:
                self._exception(h, 403, "SecurityException",
                                "Failed to obtain user group information: invalid token")
                return False
        elif not q.get("user.name"):
            self._exception(h, 401, "SecurityException", "user.name is required")
            return False
        return True

    def _status(self, p: Path, suffix: str) -> dict:
        st = p.stat()
        return {"accessTime": int(st.st_atime * 1000), "blockSize": 134217728,
                "childrenNum": len(list(p.iterdir())) if p.is_dir() else 0, "fileId": st.st_ino,
                "group": "supergroup", "length": 0 if p.is_dir() else st.st_size,
                "modificationTime": int(st.st_mtime * 1000), "owner": "hdfs",
                "pathSuffix": suffix, "permission": "755" if p.is_dir() else "644",
                "replication": 0 if p.is_dir() else 3,
                "type": "DIRECTORY" if p.is_dir() else "FILE"}

    # --- the two roles ---------------------------------------------------------------------
    def _namenode(self, h):
        path, q = self._parse(h)
        op = q.get("op", "").upper()
        with self.lock:
            self.requests.append(("namenode", op, q))
        if path is None:
            return self._exception(h, 404, "IllegalArgumentException", "not a WebHDFS path")
        if not self._authorised(h, q):
            return
        if any(path.startswith(d) for d in self.denied):
            return self._exception(h, 403, "AccessControlException",
                                   f"Permission denied: user={q.get('user.name', '?')}, "
                                   f"access=READ_EXECUTE, inode=\"{path}\"")
        local = self._local(path)
        if not local.exists():
            return self._exception(h, 404, "FileNotFoundException", f"File does not exist: {path}")
        if op == "GETFILESTATUS":
            body = json.dumps({"FileStatus": self._status(local, "")}).encode()
            return self._send(h, 200, body)
        if op == "LISTSTATUS":
            if local.is_dir():
                entries = [self._status(c, c.name) for c in sorted(local.iterdir())]
            else:
                entries = [self._status(local, "")]
            body = json.dumps({"FileStatuses": {"FileStatus": entries}}).encode()
            return self._send(h, 200, body)
        if op == "OPEN":
            if local.is_dir():
                return self._exception(h, 404, "FileNotFoundException", f"Path is not a file: {path}")
            query = urllib.parse.urlencode({**q, "namenoderpcaddress": "localhost:8020"})
            location = (f"http://127.0.0.1:{self.datanode.server_address[1]}/webhdfs/v1"
                        f"{urllib.parse.quote(path)}?{query}")
            return self._send(h, 307, b"", extra=[("Location", location)])
        return self._exception(h, 400, "IllegalArgumentException", f"Invalid value for webhdfs parameter \"op\": {op}")

    def _datanode(self, h):
        path, q = self._parse(h)
        with self.lock:
            self.requests.append(("datanode", q.get("op", ""), q))
            fail = self.fail_reads > 0
            if fail:
                self.fail_reads -= 1
            cut = not fail and self.cut_reads > 0
            if cut:
                self.cut_reads -= 1
        if fail:
            return self._exception(h, 503, "", "injected by the test server")
        local = self._local(path or "/")
        data = local.read_bytes()
        offset = int(q.get("offset", "0"))
        length = int(q["length"]) if "length" in q else len(data)
        data = data[offset:offset + length]
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if cut and len(data) > self.cut_after:
            return write_then_drop(h, data, self.cut_after)
        h.wfile.write(data)
