#!/usr/bin/env python3
"""Sanity checks for bench/e2e/run.sh: do the tools we time agree on the answers?

  compare_stats.py --logan logan.json [--logan-t1 logan-t1.json] [--mawk mawk.txt]
                   [--goaccess goaccess.json]

- logan (default threads) against mawk (bench/e2e/four_stats.awk) on the four reference
  statistics: content size avg/min/max, counts by response code, the number of clients over
  the IP threshold, and the top endpoint (name and count).
- logan with the default thread count against logan --threads 1: the documents must be equal.
- GoAccess: only reports how many requests it parsed (its statistics are defined differently).

logan's JSON shape is docs/json-output.md. Prints one line per check, "OK: ...",
"WARNING: ..." or "note: ..."; exits 0 when everything agrees, 1 when a check failed, 2 when an
input could not be read. Standard library only.
"""

import argparse
import json
import math
import sys


def load_json(path, errors="strict"):
    """logan's document must be UTF-8 (errors="strict"); GoAccess copies log bytes as is."""
    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8", errors=errors))
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: {e}") from e


def load_mawk(path):
    """Reads the tab-separated records printed by four_stats.awk."""
    out = {"lines": None, "skipped": None, "content_size": None, "status": {},
           "ips_over": None, "endpoints": []}
    # logan replaces bytes that are not UTF-8 by U+FFFD the way errors="replace" does.
    with open(path, "r", encoding="utf-8", errors="replace", newline="\n") as f:
        for raw in f:
            rec = raw.rstrip("\n").split("\t")
            kind = rec[0]
            if kind in ("lines", "skipped", "ips_over"):
                out[kind] = int(rec[1])
            elif kind == "content_size":
                out["content_size"] = {"count": int(rec[1]), "sum": int(rec[2]),
                                       "min": int(rec[3]), "max": int(rec[4]),
                                       "avg": float(rec[5])}
            elif kind == "status":
                out["status"][int(rec[1])] = int(rec[2])
            elif kind == "endpoint":
                out["endpoints"].append((rec[1], int(rec[2])))
            # "ip" records are not compared one by one; "ips_over" is their number.
    for key in ("lines", "content_size", "ips_over"):
        if out[key] is None:
            raise ValueError(f"{path}: no '{key}' record (did mawk finish?)")
    return out


class Report:
    def __init__(self):
        self.failed = False

    def ok(self, msg):
        print(f"OK: {msg}")

    def warn(self, msg):
        self.failed = True
        print(f"WARNING: {msg}")

    def note(self, msg):
        print(f"note: {msg}")

    def check(self, cond, what, got_logan, got_other, other="mawk"):
        if cond:
            self.ok(what)
        else:
            self.warn(f"{what} differ: logan {got_logan!r}, {other} {got_other!r}")


def compare_logan_mawk(rep, logan, mawk):
    cs = logan["content_size"]
    mcs = mawk["content_size"]
    rep.check(math.isclose(cs["avg"], mcs["avg"], rel_tol=1e-9, abs_tol=1e-9),
              "content size avg", cs["avg"], mcs["avg"])
    rep.check(cs["min"] == mcs["min"], "content size min", cs["min"], mcs["min"])
    rep.check(cs["max"] == mcs["max"], "content size max", cs["max"], mcs["max"])

    codes = {rc["code"]: rc["count"] for rc in logan["response_codes"]}
    if codes == mawk["status"]:
        rep.ok(f"response code counts ({len(codes)} codes)")
    else:
        diff = sorted(c for c in set(codes) | set(mawk["status"])
                      if codes.get(c) != mawk["status"].get(c))
        shown = ", ".join(f"{c}: logan {codes.get(c, 0)} mawk {mawk['status'].get(c, 0)}"
                          for c in diff[:10])
        rep.warn(f"response code counts differ ({shown})")

    n_ips = len(logan["ip_addresses"])
    rep.check(n_ips == mawk["ips_over"], f"number of IPs over the threshold ({n_ips})",
              n_ips, mawk["ips_over"])

    l_top = [(e["endpoint"], e["count"]) for e in logan["top_endpoints"]]
    m_top = mawk["endpoints"]
    l_first = l_top[0] if l_top else None
    m_first = m_top[0] if m_top else None
    rep.check(l_first == m_first, f"top endpoint {l_first!r}", l_first, m_first)
    if l_first == m_first and l_top != m_top:
        rep.note("the rest of the top endpoints differ between logan and mawk")

    lines = logan["lines"]
    if lines["invalid"] or mawk["skipped"]:
        rep.note(f"logan: {lines['parsed']} parsed / {lines['invalid']} invalid lines; "
                 f"mawk skipped {mawk['skipped']} of {mawk['lines']} (lines one reads and "
                 f"the other does not explain differences)")


def compare_logan_threads(rep, a, b):
    if a == b:
        rep.ok("logan with the default thread count and with --threads 1 print the same document")
    else:
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        rep.warn(f"logan's document depends on the thread count (differing: {', '.join(keys)})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logan", help="logan batch --json output (default threads)")
    ap.add_argument("--logan-t1", help="logan batch --threads 1 --json output")
    ap.add_argument("--mawk", help="four_stats.awk output")
    ap.add_argument("--goaccess", help="GoAccess JSON report")
    args = ap.parse_args()

    rep = Report()
    try:
        logan = load_json(args.logan) if args.logan else None
        logan_t1 = load_json(args.logan_t1) if args.logan_t1 else None
        mawk = load_mawk(args.mawk) if args.mawk else None
    except (OSError, ValueError, KeyError, IndexError) as e:
        print(f"WARNING: cannot read an output to compare: {e}")
        return 2

    try:
        if logan is not None and mawk is not None:
            compare_logan_mawk(rep, logan, mawk)
        elif mawk is not None:
            rep.note("no logan output: the mawk answers were not checked")
        if logan is not None and logan_t1 is not None:
            compare_logan_threads(rep, logan, logan_t1)
    except (KeyError, IndexError, TypeError) as e:
        rep.warn(f"logan's JSON does not have the documented shape (docs/json-output.md): {e!r}")

    if args.goaccess:
        try:
            g = load_json(args.goaccess, errors="replace").get("general", {})
            rep.note(f"GoAccess: {g.get('total_requests')} requests, "
                     f"{g.get('valid_requests')} valid, {g.get('failed_requests')} failed")
        except (ValueError, AttributeError) as e:
            rep.note(f"GoAccess's report could not be read: {e}")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
