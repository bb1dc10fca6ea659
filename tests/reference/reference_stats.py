#!/usr/bin/env python3
"""Independent reference implementation of the statistics document of `logan batch --json`.

It follows docs/json-output.md literally and shares no code with logan (Python 3.11 standard
library only). The end-to-end tests import it (``analyze``/``analyze_paths``) and compare its
document with logan's; it also runs on its own:

    python3 reference_stats.py --format common [--ip-threshold 10] [--top 10] FILE...

FILE may be `-` for stdin. Files are read as bytes; gzip, bzip2 and (through the `zstd` command)
zstd streams are recognised by their magic bytes and decompressed. `--format` takes `common`,
`combined`, `vhost_combined`, an Apache LogFormat string (`%h %l ...`) or an nginx log_format
string (`$remote_addr - ...`).

Choices where the contract leaves room (kept deliberately simple and strict):
- A field outside quotes is a non-empty run of bytes without a space (and without the literal
  byte that follows it in the format, e.g. `:` after `%v`); the last field of a format also
  stops at a tab, since trailing spaces and tabs are not part of the line's fields.
- A field inside quotes is Apache-escaped text: any byte but `"` and `\\`, or `\\` + any byte,
  or a raw `"` that is not followed by the rest of the format's next literal (so a stray quote
  from a server that does not escape them does not end the field early).
- `%t` is `[dd/Mon/yyyy:HH:MM:SS +hhmm]` with an English month abbreviation in exactly that case;
  a timestamp that is not a real date/time (31/Feb, 25:00) makes the line invalid.
- A final line without `\\n` keeps a trailing `\\r` (only a `\\r` before `\\n` is dropped).
- A request whose TARGET would be empty (`"GET "`, `"GET  HTTP/1.1"`) has no method and no
  endpoint, like a request of one word.
- Clients and endpoints are counted by their raw bytes and sorted bytewise on the raw bytes;
  they are made valid UTF-8 only when printed.
- A sample's `text` is the first 512 bytes of the line, then made valid UTF-8 (a multi-byte
  character cut at byte 512 becomes U+FFFD).
"""
from __future__ import annotations

import argparse
import bz2
import gzip
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

MAX_LINE_BYTES = 1 << 20          # a longer line is invalid
SAMPLE_TEXT_BYTES = 512           # bytes of an invalid line kept in a sample
MAX_SAMPLES = 10

PREDEFINED = {
    "common": '%h %l %u %t "%r" %>s %b',
    "combined": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"',
    "vhost_combined": '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
}

MONTHS = {m.encode(): i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}

# Building blocks (bytes regular expressions).
CLF_TIME = (rb'[0-9]{2}/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/[0-9]{4}'
            rb':[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}')
ISO_TIME = rb'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})'
STATUS = rb'[0-9]{3}'
SIZE = rb'[0-9]+|-'
NUMBER = rb'[0-9]+'
METHOD_RE = re.compile(rb'[A-Za-z0-9_-]+')

CLF_TIME_PARTS = re.compile(
    rb'([0-9]{2})/([A-Za-z]{3})/([0-9]{4}):([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})')
ISO_TIME_PARTS = re.compile(
    rb'([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:Z|([+-])([0-9]{2}):([0-9]{2}))')


class FormatError(ValueError):
    pass


# --------------------------------------------------------------------------------------------
# Format strings -> one regular expression for the whole line
# --------------------------------------------------------------------------------------------

@dataclass
class _Field:
    kind: str          # generic, number, status, size, request, clf_time_brackets, clf_time, iso_time
    roles: list        # roles this field can play: client, client_alt, status, size, size_alt,
                       # request, time, url, query, method
    group: str = ""


@dataclass
class LineFormat:
    regex: re.Pattern
    roles: dict        # role -> group name (after priority resolution)
    time_kind: str | None


