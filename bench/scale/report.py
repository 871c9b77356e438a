#!/usr/bin/env python3
"""bench/scale/report.py CSV OUT_MD REV "COUNTS" REPS: the scale benchmark's table (median and
min-max over repetitions, burrow next to OpenVPN 2.6)."""
import csv
import os
import statistics
import sys
import time
from collections import defaultdict


def main():
    path, out, rev, counts, reps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(), sys.argv[5]
    vals = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            vals[(row["server"], row["metric"])].append(float(row["value"]))
    servers = [s for s in ("burrow", "openvpn") if any(k[0] == s for k in vals)]

    def cell(srv, metric, fmt="{:.0f}", scale=1.0):
        v = [x * scale for x in vals.get((srv, metric), [])]
        if not v:
            return "–"
        med = fmt.format(statistics.median(v))
        if len(v) > 1 and min(v) != max(v):
            return f"{med} ({fmt.format(min(v))}–{fmt.format(max(v))})"
        return med

    rows = [("server RSS, 0 clients (MB)", "rss_idle_kb", "{:.1f}", 1 / 1024)]
    for n in counts:
        rows += [
            (f"server RSS, {n} clients connected (MB)", f"rss_{n}_kb", "{:.1f}", 1 / 1024),
            (f"server peak RSS during the {n}-client storm (MB)", f"peak_{n}_kb", "{:.1f}", 1 / 1024),
            (f"clients connected (of {n})", f"connected_{n}", "{:.0f}", 1),
            (f"echoes answered (of {2 * int(n)})", f"echoes_{n}", "{:.0f}", 1),
            (f"time to connect {n} clients (ms)", f"connect_{n}_ms", "{:.0f}", 1),
            (f"server CPU during the {n}-client storm (ms)", f"cpu_{n}_ms", "{:.0f}", 1),
        ]
    lines = [
        "# Scale benchmark: many clients at once",
        "",
        f"`bench/scale/run`, commit {rev or '?'}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs, {reps} repetition(s): median (min–max).",
        "",
        "| | " + " | ".join("burrow server" if s == "burrow" else "OpenVPN 2.6 server" for s in servers) + " |",
        "|---|" + "---|" * len(servers),
    ]
    for label, metric, fmt, scale in rows:
        lines.append(f"| {label} | " + " | ".join(cell(s, metric, fmt, scale) for s in servers) + " |")
    per = []
    big = counts[-1] if counts else None
    for s in servers:
        idle, full = vals.get((s, "rss_idle_kb")), vals.get((s, f"rss_{big}_kb"))
        if idle and full:
            per.append(f"{s}: {(statistics.median(full) - statistics.median(idle)) / int(big):.0f} kB")
    if per:
        lines += ["", f"Memory per connected client ({big} clients, median RSS difference): " + ", ".join(per) + "."]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
