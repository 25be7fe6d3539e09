#!/usr/bin/env bash
# scripts/bench.sh: every measurement of BENCHMARKS.md in one run, printed
# as one table of budgets and ratios (issue #6).
#
#   scripts/bench.sh [--runs N] [--quick] [--no-divan] [--no-download] [--no-preview]
#                    [--no-sync] [--only-preview] [--only-sync]
#
#   --runs N       runs per terminal measurement (median reported; default 9)
#   --quick        small download part (~30 MB instead of ~200 MB), fewer
#                  command runs: a smoke test of the script, not the numbers
#   --no-divan     skip the divan benches (render, history, request/decode)
#   --no-download  skip the download comparison
#   --no-preview   skip the preview of the two 1 GiB files
#   --no-sync      skip the sync into a local S3 server (scripts/bench-sync.sh)
#   --only-preview only the preview (and the build)
#   --only-sync    only the sync (and the build)
#
# Environment:
#   TUI_COST   path of tui-cost.sh (default ../shared/tools/tui-cost.sh)
#   PEERS      directory with the peer apps' binaries `atac` and `slumber`
#              (default /tmp/peers/bin; install them with
#              cargo install --locked --root /tmp/peers atac slumber@5.4.0)
#
# Needs: cargo, python3, curl, gzip, hyperfine, GNU time as /usr/bin/time
# (Debian: apt-get install hyperfine time). Everything runs on this machine: the servers are upexport's
# demo server on 127.0.0.1; HOME and the XDG directories of every program
# point into target/bench, never at the user's own.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=9
QUICK=0
DIVAN=1
DOWNLOAD=1
PREVIEW=1
TERMINAL=1
SUBMIT=1
SYNC=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --no-divan) DIVAN=0; shift ;;
    --no-download) DOWNLOAD=0; shift ;;
    --no-preview) PREVIEW=0; shift ;;
    --no-sync) SYNC=0; shift ;;
    --only-preview) DIVAN=0; DOWNLOAD=0; TERMINAL=0; SUBMIT=0; SYNC=0; shift ;;
    --only-sync) DIVAN=0; DOWNLOAD=0; TERMINAL=0; SUBMIT=0; PREVIEW=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

TUI_COST=${TUI_COST:-$ROOT/../shared/tools/tui-cost.sh}
PEERS=${PEERS:-/tmp/peers/bin}
OUT=$ROOT/target/bench
RES=$OUT/results.tsv
REPORT=$ROOT/scripts/bench_report.py
mkdir -p "$OUT"
: > "$RES"
for tool in python3 curl gzip hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench.sh: needs $tool" >&2; exit 2; }
done

# cargo and rustup find their homes through HOME, which changes below.
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup} CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}

# The environment every upexport command here runs in: its own HOME and
# XDG directories (the history written by the submit runs lands here), no
# proxy, the demo server's key.
export HOME=$OUT/home XDG_CONFIG_HOME=$OUT/home/.config XDG_STATE_HOME=$OUT/home/.local/state \
  XDG_CACHE_HOME=$OUT/home/.cache XDG_DATA_HOME=$OUT/home/.local/share
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy USERPILOT_BASE_URL UPEXPORT_PROFILE
export USERPILOT_API_KEY=upexport-demo-key
rm -rf "$HOME"
mkdir -p "$HOME"

say() { printf '\n== %s\n' "$*" >&2; }
# record KEY VALUE: one measured value (numbers in ms, MiB, B or MB/s).
record() { printf '%s\t%s\n' "$1" "$2" >> "$RES"; }

say "building (release)"
# The binary on its own: built in one command with the examples, cargo would
# unify the dev-dependencies' features into its dependencies, and it would
# not be the binary `cargo build --release` makes.
cargo build --release --locked --bin upexport >&2
cargo build --release --locked --example fill_history --example floor --example big_files >&2
UP=$ROOT/target/release/upexport
# The list of functions run at start (assets/hot-text.ld) names generic
# instances by exact symbols, which change with any change to the code: the
# start-up numbers would be worse for it until the list is remade.
python3 scripts/hot_text.py check --exact "$UP" assets/hot-text.ld >&2 \
  || echo "bench.sh: warning: assets/hot-text.ld is stale; run scripts/hot-text.sh first" >&2

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# demo PORT ARGS…: start a demo server and wait until it answers.
demo() {
  local port=$1; shift
  "$UP" demo-server --port "$port" "$@" > "$OUT/demo-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.1
  done
  echo "bench.sh: the demo server on port $port did not start; see $OUT/demo-$port.log" >&2
  exit 1
}

# ---------------------------------------------------------------------------
# 1. The terminal: startup, idle, typing, memory (tui-cost.sh), upexport with
#    an empty history and with 100,000 entries, and the peers.
# tui NAME ARGS… -- COMMAND…: run the harness; record its medians as NAME.*
tui() {
  local name=$1; shift
  say "terminal: $name"
  "$TUI_COST" --runs "$RUNS" --warmup 1 "$@" | tee "$OUT/tui-$name.txt" >&2
  python3 "$REPORT" tui "$name" "$OUT/tui-$name.txt" >> "$RES"
}