def _apache_tokens(fmt: str):
    """Yield ('lit', text) and ('field', _Field) for an Apache LogFormat string."""
    i, n = 0, len(fmt)
    lit = []
    while i < n:
        c = fmt[i]
        if c != "%":
            lit.append(c)
            i += 1
            continue
        i += 1
        if i < n and fmt[i] == "%":
            lit.append("%")
            i += 1
            continue
        # modifiers: <, >, !, status lists, {param}
        redirect = ""
        while i < n and fmt[i] in "<>!0123456789,":
            if fmt[i] in "<>":
                redirect = fmt[i]
            i += 1
        param = None
        if i < n and fmt[i] == "{":
            j = fmt.find("}", i)
            if j < 0:
                raise FormatError("unterminated %{...} in format")
            param = fmt[i + 1:j]
            i = j + 1
        if i >= n:
            raise FormatError("format ends inside a directive")
        d = fmt[i]
        i += 1
        if lit:
            yield ("lit", "".join(lit))
            lit = []
        if d == "h":
            f = _Field("generic", ["client"])
        elif d == "a":
            f = _Field("generic", ["client_alt"])
        elif d in "s":
            f = _Field("status", ["status_final" if redirect == ">" else "status"])
        elif d in "bB":
            f = _Field("size", ["size"])
        elif d == "O":
            f = _Field("size", ["size_alt"])
        elif d in "IS":
            f = _Field("size", [])
        elif d == "t":
            if param is not None:
                raise FormatError("%{...}t is not supported by the reference")
            f = _Field("clf_time_brackets", ["time"])
        elif d == "r":
            f = _Field("request", ["request"])
        elif d == "U":
            f = _Field("generic", ["url"])
        elif d == "q":
            f = _Field("query", ["query"])
        elif d == "m":
            f = _Field("generic", ["method"])
        elif d in "DTkpP":
            f = _Field("number", [])
        elif d in "ilouvVHAfRLXecnCx":
            f = _Field("generic", [])
        else:
            raise FormatError(f"unsupported directive %{d}")
        yield ("field", f)
    if lit:
        yield ("lit", "".join(lit))


NGINX_VAR = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _nginx_tokens(fmt: str):
    pos = 0
    for m in NGINX_VAR.finditer(fmt):
        if m.start() > pos:
            yield ("lit", fmt[pos:m.start()])
        name = m.group(1) or m.group(2)
        pos = m.end()
        if name == "remote_addr":
            f = _Field("generic", ["client"])
        elif name == "status":
            f = _Field("status", ["status_final"])
        elif name == "body_bytes_sent":
            f = _Field("size", ["size"])
        elif name == "bytes_sent":
            f = _Field("size", ["size_alt"])
        elif name == "time_local":
            f = _Field("clf_time", ["time"])
        elif name == "time_iso8601":
            f = _Field("iso_time", ["time"])
        elif name == "request":
            f = _Field("request", ["request"])
        elif name == "request_uri":
            f = _Field("generic", ["url"])
        elif name == "request_method":
            f = _Field("generic", ["method"])
        else:
            f = _Field("generic", [])
        yield ("field", f)
    if pos < len(fmt):
        yield ("lit", fmt[pos:])


def compile_format(fmt: str) -> LineFormat:
    fmt = PREDEFINED.get(fmt, fmt)
    if NGINX_VAR.search(fmt) and "%" not in fmt:
        tokens = list(_nginx_tokens(fmt))
    else:
        tokens = list(_apache_tokens(fmt))
    if not any(t[0] == "field" for t in tokens):
        raise FormatError("format has no fields")
    parts = []
    roles_seen = {}
    time_kind = None
    for idx, tok in enumerate(tokens):
        if tok[0] == "lit":
            parts.append(re.escape(tok[1].encode()))
            continue
        f = tok[1]
        f.group = f"g{idx}"
        prev_lit = tokens[idx - 1][1] if idx > 0 and tokens[idx - 1][0] == "lit" else ""
        next_lit = tokens[idx + 1][1] if idx + 1 < len(tokens) and tokens[idx + 1][0] == "lit" else None
        quoted = prev_lit.endswith('"') and next_lit is not None and next_lit.startswith('"')
        if f.kind == "status":
            body = STATUS
        elif f.kind == "size":
            body = SIZE
        elif f.kind == "number":
            body = NUMBER
        elif f.kind == "clf_time_brackets":
            body = rb"\[(?P<" + f.group.encode() + rb">" + CLF_TIME + rb")\]"
        elif f.kind == "clf_time":
            body = CLF_TIME
        elif f.kind == "iso_time":
            body = ISO_TIME
        elif quoted:
            # A raw '"' is content unless the rest of the next literal follows it (the field
            # closes at the first '"' that is followed by it; \-escapes are pairs).
            rest = next_lit[1:].encode()
            guard = re.escape(rest) if rest else rb"[ \t]*\Z"
            body = rb'(?:[^"\\]|\\.|"(?!' + guard + rb'))*'
        elif f.kind == "request":
            body = rb".+?"
        elif f.kind == "query":
            body = rb"(?:\?[^ \t]*)?" if next_lit is None else rb"(?:\?[^ ]*)?"
        else:
            stop = b" "
            if next_lit is None:
                stop = b" \t"
            elif next_lit[:1] not in ("", " "):
                stop = b" " + re.escape(next_lit[:1].encode())
            body = rb"[^" + stop + rb"]+"
        if f.kind == "clf_time_brackets":
            parts.append(body)
        else:
            parts.append(rb"(?P<" + f.group.encode() + rb">" + body + rb")")
        for r in f.roles:
            roles_seen.setdefault(r, f.group)
        if "time" in f.roles and time_kind is None:
            time_kind = "iso" if f.kind == "iso_time" else "clf"
    regex = re.compile(b"".join(parts) + rb"[ \t]*", re.S)
    roles = {}
    for role, prio in (("client", ("client", "client_alt")),
                       ("status", ("status_final", "status")),
                       ("size", ("size", "size_alt")),
                       ("request", ("request",)), ("time", ("time",)),
                       ("url", ("url",)), ("query", ("query",)), ("method", ("method",))):
        for p in prio:
            if p in roles_seen:
                roles[role] = roles_seen[p]
                break
    return LineFormat(regex, roles, time_kind if "time" in roles else None)


