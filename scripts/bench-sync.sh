#!/usr/bin/env bash
# scripts/bench-sync.sh: `upexport sync` streaming a large gzip part from
# the demo server into a local S3 server (moto), against a reference client
# (boto3) uploading the same bytes to the same server in the same run; peak
# RSS and throughput (issue #16). scripts/bench.sh runs it as its section 6.
#
#   scripts/bench-sync.sh [--runs N] [--part-mib N] [--no-stream-ref] [--compare BIN]
#
#   --runs N          rounds (default 3); medians reported
#   --part-mib N      the part's size once inflated (default 2048: 2 GiB)
#   --no-stream-ref   leave out the second reference (boto3 streaming the
#                     link through gzip, the same work as upexport's)
#   --compare BIN     another upexport binary (e.g. a build of the commit
#                     before a change) measured in the same rounds, as
#                     `compare`
#
# A round (each timed whole, process start to exit, by GNU time -v):
#   upexport    `upexport sync` of one day: submit, follow the job, stream
#               its two parts (the demo server serves the same part for
#               both) through gzip inflate and the SHA-256/line tally into
#               two S3 multipart uploads, then the manifest; its objects are
#               checked against the part's bytes afterwards
#   upload      boto3 `upload_file` of the inflated part (on disk, page
#               cache warm) to two keys: the same bytes, no download, no
#               inflate (boto3's default TransferConfig: 8 MiB parts, 10
#               threads)
#   stream      boto3 `upload_fileobj` of the link's content through
#               Python's gzip, twice (what upexport does, less the tally)
# The bucket is emptied and upexport's state removed before each command.
#
# Called by bench.sh with UP (the binary), OUT and RES set. Alone it builds
# the release binary and uses target/bench/ with its own HOME. Needs python3,
# curl, gzip, GNU time as /usr/bin/time; moto_server and boto3 are installed
# with pip when missing. Nothing leaves 127.0.0.1: both servers listen there,
# the AWS_* variables point boto3 and upexport at moto, and the instance
# metadata service is switched off.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=3
MIB=2048
STREAM_REF=1
COMPARE=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --part-mib) MIB=$2; shift 2 ;;
    --no-stream-ref) STREAM_REF=0; shift ;;
    --compare) COMPARE=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) echo "bench-sync.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

OUT=${OUT:-$ROOT/target/bench}
RES=${RES:-$OUT/sync-results.tsv}
PY=$ROOT/scripts/bench_sync.py
SYNC=$OUT/sync
mkdir -p "$SYNC"
say() { printf '\n== %s\n' "$*" >&2; }
record() { printf '%s\t%s\n' "$1" "$2" >> "$RES"; }

for tool in python3 curl gzip /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench-sync.sh: needs $tool" >&2; exit 2; }
done
if ! command -v moto_server >/dev/null || ! python3 -c 'import boto3' 2>/dev/null; then
  say "installing moto[server] and boto3 (pip)"
  python3 -m pip install -q 'moto[server]' boto3 >&2
fi

if [[ -z ${UP:-} ]]; then
  export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup} CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
  say "building (release)"
  cargo build --release --locked --bin upexport >&2
  UP=$ROOT/target/release/upexport
  export HOME=$SYNC/home XDG_CONFIG_HOME=$SYNC/home/.config XDG_STATE_HOME=$SYNC/home/.local/state \
    XDG_CACHE_HOME=$SYNC/home/.cache XDG_DATA_HOME=$SYNC/home/.local/share
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy USERPILOT_BASE_URL UPEXPORT_PROFILE
  export USERPILOT_API_KEY=upexport-demo-key
  rm -rf "$HOME" && mkdir -p "$HOME"
fi
# S3 is moto on 127.0.0.1, for upexport (object_store reads these) and for
# boto3 alike; no profile files, no instance metadata service.
MOTO_PORT=18391
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
  AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT AWS_ALLOW_HTTP=true \
  AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN

