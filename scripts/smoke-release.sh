#!/usr/bin/env bash
# scripts/smoke-release.sh: a short smoke test of a built upexport binary
# (.ci/run runs it on the release binary, the one `cargo run --release`
# starts).
#
#   scripts/smoke-release.sh [BINARY]    (default: target/release/upexport)
#
# 1. `--version` names the version in Cargo.toml.
# 2. `submit --dry-run` prints the body with the fields given and a curl
#    line, and never the key.
# 3. `demo-server` on a free port of 127.0.0.1 answers a `submit`: the CLI
#    reports the created job, and `status` finds it on the server.
#
# Every command runs with an empty environment (env -i) and a throwaway
# HOME with the XDG directories inside it: nothing of the user's config,
# history or key is read or written. Nothing talks to anything but
# 127.0.0.1. Every wait is bounded, the demo server is stopped on every way
# out, and any problem exits non-zero with a line saying what failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BIN=${1:-target/release/upexport}
[[ $BIN == /* ]] || BIN=$ROOT/$BIN
# Seconds any one command may take; the demo server's whole life.
LIMIT=60
SERVER_LIMIT=120

fail() {
  echo "smoke-release.sh: FAIL: $*" >&2
  exit 1
}
[[ -x $BIN ]] || fail "no binary at $BIN (build it: cargo build --release --locked)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/upexport-smoke.XXXXXX")
SERVER_PID=
cleanup() {
  local status=$?
  if [[ -n $SERVER_PID ]]; then
    # `timeout` passes TERM on to the server; after 5 s, KILL its process
    # group (timeout leads one: itself and the server).
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "smoke-release.sh: the demo server did not stop on TERM; killing it" >&2
      kill -KILL -- "-$SERVER_PID" 2>/dev/null || kill -KILL "$SERVER_PID" 2>/dev/null || true
      status=1
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f $TMP/demo.out ]]; then
    echo "smoke-release.sh: the demo server's output:" >&2
    sed 's/^/  | /' "$TMP/demo.out" >&2
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

H=$TMP/home
mkdir -p "$H"
# up [VAR=VALUE…] ARGS…: the binary in the sandbox, at most LIMIT seconds.
up() {
  local vars=()
  while [[ $# -gt 0 && $1 == [A-Z_]*=* ]]; do
    vars+=("$1")
    shift
  done
  timeout -k 5 "$LIMIT" env -i PATH=/usr/bin:/bin HOME="$H" \
    XDG_CONFIG_HOME="$H/.config" XDG_STATE_HOME="$H/.local/state" \
    XDG_CACHE_HOME="$H/.cache" XDG_DATA_HOME="$H/.local/share" \
    TERM=dumb NO_COLOR=1 LANG=C.UTF-8 "${vars[@]}" "$BIN" "$@"
}
# The base URL of the commands that must not reach a server: a closed port.
CLOSED=http://127.0.0.1:9

# 1. --version -------------------------------------------------------------
want=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[[ -n $want ]] || fail "no version in Cargo.toml"
out=$(up --version) || fail "--version exited with $?"
[[ $out == "upexport $want"* ]] || fail "--version printed '$out', expected 'upexport $want…'"
echo "smoke: --version: $out"

# 2. submit --dry-run ------------------------------------------------------
KEY=smoke-not-a-key-5f3a9c
out=$(up USERPILOT_API_KEY=$KEY --base-url "$CLOSED" submit --dry-run \
  --from 2026-01-01 --to 2026-01-31 --email analyst@example.com \
  --event-type track --format csv 2>&1) || fail "submit --dry-run exited with $?: $out"
for want in '"from": "2026-01-01"' '"to": "2026-01-31"' '"analyst@example.com"' \
  '"track"' '"format": "csv"' "curl -sS -X POST '$CLOSED/api/v1/analytics/exports'"; do
  grep -qF -- "$want" <<<"$out" || fail "submit --dry-run: no $want in its output: $out"
done
if grep -qF -- "$KEY" <<<"$out"; then fail "submit --dry-run printed the API key"; fi
echo "smoke: submit --dry-run: body and curl line printed, key not shown"

# 3. the demo server answers a submit --------------------------------------
# `timeout` bounds the server's life even if this script is killed.
timeout -k 5 "$SERVER_LIMIT" env -i PATH=/usr/bin:/bin HOME="$H" \
  XDG_CONFIG_HOME="$H/.config" XDG_STATE_HOME="$H/.local/state" \
  "$BIN" demo-server --port 0 --job-seconds 1 >"$TMP/demo.out" 2>&1 &
SERVER_PID=$!
url=
for _ in $(seq 200); do # 20 s
  url=$(sed -n 's|^upexport demo server listening on \(http://127\.0\.0\.1:[0-9][0-9]*\)$|\1|p' "$TMP/demo.out")
  [[ -n $url ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the demo server exited before listening"
  sleep 0.1
done
[[ -n $url ]] || fail "the demo server did not say where it listens within 20 s"
key=$(sed -n 's/^key: \(.*\)$/\1/p' "$TMP/demo.out")
[[ -n $key ]] || fail "the demo server did not print its key"
echo "smoke: demo server listening on $url"

out=$(up USERPILOT_API_KEY="$key" --base-url "$url" submit \
  --from 2026-01-01 --to 2026-01-31 --email analyst@example.com --format csv 2>&1) \
  || fail "submit to the demo server exited with $?: $out"
job=$(sed -n 's/^created export job \([0-9a-f-]\{36\}\)$/\1/p' <<<"$out")
[[ -n $job ]] || fail "submit did not report a created job: $out"
echo "smoke: submit: created export job $job"

out=$(up USERPILOT_API_KEY="$key" --base-url "$url" status "$job" --json 2>&1) \
  || fail "status $job exited with $?: $out"
grep -qF "\"$job\"" <<<"$out" || fail "status $job: the job is not in the answer: $out"
echo "smoke: status: the demo server knows job $job"
echo "smoke: all passed ($BIN)"