# --------------------------------------------------------------------------------------------
# Field semantics
# --------------------------------------------------------------------------------------------

def parse_clf_time(b: bytes):
    m = CLF_TIME_PARTS.fullmatch(b)
    if not m or m.group(2) not in MONTHS:
        return None
    day, _, year, hh, mm, ss, sign, oh, om = m.groups()
    return _make_time(int(year), MONTHS[m.group(2)], int(day), int(hh), int(mm), int(ss),
                      sign, int(oh), int(om))


def parse_iso_time(b: bytes):
    m = ISO_TIME_PARTS.fullmatch(b)
    if not m:
        return None
    year, mon, day, hh, mm, ss, sign, oh, om = m.groups()
    if sign is None:
        sign, oh, om = b"+", b"0", b"0"
    return _make_time(int(year), int(mon), int(day), int(hh), int(mm), int(ss),
                      sign, int(oh), int(om))


def _make_time(year, mon, day, hh, mm, ss, sign, oh, om):
    if om > 59:
        return None
    offset = timedelta(hours=oh, minutes=om)
    if sign == b"-":
        offset = -offset
    try:
        local = datetime(year, mon, day, hh, mm, ss, tzinfo=timezone(offset))
        return local.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def format_utc(t: datetime) -> str:
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}"
            f"T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z")


def split_request(req: bytes):
    """(method, target) per the contract, or (None, None) when the request does not split."""
    sp = req.find(b" ")
    if sp <= 0:
        return None, None
    method = req[:sp]
    if not METHOD_RE.fullmatch(method):
        return None, None
    rest = req[sp + 1:]
    last = rest.rfind(b" ")
    if last >= 0 and rest[last + 1:].startswith(b"HTTP/"):
        target = rest[:last]
    else:
        target = rest
    if not target:
        return None, None
    return method, target