SPIDS=()
stop_all() { for p in "${SPIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_all EXIT
# wait_http URL NAME LOG: until URL answers.
wait_http() {
  for _ in $(seq 150); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "bench-sync.sh: $2 did not start; see $3" >&2
  exit 1
}

# The part: whole NDJSON lines of the demo server's rows up to MIB MiB,
# gzip -6; made once and kept in target/bench/sync (never checked in).
RAW=$SYNC/part-${MIB}m.ndjson
GZ=$RAW.gz
if [[ ! -f $GZ ]]; then
  say "making the part (once): $MIB MiB of demo NDJSON rows, gzip -6"
  GEN_PORT=18392
  "$UP" demo-server --port "$GEN_PORT" --job-seconds 0.05 --rows-per-part 100000 \
    > "$SYNC/demo-gen.log" 2>&1 &
  GEN_PID=$!
  SPIDS+=("$GEN_PID")
  wait_http "http://127.0.0.1:$GEN_PORT/" "the demo server" "$SYNC/demo-gen.log"
  rm -rf "$SYNC/gen" && mkdir -p "$SYNC/gen"
  "$UP" submit --base-url "http://127.0.0.1:$GEN_PORT" --from 2026-01-01 --to 2026-01-31 \
    --format ndjson --wait --download "$SYNC/gen" >&2
  kill "$GEN_PID"
  python3 "$PY" make "$RAW" "$MIB" "$SYNC"/gen/*/part-*.ndjson
  gzip -6 -c "$RAW" > "$GZ.tmp"
  mv "$GZ.tmp" "$GZ"
  rm -rf "$SYNC/gen"
fi
[[ -f $RAW ]] || gzip -dc "$GZ" > "$RAW"
RAW_B=$(stat -c %s "$RAW")
GZ_B=$(stat -c %s "$GZ")

say "starting moto_server and the demo server (127.0.0.1)"
moto_server -H 127.0.0.1 -p "$MOTO_PORT" > "$SYNC/moto.log" 2>&1 &
SPIDS+=($!)
wait_http "$AWS_ENDPOINT_URL/" "moto_server" "$SYNC/moto.log"
DEMO_PORT=18393
"$UP" demo-server --port "$DEMO_PORT" --job-seconds 0.05 --part-file "$GZ" > "$SYNC/demo.log" 2>&1 &
SPIDS+=($!)
BASE=http://127.0.0.1:$DEMO_PORT
wait_http "$BASE/" "the demo server" "$SYNC/demo.log"

# One sync of one day: yesterday in UTC, the last complete day.
DAY=$(date -u -d yesterday +%F)
mkdir -p "$XDG_CONFIG_HOME/upexport"
cat > "$XDG_CONFIG_HOME/upexport/config.toml" <<EOF
[sync.bench]
start = "$DAY"
destination = "s3://bench/lake"
format = "ndjson"
EOF
chmod 600 "$XDG_CONFIG_HOME/upexport/config.toml"
# A download link of the part, for the streaming reference.
JOB=$("$UP" submit --base-url "$BASE" --from 2026-01-01 --to 2026-01-02 --wait --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["job_id"])')
URL=$("$UP" status "$JOB" --base-url "$BASE" --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["files"][0]["url"])')

# timed NAME COMMAND…: one run, timed whole by GNU time, its stderr lines
# time-stamped. Appends "NAME<TAB>whole s<TAB>peak MiB<TAB>transfer s<TAB>
# CPU s (user + system)" to runs.tsv: the transfer is upexport's phase after its job completed, or
# the seconds the reference printed for its uploads.
timed() {
  local name=$1; shift
  python3 "$PY" reset bench
  rm -f "$SYNC/failed"
  { /usr/bin/time -v -o "$SYNC/time.txt" "$@" 2>&1 > "$SYNC/$name.out" \
      || touch "$SYNC/failed"; } | python3 "$PY" stamp "$SYNC/$name.err"
  if [[ -f $SYNC/failed ]]; then
    echo "bench-sync.sh: $name failed:" >&2; cat "$SYNC/$name.err" >&2; exit 1
  fi
  local whole transfer
  whole=$(python3 "$PY" timev "$SYNC/time.txt")
  if [[ $name == upexport || $name == compare ]]; then
    transfer=$(python3 "$PY" phase "$SYNC/$name.err" "${whole%%$'\t'*}")
  else
    transfer=$(tail -1 "$SYNC/$name.out")
  fi
  local cpu
  cpu=$(python3 "$PY" cpu "$SYNC/time.txt")
  printf '%s\t%s\t%s\t%s\n' "$name" "$whole" "$transfer" "$cpu" | tee -a "$SYNC/runs.tsv" >&2
}

say "sync: $(python3 -c "print(round($RAW_B/2**30, 2))") GiB part ($((GZ_B / 1000000)) MB gzip), two parts a day, $RUNS rounds"
: > "$SYNC/runs.tsv"
for r in $(seq "$RUNS"); do
  say "round $r of $RUNS"
  rm -rf "$XDG_STATE_HOME/upexport"
  timed upexport "$UP" sync bench --base-url "$BASE" --json
  python3 "$PY" check bench lake/bench/ "$RAW" 2
  if [[ -n $COMPARE ]]; then
    rm -rf "$XDG_STATE_HOME/upexport"
    timed compare "$COMPARE" sync bench --base-url "$BASE" --json
    python3 "$PY" check bench lake/bench/ "$RAW" 2
  fi
  timed upload python3 "$PY" upload "$RAW" bench/ref/part-0001.ndjson bench/ref/part-0002.ndjson
  if [[ $STREAM_REF == 1 ]]; then
    timed stream python3 "$PY" stream "$URL" bench/ref/part-0001.ndjson bench/ref/part-0002.ndjson
  fi
done
python3 "$PY" reset bench
python3 "$PY" summary "$SYNC/runs.tsv" "$RAW_B" "$GZ_B" >> "$RES"
say "sync results"
grep '^sync\.' "$RES" >&2