if [[ $TERMINAL == 0 ]]; then
  :
elif [[ -x $TUI_COST ]]; then
  STORE=$OUT/history-100k.sqlite3
  [[ -f $STORE ]] || "$ROOT/target/release/examples/fill_history" "$STORE" 100000
  # A closed port: the form never waits on the network.
  UPX=(--env USERPILOT_API_KEY=bench --focus 'tab tab' --quit ctrl-c -- "$UP" --base-url http://127.0.0.1:9)
  tui upexport --marker "exports yet" "${UPX[@]}"
  tui upexport_100k --marker "#100000 " \
    --setup "mkdir -p {home}/.local/state/upexport && cp '$STORE' {home}/.local/state/upexport/history.sqlite3" \
    "${UPX[@]}"
  # The floor: a bare ratatui app on the same stack (examples/floor.rs).
  tui floor --keys 0 --marker "exports yet" --quit ctrl-c -- "$ROOT/target/release/examples/floor"
  if [[ -x $PEERS/atac ]]; then
    tui atac --keys 0 --quit ctrl-c --setup "mkdir -p {home}/atac" -- "$PEERS/atac" -d '{home}/atac'
  fi
  if [[ -x $PEERS/slumber ]]; then
    tui slumber --keys 0 --quit q \
      --setup "printf 'requests:\n  ping:\n    method: GET\n    url: http://127.0.0.1:9/\n' > {home}/work/slumber.yml" \
      -- "$PEERS/slumber"
  fi
else
  echo "bench.sh: $TUI_COST not found: terminal measurements skipped (set TUI_COST)" >&2
fi

# ---------------------------------------------------------------------------
# 2. The CLI against curl: one export created on the demo server.
if [[ $SUBMIT == 1 ]]; then
say "submit: upexport vs curl (hyperfine)"
SUBMIT_PORT=18377
demo "$SUBMIT_PORT" --job-seconds 0.05
BASE=http://127.0.0.1:$SUBMIT_PORT
BODY='{"from":"2026-01-01","to":"2026-01-31","emails":["analyst@example.com"],"format":"csv"}'
printf 'Authorization: Token %s\n' "$USERPILOT_API_KEY" > "$OUT/auth.header"
printf '%s' "$BODY" > "$OUT/body.json"
CMD_RUNS=$([[ $QUICK == 1 ]] && echo 10 || echo 40)
# The API runs one export at a time: each job takes 50 ms on this server,
# and each run waits 60 ms (untimed) before it.
hyperfine -N --warmup 5 --runs "$CMD_RUNS" --prepare "sleep 0.06" --export-json "$OUT/submit.json" \
  -n upexport "$UP submit --base-url $BASE --from 2026-01-01 --to 2026-01-31 --email analyst@example.com --format csv" \
  -n curl "curl -sS -o /dev/null --fail -X POST $BASE/api/v1/analytics/exports -H @$OUT/auth.header -H Content-Type:application/json -H Accept:application/json --data-binary @$OUT/body.json" >&2
python3 "$REPORT" hyperfine submit "$OUT/submit.json" >> "$RES"
fi

# ---------------------------------------------------------------------------
# 3. Downloading a large gzip part: upexport against curl | gunzip.
if [[ $DOWNLOAD == 1 ]]; then
  REPS=$([[ $QUICK == 1 ]] && echo 2 || echo 14)
  PART=$OUT/part-$REPS.ndjson.gz
  if [[ ! -f $PART ]]; then
    say "making the part (once): $REPS x two demo parts of 100,000 rows, gzip -6"
    GEN_PORT=18378
    demo "$GEN_PORT" --job-seconds 0.05 --rows-per-part 100000
    rm -rf "$OUT/gen" && mkdir -p "$OUT/gen"
    "$UP" submit --base-url "http://127.0.0.1:$GEN_PORT" --from 2026-01-01 --to 2026-01-31 \
      --format ndjson --wait --download "$OUT/gen" >&2
    # Downloads go into DIR/<job id>/ (one job here).
    for _ in $(seq "$REPS"); do cat "$OUT"/gen/*/part-*.ndjson; done | gzip -6 > "$PART.tmp"
    mv "$PART.tmp" "$PART"
    rm -rf "$OUT/gen"
  fi
  GZ_MB=$(python3 -c "import os,sys;print(round(os.path.getsize(sys.argv[1])/1e6,1))" "$PART")
  say "download: upexport vs curl | gunzip, a $GZ_MB MB gzip part"
  DL_PORT=18379
  demo "$DL_PORT" --job-seconds 0.05 --part-file "$PART"
  DL_BASE=http://127.0.0.1:$DL_PORT
  JOB=$("$UP" submit --base-url "$DL_BASE" --from 2026-01-01 --to 2026-01-02 --wait --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["job_id"])')
  URL=$("$UP" status "$JOB" --base-url "$DL_BASE" --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["files"][0]["url"])')
  mkdir -p "$OUT/dl/up"
  DL_RUNS=$([[ $QUICK == 1 ]] && echo 2 || echo 5)
  hyperfine --warmup 1 --runs "$DL_RUNS" --export-json "$OUT/download.json" \
    -n upexport "$UP download $JOB --base-url $DL_BASE --only 1 --out $OUT/dl/up --overwrite" \
    -n curl_gunzip "curl -sS --fail '$URL' | gunzip > $OUT/dl/curl.ndjson" \
    -n curl_only "curl -sS --fail -o /dev/null '$URL'" >&2
  RAW=$(stat -c %s "$OUT/dl/curl.ndjson")
  cmp -s "$OUT/dl/curl.ndjson" "$OUT/dl/up/$JOB/part-0001.ndjson" \
    || { echo "bench.sh: upexport's file differs from curl | gunzip's" >&2; exit 1; }
  record download.gz_mb "$GZ_MB"
  record download.raw_mb "$(python3 -c "print(round($RAW / 1e6, 1))")"
  python3 "$REPORT" hyperfine download "$OUT/download.json" >> "$RES"
  rm -rf "$OUT/dl"
fi

# ---------------------------------------------------------------------------
# 4. The divan benches: render, history store, request building, decoding.
if [[ $DIVAN == 1 ]]; then
  say "divan benches"
  for b in render history api; do
    cargo bench --locked --bench "$b" 2>&1 | tee "$OUT/divan-$b.txt" >&2
    python3 "$REPORT" divan "$b" "$OUT/divan-$b.txt" >> "$RES"
  done
fi

# ---------------------------------------------------------------------------
# 5. Previewing the first page of a 1 GiB Parquet file and of a 1 GiB gzip
#    NDJSON file (examples/big_files.rs writes them once, into target/bench/
#    preview/, never checked in): `upexport preview FILE` (20 rows) against
#    a 2-line CSV, wall time (hyperfine; page cache warm, then cold) and
#    peak RSS (GNU time).
if [[ $PREVIEW == 1 ]]; then
  BIG=$OUT/preview
  say "preview: making the 1 GiB files (once, in $BIG)"
  "$ROOT/target/release/examples/big_files" "$BIG" >&2
  printf 'a,b\n1,2\n' > "$BIG/tiny.csv"
  say "preview: the first page of each (hyperfine, peak RSS)"
  PRUNS=$([[ $QUICK == 1 ]] && echo 10 || echo 30)
  hyperfine -N --warmup 3 --runs "$PRUNS" --export-json "$OUT/preview.json" \
    -n parquet "$UP preview $BIG/big.parquet" \
    -n ndjson_gz "$UP preview $BIG/big.ndjson.gz" \
    -n tiny "$UP preview $BIG/tiny.csv" >&2
  python3 "$REPORT" hyperfine preview "$OUT/preview.json" >> "$RES"
  # Cold: the file's pages dropped from the page cache before each run
  # (posix_fadvise DONTNEED on that file only; the rest of the cache stays).
  evict() { echo "python3 -c 'import os; os.posix_fadvise(os.open(\"$1\", os.O_RDONLY), 0, 0, os.POSIX_FADV_DONTNEED)'"; }
  hyperfine -N --runs "$PRUNS" --export-json "$OUT/preview-cold.json" \
    --prepare "$(evict "$BIG/big.parquet")" -n parquet_cold "$UP preview $BIG/big.parquet" \
    --prepare "$(evict "$BIG/big.ndjson.gz")" -n ndjson_gz_cold "$UP preview $BIG/big.ndjson.gz" >&2
  python3 "$REPORT" hyperfine preview "$OUT/preview-cold.json" >> "$RES"
  for f in parquet:big.parquet ndjson_gz:big.ndjson.gz tiny:tiny.csv; do
    record "preview.rss.${f%%:*}" "$(python3 "$REPORT" maxrss 9 "$UP" preview "$BIG/${f#*:}")"
  done
  for f in parquet:big.parquet ndjson_gz:big.ndjson.gz; do
    record "preview.size.${f%%:*}" "$(python3 -c "import os,sys;print(round(os.path.getsize(sys.argv[1])/2**30,2))" "$BIG/${f#*:}")"
  done
fi

# ---------------------------------------------------------------------------
# 6. `upexport sync` streaming a 2 GiB part (inflated size; two parts a day)
#    from the demo server into a local S3 server (moto), against boto3
#    uploading the same bytes to the same server: throughput and peak RSS.
#    --quick: a 256 MiB part and one round.
if [[ $SYNC == 1 ]]; then
  if [[ $QUICK == 1 ]]; then SYNC_ARGS=(--part-mib 256 --runs 1); else SYNC_ARGS=(--runs 3); fi
  UP=$UP OUT=$OUT RES=$RES "$ROOT/scripts/bench-sync.sh" "${SYNC_ARGS[@]}"
fi

say "table"
python3 "$REPORT" table "$RES" | tee "$OUT/table.md"
