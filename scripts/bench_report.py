#!/usr/bin/env python3
"""Helpers of scripts/bench.sh: turn each tool's output into `key<TAB>value`
lines, and the collected lines into the table of BENCHMARKS.md.

  bench_report.py tui NAME FILE          tui-cost.sh medians -> NAME.metric
  bench_report.py hyperfine PREFIX FILE  hyperfine JSON medians (ms)
  bench_report.py divan BENCH FILE       divan medians (ms) -> divan.BENCH.path
  bench_report.py maxrss RUNS CMD…       median peak RSS (MiB) of RUNS runs of CMD
  bench_report.py table RESULTS          the table (markdown) of budgets
"""
import json
import re
import statistics
import subprocess
import sys

UNITS_MS = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}


def tui(name, path):
    for line in open(path):
        m = re.match(r"^(\w+): ([0-9.]+) ", line)
        if m:
            print(f"{name}.{m.group(1)}\t{m.group(2)}")


def hyperfine(prefix, path):
    for r in json.load(open(path))["results"]:
        print(f"{prefix}.{r['command']}\t{r['median'] * 1000:.3f}")


def divan(bench, path):
    """Divan prints a tree: `├─ name  fastest │ slowest │ median │ …`, with
    benches taking arguments as a group line and one child per argument."""
    stack = []
    for line in open(path):
        m = re.match(r"^([│├╰─ ]*)(\S+)(.*)$", line.rstrip("\n"))
        # Only tree lines count (not the header, not other output).
        if not m or not ("├" in m.group(1) or "╰" in m.group(1)):
            continue
        depth = len(m.group(1)) // 3
        del stack[depth - 1:]
        stack.append(m.group(2))
        cols = m.group(3).split("│")
        median = re.match(r"^\s*([0-9.]+) (ns|µs|us|ms|s)\s*$", cols[2]) if len(cols) > 3 else None
        if median:
            ms = float(median.group(1)) * UNITS_MS[median.group(2)]
            print(f"divan.{bench}.{'.'.join(stack)}\t{ms:.5f}")


def maxrss(runs, cmd):
    """Peak RSS of each run, by GNU time (%M, KiB). Not from Python's own
    wait4: Linux keeps the RSS a child had before exec (a fork of this
    Python, ~15 MiB) in its peak."""
    import tempfile
    peaks = []
    for _ in range(runs):
        with tempfile.NamedTemporaryFile("r") as out:
            done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *cmd],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if done.returncode != 0:
                print(f"bench_report.py: {cmd} failed", file=sys.stderr)
                sys.exit(1)
            peaks.append(int(out.read().split()[-1]) / 1024)
    print(f"{statistics.median(peaks):.2f}")


