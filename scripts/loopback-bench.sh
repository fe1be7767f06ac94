#!/usr/bin/env bash
# hybi's echo_server against tungstenite's blocking echo server over
# loopback, driven by the same load client (examples/load_client.rs):
# binary messages of 16 B, 1 KiB, 64 KiB and 1 MiB, one at a time (round
# trip p50 and p99) and 64 in flight (messages per second), on 1 and 16
# connections. Server and client share one core (taskset -c 0).
#
#   scripts/loopback-bench.sh [SECONDS_PER_RUN]      # default 3
#
# A benchmark, not a test: the numbers depend on the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-3}
CORE=${CORE:-0}
target_dir=${CARGO_TARGET_DIR:-target}
bin="$target_dir/release/examples"

cargo build --release --quiet --features std \
  --example echo_server --example tungstenite_echo --example load_client

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# A port the OS reports free.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME VAR: starts the example NAME, pinned, on a free port, and sets
# VAR to the port once it accepts connections.
start() {
  local port
  port=$(free_port)
  taskset -c "$CORE" "$bin/$1" "127.0.0.1:$port" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf -v "$2" '%s' "$port"
      return
    fi
    sleep 0.1
  done
  echo "$1 did not start listening on $port" >&2
  exit 1
}

start echo_server hybi_port
start tungstenite_echo tung_port

# run PORT SIZE CONNECTIONS INFLIGHT: the load client's result line.
run() {
  timeout 120 taskset -c "$CORE" "$bin/load_client" "ws://127.0.0.1:$1/" \
    --size "$2" --connections "$3" --inflight "$4" --seconds "$SECONDS_PER_RUN"
}

# field NAME LINE
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; client and servers on core $CORE;" \
  "$SECONDS_PER_RUN s per run"
echo
echo "One message at a time: round trip in microseconds (ratio: tungstenite / hybi, above 1 = hybi faster)"
printf '%-6s %5s | %9s %9s | %9s %9s | %6s %6s\n' size conns "hybi p50" "hybi p99" "tung p50" "tung p99" "p50 x" "p99 x"
for conns in 1 16; do
  for size in 16 1024 65536 1048576; do
    h=$(run "$hybi_port" "$size" "$conns" 1)
    t=$(run "$tung_port" "$size" "$conns" 1)
    hp50=$(field p50_us "$h"); hp99=$(field p99_us "$h")
    tp50=$(field p50_us "$t"); tp99=$(field p99_us "$t")
    printf '%-6s %5s | %9s %9s | %9s %9s | %6s %6s\n' "$size" "$conns" "$hp50" "$hp99" "$tp50" "$tp99" \
      "$(ratio "$tp50" "$hp50")" "$(ratio "$tp99" "$hp99")"
  done
done
echo
echo "64 messages in flight per connection: messages per second (ratio: hybi / tungstenite)"
printf '%-6s %5s | %12s %12s | %6s\n' size conns hybi tungstenite "x"
for conns in 1 16; do
  for size in 16 1024 65536 1048576; do
    h=$(field msg_per_s "$(run "$hybi_port" "$size" "$conns" 64)")
    t=$(field msg_per_s "$(run "$tung_port" "$size" "$conns" 64)")
    printf '%-6s %5s | %12s %12s | %6s\n' "$size" "$conns" "$h" "$t" "$(ratio "$h" "$t")"
  done
done
