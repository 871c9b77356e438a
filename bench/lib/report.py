#!/usr/bin/env python3
"""Turns bench/run's raw CSV into a markdown table (median and spread) and an SVG plot."""
import csv
import statistics
import subprocess
import sys
from collections import defaultdict

ORDER = ["veth", "burrow-burrow", "ovpn-ovpn", "wireguard-go", "burrow-ovpn", "ovpn-burrow"]
LABEL = {
    "veth": "bare veth", "burrow-burrow": "burrow ↔ burrow", "ovpn-ovpn": "OpenVPN ↔ OpenVPN",
    "wireguard-go": "wireguard-go", "burrow-ovpn": "burrow client → OpenVPN server",
    "ovpn-burrow": "OpenVPN client → burrow server",
}
METRICS = [
    ("ping_avg_ms", "ping avg (ms)"), ("ping_p99_ms", "ping p99 (ms)"),
    ("udp_rr_p50_us", "UDP RR p50 (µs)"), ("udp_rr_p99_us", "UDP RR p99 (µs)"),
    ("tcp1_up_mbps", "TCP 1 up (Mb/s)"), ("tcp1_down_mbps", "TCP 1 down (Mb/s)"),
    ("tcp4_up_mbps", "TCP 4 up (Mb/s)"), ("tcp4_down_mbps", "TCP 4 down (Mb/s)"),
    ("tcp1_up_retrans", "retrans (1 up)"),
    ("cpu_srv_pct_tcp1", "server CPU % (1 up)"), ("cpu_cli_pct_tcp1", "client CPU % (1 up)"),
    ("idle_wakeups_per_s", "idle wake-ups/s"), ("rss_srv_kb", "server RSS (KiB)"), ("rss_cli_kb", "client RSS (KiB)"),
    ("start_to_ping_ms", "start→ping (ms)"),
]


def cell(vals):
    if not vals:
        return "–"
    med = statistics.median(vals)
    fmt = "%.0f" if med >= 100 else "%.2f" if med < 10 else "%.1f"
    if len(vals) == 1:
        return fmt % med
    return (fmt % med) + " (" + (fmt % min(vals)) + "–" + (fmt % max(vals)) + ")"


def main():
    path, out, commit = sys.argv[1], sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else "?")
    data = defaultdict(lambda: defaultdict(list))
    for row in csv.DictReader(open(path)):
        data[row["scenario"]][row["metric"]].append(float(row["value"]))
    scen = [s for s in ORDER if s in data]
    lines = ["| scenario | " + " | ".join(m[1] for m in METRICS) + " |",
             "|---|" + "---|" * len(METRICS)]
    for s in scen:
        if data[s].get("skipped"):
            lines.append("| %s | not built yet |" % LABEL[s] + " |" * (len(METRICS) - 1))
            continue
        if data[s].get("failed"):
            lines.append("| %s | tunnel did not come up |" % LABEL[s] + " |" * (len(METRICS) - 1))
            continue
        lines.append("| %s | " % LABEL[s] + " | ".join(cell(data[s].get(m[0], [])) for m in METRICS) + " |")
    md = ["# Latest benchmark results", "",
          "Commit `%s`. Median of the repetitions, (min–max) when more than one. " % commit +
          "Same machine, same run, same namespaces topology; see bench/README.md for the method.", ""]
    md += lines
    ratios = []
    def med(s, m):
        v = data.get(s, {}).get(m)
        return statistics.median(v) if v else None
    b, o, w = med("burrow-burrow", "tcp1_up_mbps"), med("ovpn-ovpn", "tcp1_up_mbps"), med("wireguard-go", "tcp1_up_mbps")
    if b and o:
        ratios.append("- TCP 1-stream burrow↔burrow / OpenVPN↔OpenVPN: **%.2f×** (target ≥ 4×)" % (b / o))
    if b and w:
        ratios.append("- TCP 1-stream burrow↔burrow / wireguard-go: **%.2f×** (target ≥ 3×)" % (b / w))
    bo = med("burrow-ovpn", "tcp1_up_mbps")
    if bo and o:
        ratios.append("- TCP 1-stream burrow client→OpenVPN / OpenVPN↔OpenVPN: **%.2f×** (target ≥ 1×)" % (bo / o))
    rr, vr = med("burrow-burrow", "udp_rr_p50_us"), med("veth", "udp_rr_p50_us")
    if rr and vr:
        ratios.append("- UDP RR p50 burrow / bare veth: **%.2f×** (target ≤ 1.3×)" % (rr / vr))
    pb, po = med("burrow-burrow", "ping_avg_ms"), med("ovpn-ovpn", "ping_avg_ms")
    if pb and po:
        ratios.append("- ping avg burrow / OpenVPN: **%.2f×** (target ≤ 0.5×)" % (pb / po))
    if ratios:
        md += ["", "## Against the targets", ""] + ratios
    md += ["", "![throughput and latency](latest.svg)", ""]
    open(out + "/latest.md", "w").write("\n".join(md))
    plot(data, scen, out)
    print("\n".join(lines))


def plot(data, scen, out):
    rows = []
    for s in scen:
        up = data[s].get("tcp1_up_mbps")
        ping = data[s].get("ping_avg_ms")
        if up:
            rows.append('"%s" %.1f %.3f' % (LABEL[s], statistics.median(up),
                                           statistics.median(ping) if ping else 0))
    if not rows:
        return
    open(out + "/latest.dat", "w").write("\n".join(rows) + "\n")
    gp = """set terminal svg size 900,420 font "sans,11"
set output "%s/latest.svg"
set multiplot layout 1,2
set style data histograms
set style fill solid 0.8
set boxwidth 0.8
set xtics rotate by -30
set grid ytics
set title "TCP, 1 stream (Mb/s, higher is better)"
plot "%s/latest.dat" using 2:xtic(1) notitle lc rgb "#3b7dd8"
set title "ping average (ms, lower is better)"
plot "%s/latest.dat" using 3:xtic(1) notitle lc rgb "#d8823b"
unset multiplot
""" % (out, out, out)
    try:
        subprocess.run(["gnuplot"], input=gp.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("report: no plot (%s)" % e, file=sys.stderr)


if __name__ == "__main__":
    main()