def table(path):
    v = {}
    for line in open(path):
        k, _, x = line.rstrip("\n").partition("\t")
        try:
            v[k] = float(x)
        except ValueError:
            pass

    def get(k):
        return v.get(k)

    def fmt(x, unit=""):
        if x is None:
            return "not measured"
        if unit == "ms" and 0 < abs(x) < 0.01:
            return f"{x * 1000:.2f} µs"
        if abs(x) >= 100 or x == int(x):
            s = f"{x:.0f}"
        elif abs(x) >= 10:
            s = f"{x:.1f}"
        elif abs(x) >= 0.1:
            s = f"{x:.2f}"
        else:
            s = f"{x:.3f}"
        return f"{s} {unit}".strip()

    rows = []

    def row(what, ours, ref, ratio, budget, ok):
        verdict = "n/a" if ok is None else ("yes" if ok else "**NO**")
        rows.append((what, ours, ref, ratio, budget, verdict))

    peers = [p for p in ("atac", "slumber") if get(f"{p}.first_frame") is not None]

    def ratio_row(what, ours, ref, label, unit, budget, limit):
        """ours / ref against `limit` (None: context only)."""
        r = ours / ref if ours and ref else None
        ok = None if r is None or limit is None else r <= limit
        row(what, fmt(ours, unit), f"{fmt(ref, unit)} ({label})" if ref else "not measured",
            fmt(r, "x"), budget, ok)

    def against_peers(what, metric, unit, budget, limit):
        """upexport against the best peer (lowest value) on `metric`."""
        best = min((get(f"{p}.{metric}"), p) for p in peers) if peers else (None, "no peer")
        ratio_row(what, get(f"upexport.{metric}"), best[0], best[1], unit, budget, limit)

    # Startup and memory against the peers, and the floor.
    against_peers("time to first frame", "first_frame", "ms", "≤ 0.5x fastest peer", 0.5)
    ratio_row("time to first frame vs a bare ratatui app", get("upexport.first_frame"),
              get("floor.first_frame"), "floor", "ms", "(context)", None)
    against_peers("peak RSS (start, idle, typing)", "peak_rss", "MiB", "≤ 0.5x lighter peer", 0.5)

    # Idle and typing, absolute.
    def absolute(what, key, unit, budget, test):
        x = get(key)
        row(what, fmt(x, unit), "", "", budget, None if x is None else test(x))

    absolute("idle: bytes to the terminal in 5 s", "upexport.idle_bytes", "B", "0", lambda x: x == 0)
    absolute("idle: CPU in 5 s", "upexport.idle_cpu_sched", "ms", "< 1 ms", lambda x: x < 1)
    absolute("idle: wake-ups in 5 s", "upexport.idle_wakeups", "", "0", lambda x: x == 0)
    absolute("typing: bytes per character", "upexport.key_bytes", "B", "≤ 32 B", lambda x: x <= 32)
    absolute("typing: key to screen", "upexport.key_latency", "ms", "< 16.7 ms (a frame)", lambda x: x < 16.7)

    # 100,000 history entries.
    ratio_row("first frame, 100,000 entries", get("upexport_100k.first_frame"),
              get("upexport.first_frame"), "empty", "ms", "≤ 1.10x empty", 1.10)
    absolute("peak RSS, 100,000 entries", "upexport_100k.peak_rss", "MiB", "< 20 MiB", lambda x: x < 20)

    # Render and the history store (divan).
    big = get("divan.render.full_frame_200x60.100000")
    small = get("divan.render.full_frame_200x60.10")
    absolute("render 200x60, 100,000 entries", "divan.render.full_frame_200x60.100000", "ms", "< 1 ms",
             lambda x: x < 1)
    ratio_row("render: 100,000 vs 10 entries", big, small, "10", "ms", "≤ 1.10x", 1.10)
    # Ten entries fill a third of the pane, so that frame draws less; with
    # 100 the pane is full, as it is with 100,000.
    ratio_row("render: 100,000 vs 100 entries (pane full in both)", big,
              get("divan.render.full_frame_200x60.100"), "100", "ms", "≤ 1.10x", 1.10)
    absolute("history: open 1M rows + first page", "divan.history.open_and_first_page_1m", "ms", "< 50 ms",
             lambda x: x < 50)
    absolute("history: append a row (1M rows)", "divan.history.append_1m", "ms", "< 1 ms", lambda x: x < 1)

    # The CLI against curl.
    ratio_row("submit (wall time)", get("submit.upexport"), get("submit.curl"), "curl", "ms",
              "≤ 1.2x curl", 1.2)
    raw = get("download.raw_mb")
    up, cg = get("download.upexport"), get("download.curl_gunzip")
    if up and cg and raw:
        ours, theirs = raw / (up / 1000), raw / (cg / 1000)
        row(f"download {fmt(get('download.gz_mb'), 'MB')} gzip part ({fmt(raw, 'MB')} out)",
            fmt(ours, "MB/s"), f"{fmt(theirs, 'MB/s')} (curl \\| gunzip)", fmt(ours / theirs, "x"),
            "≥ 0.8x", ours / theirs >= 0.8)
    else:
        row("download 200 MB gzip part", "not measured", "", "", "≥ 0.8x", None)

    # Syncing a large gzip part into a local S3 server (bench-sync.sh).
    sraw = get("sync.raw_mb")
    sup, sref = get("sync.upexport.mbps"), get("sync.upload.mbps")
    if sraw and sup and sref:
        what = f"sync: {fmt(sraw / 1073.741824, 'GiB')} part x2 into S3 (moto)"
        row(f"{what}, throughput", fmt(sup, "MB/s"), f"{fmt(sref, 'MB/s')} (boto3 upload_file)",
            fmt(sup / sref, "x"), "≥ 0.8x", sup / sref >= 0.8)
        sst = get("sync.stream.mbps")
        if sst:
            ratio_row(f"{what}, vs boto3 streaming the link through gzip", sup, sst,
                      "boto3 upload_fileobj", "MB/s", "(context)", None)
        absolute(f"{what}, peak RSS", "sync.upexport.rss", "MiB", "< 64 MiB", lambda x: x < 64)
        ratio_row(f"{what}, CPU of the client (user + system)", get("sync.upexport.cpu_s"),
                  get("sync.upload.cpu_s"), "boto3 upload_file", "s", "(context)", None)
    else:
        row("sync: 2 GiB part into S3", "not measured", "", "", "≥ 0.8x, < 64 MiB", None)

    # Previewing the first page of a 1 GiB file (page cache warm).
    tiny_rss = get("preview.rss.tiny")
    for key, label in (("parquet", "Parquet"), ("ndjson_gz", "gzip NDJSON")):
        size = get(f"preview.size.{key}")
        what = f"preview: first 20 rows of a {fmt(size, 'GiB')} {label} file"
        absolute(what, f"preview.{key}", "ms", "< 100 ms", lambda x: x < 100)
        absolute(f"{what}, not in the page cache", f"preview.{key}_cold", "ms", "< 100 ms",
                 lambda x: x < 100)
        big_rss = get(f"preview.rss.{key}")
        extra = big_rss - tiny_rss if big_rss is not None and tiny_rss is not None else None
        row(f"preview: extra peak RSS, {label} (against a 2-line CSV)", fmt(extra, "MiB"),
            f"{fmt(tiny_rss, 'MiB')} (2-line CSV)" if tiny_rss is not None else "",
            "", "< 50 MiB", None if extra is None else extra < 50)
    absolute("preview: a 2-line CSV (the process itself)", "preview.tiny", "ms", "(context)",
             lambda x: None)

    print("| measure | upexport | reference | ratio | budget | met |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")

    # The peers' own numbers and the informational benches.
    print()
    print("| program | first frame | peak RSS | idle bytes | idle wake-ups |")
    print("|---|---|---|---|---|")
    for p in ["upexport", "upexport_100k", "floor"] + peers:
        print(f"| {p} | {fmt(get(p + '.first_frame'), 'ms')} | {fmt(get(p + '.peak_rss'), 'MiB')} | "
              f"{fmt(get(p + '.idle_bytes'), 'B')} | {fmt(get(p + '.idle_wakeups'))} |")
    extra = sorted(k for k in v if k.startswith("divan."))
    if extra:
        print()
        print("| bench (divan, median) | time |")
        print("|---|---|")
        for k in extra:
            print(f"| {k[len('divan.'):]} | {fmt(v[k], 'ms')} |")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "tui" and len(argv) == 4:
        tui(argv[2], argv[3])
    elif cmd == "hyperfine" and len(argv) == 4:
        hyperfine(argv[2], argv[3])
    elif cmd == "divan" and len(argv) == 4:
        divan(argv[2], argv[3])
    elif cmd == "maxrss" and len(argv) >= 4:
        maxrss(int(argv[2]), argv[3:])
    elif cmd == "table":
        table(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
