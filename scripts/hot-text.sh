#!/usr/bin/env bash
# scripts/hot-text.sh: regenerate assets/hot-text.ld, the list of functions
# the TUI runs at start, which build.rs hands to the linker so that they sit
# together at the start of the text segment (BENCHMARKS.md, "What was changed").
#
#   scripts/hot-text.sh
#
# It builds the release binary, runs it under valgrind's callgrind in tmux
# through the start of the TUI (with 1,000 history entries, then with none:
# wait for the form, Tab Tab, type a few words, Ctrl-C) and writes every
# function that ran, in that order. Run it again after a change to what the
# TUI does at start, or after a toolchain update; a stale list still links
# and works, it only keeps more pages resident.
#
# Needs: cargo, python3, valgrind, tmux. Nothing here talks to a network:
# the base URL is a closed port on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
for tool in python3 valgrind tmux nm; do
  command -v "$tool" >/dev/null || { echo "hot-text.sh: needs $tool" >&2; exit 2; }
done
OUT=$ROOT/target/hot-text
rm -rf "$OUT" && mkdir -p "$OUT"
# The example on its own: built together, the dev-dependencies' features
# would change the binary's dependencies (and every symbol's hash).
cargo build --release --locked --example fill_history >&2
# Profile a binary linked without the list: valgrind attributes code in a
# section other than .text to no object.
UPEXPORT_NO_HOT_TEXT=1 cargo build --release --locked --bin upexport >&2
UP=$ROOT/target/release/upexport
SESSION=upexport-hot-text-$$
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true' EXIT

# profile NAME MARKER: one callgrind run of the TUI in a home of its own.
profile() {
  local name=$1 marker=$2 home=$OUT/home-$1
  cat > "$OUT/run-$name.sh" <<EOF
#!/bin/sh
exec env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME=$home USERPILOT_API_KEY=hot-text \
  valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=$OUT/$name.callgrind \
  --log-file=$OUT/$name.valgrind.log $UP --base-url http://127.0.0.1:9
EOF
  chmod +x "$OUT/run-$name.sh"
  tmux new-session -d -s "$SESSION" -x 120 -y 40 "$OUT/run-$name.sh"
  wait_for "$marker"
  tmux send-keys -t "$SESSION" Tab Tab
  tmux send-keys -t "$SESSION" -l "hello world"
  wait_for "hello world"
  tmux send-keys -t "$SESSION" C-c
  for _ in $(seq 600); do
    tmux has-session -t "$SESSION" 2>/dev/null || break
    sleep 0.1
  done
  [[ -s $OUT/$name.callgrind ]] || { echo "hot-text.sh: no profile from $name; see $OUT/$name.valgrind.log" >&2; exit 1; }
}

# wait_for TEXT: until the pane shows TEXT (60 s at most: valgrind is slow).
wait_for() {
  for _ in $(seq 600); do
    tmux capture-pane -p -t "$SESSION" 2>/dev/null | grep -qF "$1" && return 0
    sleep 0.1
  done
  echo "hot-text.sh: the TUI never showed '$1'" >&2
  exit 1
}

mkdir -p "$OUT/home-history/.local/state/upexport" "$OUT/home-empty"
"$ROOT/target/release/examples/fill_history" "$OUT/home-history/.local/state/upexport/history.sqlite3" 1000
profile history "#1000 "
profile empty "exports yet"
python3 scripts/hot_text.py "$UP" assets/hot-text.ld "$OUT/history.callgrind" "$OUT/empty.callgrind"
# Link again with the new list.
cargo build --release --locked --bin upexport >&2