def text(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def iter_lines(data: bytes):
    """Lines per the contract: up to each `\\n`, minus one `\\r` before it; then any rest."""
    parts = data.split(b"\n")
    rest = parts.pop()
    for p in parts:
        yield p[:-1] if p.endswith(b"\r") else p
    if rest:
        yield rest


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------

@dataclass
class Stats:
    total: int = 0
    parsed: int = 0
    invalid: int = 0
    cs_count: int = 0
    cs_sum: int = 0
    cs_min: int | None = None
    cs_max: int | None = None
    codes: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    endpoints: dict = field(default_factory=dict)
    methods: dict = field(default_factory=dict)
    by_class: dict = field(default_factory=lambda: {k: 0 for k in
                                                    ("1xx", "2xx", "3xx", "4xx", "5xx", "other")})
    first: datetime | None = None
    last: datetime | None = None
    samples: list = field(default_factory=list)

    def invalid_line(self, source, lineno, line):
        self.invalid += 1
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append({"source": source, "line": lineno,
                                 "text": text(line[:SAMPLE_TEXT_BYTES])})


def _count(d, k):
    d[k] = d.get(k, 0) + 1


def analyze(inputs, fmt="common", ip_threshold=10, top=10):
    """inputs: iterable of (source name, bytes of the decompressed input). Returns the document."""
    return document(collect(inputs, fmt), ip_threshold, top)


def collect(inputs, fmt="common") -> Stats:
    """The counters behind a document (one pass; `document` then ranks them)."""
    lf = compile_format(fmt) if isinstance(fmt, str) else fmt
    st = Stats()
    r = lf.roles
    for source, data in inputs:
        lineno = 0
        for line in iter_lines(data):
            lineno += 1
            st.total += 1
            m = lf.regex.fullmatch(line) if len(line) <= MAX_LINE_BYTES else None
            if m is None:
                st.invalid_line(source, lineno, line)
                continue
            t = None
            if "time" in r:
                raw = m.group(r["time"])
                t = parse_iso_time(raw) if lf.time_kind == "iso" else parse_clf_time(raw)
                if t is None:
                    st.invalid_line(source, lineno, line)
                    continue
            st.parsed += 1
            if "client" in r:
                _count(st.clients, m.group(r["client"]))
            status = m.group(r["status"]) if "status" in r else None
            if status is not None:
                _count(st.codes, int(status))
            if "size" in r:
                s = m.group(r["size"])
                size = 0 if s == b"-" else int(s)
                st.cs_count += 1
                st.cs_sum += size
                st.cs_min = size if st.cs_min is None else min(st.cs_min, size)
                st.cs_max = size if st.cs_max is None else max(st.cs_max, size)
                cls = "other"
                if status is not None and status[:1] in (b"1", b"2", b"3", b"4", b"5"):
                    cls = status[:1].decode() + "xx"
                st.by_class[cls] += size
            method = endpoint = None
            if "request" in r:
                method, endpoint = split_request(m.group(r["request"]))
            else:
                if "url" in r:
                    endpoint = m.group(r["url"]) + (m.group(r["query"]) if "query" in r else b"")
                if "method" in r and METHOD_RE.fullmatch(m.group(r["method"])):
                    method = m.group(r["method"])
            if method is not None:
                _count(st.methods, method)
            if endpoint is not None:
                _count(st.endpoints, endpoint)
            if t is not None:
                if st.first is None or t < st.first:
                    st.first = t
                if st.last is None or t > st.last:
                    st.last = t
    return st


def _ranked(d):
    return sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))


def document(st: Stats, ip_threshold: int = 10, top: int = 10) -> dict:
    return {
        "lines": {"total": st.total, "parsed": st.parsed, "invalid": st.invalid},
        "content_size": {
            "count": st.cs_count,
            "sum": st.cs_sum,
            "min": st.cs_min if st.cs_count else 0,
            "max": st.cs_max if st.cs_count else 0,
            "avg": st.cs_sum / st.cs_count if st.cs_count else 0,
        },
        "response_codes": [{"code": c, "count": st.codes[c]} for c in sorted(st.codes)],
        "ip_addresses": [{"ip": text(k), "count": n} for k, n in _ranked(st.clients)
                         if n > ip_threshold],
        "top_endpoints": [{"endpoint": text(k), "count": n}
                          for k, n in _ranked(st.endpoints)[:max(top, 0)]],
        "methods": [{"method": text(k), "count": n} for k, n in _ranked(st.methods)],
        "unique_clients": len(st.clients),
        "bytes_by_status_class": dict(st.by_class),
        "time_range": {"first": format_utc(st.first) if st.first else None,
                       "last": format_utc(st.last) if st.last else None},
        "invalid_samples": list(st.samples),
    }


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------

def decompress(data: bytes) -> bytes:
    """Decompress by magic bytes (one layer): gzip, bzip2, zstd; anything else is plain."""
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:3] == b"BZh":
        return bz2.decompress(data)
    if data[:4] == b"\x28\xb5\x2f\xfd":
        exe = shutil.which("zstd")
        if not exe:
            raise RuntimeError("zstd input but no `zstd` command to decompress it")
        return subprocess.run([exe, "-dc"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    return data


def read_input(path: str) -> bytes:
    if path == "-":
        return decompress(sys.stdin.buffer.read())
    with open(path, "rb") as f:
        return decompress(f.read())


def analyze_paths(paths, fmt="common", ip_threshold=10, top=10, sources=None):
    """Analyze files (source = the path as given, or sources[i] when given)."""
    names = list(sources) if sources is not None else list(paths)
    return analyze(((names[i], read_input(p)) for i, p in enumerate(paths)),
                   fmt, ip_threshold, top)


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--format", required=True,
                    help="common, combined, vhost_combined, or an Apache/nginx format string")
    ap.add_argument("--ip-threshold", type=int, default=10)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("files", nargs="+", metavar="FILE")
    a = ap.parse_args(argv)
    try:
        doc = analyze_paths(a.files, a.format, a.ip_threshold, a.top)
    except FormatError as e:
        print(f"reference_stats: bad format: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"reference_stats: {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write((dumps(doc) + "\n").encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
