#!/usr/bin/env python3
"""Helpers of scripts/bench-sync.sh: the data, the reference client (boto3)
and the bookkeeping of the sync benchmark. Everything talks to 127.0.0.1
only: the S3 endpoint comes from AWS_ENDPOINT_URL, which the script sets to
its moto server, and the download link is the demo server's.

  bench_sync.py make RAW MIB PART...   RAW: whole NDJSON lines of PART...
                                        repeated up to MIB MiB
  bench_sync.py reset BUCKET           create BUCKET, empty it (and abort
                                        unfinished multipart uploads)
  bench_sync.py upload FILE KEY...     boto3 upload_file FILE to each KEY;
                                        prints the seconds the uploads took
  bench_sync.py stream URL KEY...      boto3 upload_fileobj of the link's
                                        gzip content, inflated on the way;
                                        prints the seconds
  bench_sync.py stamp FILE             stdin to FILE, lines time-stamped
  bench_sync.py phase FILE WALL        seconds from the job's completion
                                        (a stamped line) to the end
  bench_sync.py check BUCKET PREFIX RAW PARTS
                                        upexport's objects are RAW's bytes
                                        (size, and the manifest's SHA-256)
  bench_sync.py summary RUNS RAW_B GZ_B medians of runs.tsv as sync.* lines
  bench_sync.py timev FILE             wall seconds and peak RSS (MiB) of
                                        a `/usr/bin/time -v` report
  bench_sync.py cpu FILE               its CPU seconds (user + system)
"""
import gzip
import hashlib
import json
import os
import re
import sys
import time


def client():
    import boto3
    # boto3 reads AWS_ENDPOINT_URL, the keys and the region from the
    # environment, as upexport does.
    return boto3.client("s3")


def make(raw, mib, parts):
    target = int(mib) * 2**20
    lines = []
    for p in parts:
        with open(p, "rb") as f:
            lines.extend(f.readlines())
    if not lines:
        sys.exit("bench_sync.py make: the demo parts are empty")
    size = 0
    with open(raw + ".tmp", "wb") as out:
        while True:
            for line in lines:
                if size + len(line) > target:
                    break
                out.write(line)
                size += len(line)
            else:
                continue
            break
    os.replace(raw + ".tmp", raw)


def reset(bucket):
    s3 = client()
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=o["Key"])
    ups = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    for u in ups:
        s3.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])


def upload(path, keys):
    s3 = client()
    t = time.monotonic()
    for key in keys:
        bucket, _, name = key.partition("/")
        s3.upload_file(path, bucket, name)
    print(f"{time.monotonic() - t:.2f}")


class Unseekable:
    """A stream boto3 cannot seek (GzipFile says it can, then fails): it
    uploads it as it reads, 8 MiB at a time."""

    def __init__(self, f):
        self.read = f.read


def stream(url, keys):
    import urllib.request
    s3 = client()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    t = time.monotonic()
    for key in keys:
        bucket, _, name = key.partition("/")
        with opener.open(url) as resp:
            s3.upload_fileobj(Unseekable(gzip.GzipFile(fileobj=resp)), bucket, name)
    print(f"{time.monotonic() - t:.2f}")


def stamp(path):
    """Copy stdin to PATH, each line after the seconds since this started
    (started with the command whose stderr it reads)."""
    t = time.monotonic()
    with open(path, "w") as out:
        for line in sys.stdin:
            out.write(f"{time.monotonic() - t:.3f} {line}")


def phase(path, wall):
    """The seconds from the stamped line that says the job completed to the
    end of the command (WALL seconds): upexport's streaming of the parts,
    the manifest and the history record, without the export job's wait."""
    for line in open(path):
        at, _, text = line.partition(" ")
        if re.search(r": completed\b", text):
            print(f"{float(wall) - float(at):.2f}")
            return
    sys.exit(f"bench_sync.py phase: no line saying the job completed in {path}")


def check(bucket, prefix, raw, parts):
    s3 = client()
    size = os.path.getsize(raw)
    h = hashlib.sha256()
    with open(raw, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    want = h.hexdigest()
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(page.get("Contents", []))
    data = [o for o in keys if "/part-" in o["Key"]]
    manifests = [o for o in keys if o["Key"].endswith("manifest.json")]
    if len(data) != int(parts) or len(manifests) != 1:
        sys.exit(f"bench_sync.py check: expected {parts} parts and a manifest, found {[o['Key'] for o in keys]}")
    for o in data:
        if o["Size"] != size:
            sys.exit(f"bench_sync.py check: {o['Key']} has {o['Size']} bytes, not {size}")
    body = s3.get_object(Bucket=bucket, Key=manifests[0]["Key"])["Body"].read()
    text = json.dumps(json.loads(body))
    found = re.findall(r'"sha256": "([0-9a-f]{64})"', text)
    if not found or any(x != want for x in found):
        sys.exit(f"bench_sync.py check: the manifest's SHA-256 {found} is not the part's {want}")


def summary(path, raw, gz):
    """Medians of runs.tsv's rounds as `sync.*` results: MB/s of inflated
    bytes written (two parts) over the transfer, seconds of the transfer
    and of the whole command, peak RSS (MiB)."""
    import statistics
    rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
    raw, gz = int(raw), int(gz)
    print(f"sync.raw_mb\t{raw / 1e6:.1f}")
    print(f"sync.gz_mb\t{gz / 1e6:.1f}")
    print(f"sync.rounds\t{sum(1 for r in rows if r[0] == 'upexport')}")
    for name in ("upexport", "compare", "upload", "stream"):
        mine = [r for r in rows if r[0] == name]
        if not mine:
            continue
        def med(i):
            return statistics.median(float(r[i]) for r in mine)
        print(f"sync.{name}.mbps\t{2 * raw / 1e6 / med(3):.1f}")
        print(f"sync.{name}.transfer_s\t{med(3):.2f}")
        print(f"sync.{name}.whole_s\t{med(1):.2f}")
        print(f"sync.{name}.rss\t{med(2):.1f}")
        if all(len(r) > 4 for r in mine):
            print(f"sync.{name}.cpu_s\t{med(4):.2f}")


def gnu_time(path, cmd):
    """Wall seconds, peak RSS (MiB) and CPU seconds (user + system) of a
    GNU time -v report."""
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([0-9.]+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    user = re.search(r"User time \(seconds\): ([0-9.]+)", text)
    system = re.search(r"System time \(seconds\): ([0-9.]+)", text)
    if not (wall and rss and user and system):
        sys.exit(f"bench_sync.py {cmd}: no GNU time report in {path}")
    secs = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return secs, int(rss.group(1)) / 1024, float(user.group(1)) + float(system.group(1))


def timev(path):
    secs, rss, _ = gnu_time(path, "timev")
    print(f"{secs:.2f}\t{rss:.1f}")


def cpu(path):
    print(f"{gnu_time(path, 'cpu')[2]:.2f}")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "make":
        make(args[0], args[1], args[2:])
    elif cmd == "reset":
        reset(args[0])
    elif cmd == "upload":
        upload(args[0], args[1:])
    elif cmd == "stream":
        stream(args[0], args[1:])
    elif cmd == "check":
        check(*args)
    elif cmd == "stamp":
        stamp(args[0])
    elif cmd == "phase":
        phase(args[0], args[1])
    elif cmd == "summary":
        summary(*args)
    elif cmd == "timev":
        timev(args[0])
    elif cmd == "cpu":
        cpu(args[0])
    else:
        sys.exit(f"bench_sync.py: unknown command {cmd}")
