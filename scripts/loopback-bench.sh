#!/usr/bin/env bash
# hybi's echo_server against tungstenite's blocking echo server
# (dev/examples/tungstenite_echo.rs) over loopback, driven by the same load
# client (examples/load_client.rs):
# binary messages of 16 B, 1 KiB, 64 KiB and 1 MiB, one at a time (round
# trip p50 and p99) and 64 in flight (messages per second), on 1 and 16
# connections. Server and client share one core (taskset -c $CORE, default
# 0). hybi's echo_server also runs over TLS (`--tls`, feature tls, with a
# throwaway CA from the tls_certs example; load_client over wss:// with
# --ca), in the same rounds: the wss columns. A second table gives the
# server's CPU time (user and system, from /proc/PID/stat) per message it
# echoed: the messages still in flight at the end of a run are echoed too
# and counted.
#
#   scripts/loopback-bench.sh [SECONDS_PER_RUN] [ROUNDS] [--update-doc]   # default 3 and 3
#   SIZES="65536 1048576" scripts/loopback-bench.sh                      # some sizes only
#
# Each round runs every case against both servers, one right after the
# other, so both see the same load on the machine; the table gives the
# median over the rounds of each value and of each round's ratio. Three
# rounds of 3 s take about 10 minutes. --update-doc also writes the table
# into its section of scripts/measurements.md.
#
# A benchmark, not a test: the numbers depend on the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/bench-common.sh
bench_args "$@"
SECONDS_PER_RUN=${args[0]:-3}
ROUNDS=${args[1]:-3}
CORE=${CORE:-0}
SIZES=${SIZES:-16 1024 65536 1048576}

cargo build --release --quiet --features tls --example echo_server --example load_client
# tungstenite's server and the throwaway-certificate maker are in the
# hybi-dev package (dev/examples/), which shares the workspace's target
# directory.
cargo build --release --quiet -p hybi-dev --example tungstenite_echo --example tls_certs

results=$(mktemp)
table=$(mktemp)
certs=$(mktemp -d)
"$bin/tls_certs" "$certs" >/dev/null
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -f "$results" "$table"
  rm -rf "$certs"
}
trap cleanup EXIT

# start NAME PORT_VAR PID_VAR [ARGS...]: starts the example NAME, pinned,
# on a free port, and sets PORT_VAR to the port once it accepts connections
# and PID_VAR to its process id.
start() {
  local port
  port=$(free_port)
  taskset -c "$CORE" "$bin/$1" "127.0.0.1:$port" "${@:4}" >/dev/null 2>&1 &
  pids+=($!)
  printf -v "$3" '%s' "$!"
  wait_listening "$1" "$port"
  printf -v "$2" '%s' "$port"
}

start echo_server hybi_port hybi_pid
start tungstenite_echo tung_port tung_pid
start echo_server tls_port tls_pid --tls "$certs/cert.pem" "$certs/key.pem"

clock_ticks=$(getconf CLK_TCK)

# cpu_ticks PID: the process's user and system time so far, threads that
# ended included, in clock ticks (fields 14 and 15 of /proc/PID/stat,
# counted after the command name, which ends with the last ')').
cpu_ticks() {
  sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# run URL PID SIZE CONNECTIONS INFLIGHT: the load client's result line,
# with the CPU seconds the server process PID spent during the run.
run() {
  local before line
  before=$(cpu_ticks "$2")
  line=$(timeout 120 taskset -c "$CORE" "$bin/load_client" "$1" --ca "$certs/ca.pem" \
    --size "$3" --connections "$4" --inflight "$5" --seconds "$SECONDS_PER_RUN")
  echo "$line server_cpu_s=$(awk -v t=$(($(cpu_ticks "$2") - before)) -v hz="$clock_ticks" \
    'BEGIN { printf "%.3f", t / hz }')"
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS" >&2
  for inflight in 1 64; do
    for conns in 1 16; do
      for size in $SIZES; do
        # Assigned first, so that a failed run stops the script (set -e).
        h=$(run "ws://127.0.0.1:$hybi_port/" "$hybi_pid" "$size" "$conns" "$inflight")
        t=$(run "ws://127.0.0.1:$tung_port/" "$tung_pid" "$size" "$conns" "$inflight")
        s=$(run "wss://localhost:$tls_port/" "$tls_pid" "$size" "$conns" "$inflight")
        printf 'hybi %s\ntungstenite %s\nwss %s\n' "$h" "$t" "$s" >>"$results"
      done
    done
  done
done

{
  echo "$(machine); client and servers on core $CORE;" \
    "$SECONDS_PER_RUN s per run; median of $ROUNDS rounds; tungstenite" \
    "$(crate_version tungstenite)."
  echo
  python3 - "$results"
} >"$table" <<'EOF'
import statistics, sys

# (server, size, connections, inflight) -> one {field: value} per round
runs = {}
for line in open(sys.argv[1]):
    server, *fields = line.split()
    kv = dict(f.split("=", 1) for f in fields)
    key = (server, int(kv["size"]), int(kv["connections"]), int(kv["inflight"]))
    runs.setdefault(key, []).append(kv)

def value(kv, field):
    if field == "cpu_us":
        # The server's CPU time per message it echoed.
        return float(kv["server_cpu_s"]) * 1e6 / int(kv["echoed"])
    return float(kv[field])

def values(server, case, field):
    return [value(kv, field) for kv in runs[(server,) + case]]

def median(server, case, field):
    return statistics.median(values(server, case, field))

def ratio(case, field, higher_is_better):
    """The median of the rounds' ratios, each of two adjacent runs; above 1
    means hybi is ahead."""
    pairs = zip(values("hybi", case, field), values("tungstenite", case, field))
    ratios = [h / t if higher_is_better else t / h for h, t in pairs if h > 0 and t > 0]
    return f"{statistics.median(ratios):.2f}x" if ratios else "-"

def size_name(size):
    if size >= 1 << 20:
        return f"{size >> 20} MiB"
    return f"{size >> 10} KiB" if size >= 1024 else f"{size} B"

def number(x):
    if x < 10:
        return f"{x:.2f}"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"

def pair(case, field):
    return f"{number(median('hybi', case, field))} / {number(median('tungstenite', case, field))}"

def over_ws(case, field, higher_is_better):
    """The median of the rounds' wss / ws ratios (above 1, wss is ahead)."""
    pairs = zip(values("wss", case, field), values("hybi", case, field))
    ratios = [s / h if higher_is_better else h / s for s, h in pairs if h > 0 and s > 0]
    return f"{statistics.median(ratios):.2f}x" if ratios else "-"

cases = sorted({key[1:3] for key in runs}, key=lambda c: (c[1], c[0]))
print("| size | connections | p50 hybi / tungstenite (us) | p99 hybi / tungstenite (us) "
      "| p50, p99 ratio | 64 in flight: hybi / tungstenite (msg/s) | ratio "
      "| wss p50 (us) | 64 in flight: wss (msg/s) | wss / ws |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for size, conns in cases:
    one, many = (size, conns, 1), (size, conns, 64)
    wss_mib = median("wss", many, "msg_per_s") * size / (1 << 20)
    print(f"| {size_name(size)} | {conns} | {pair(one, 'p50_us')} | {pair(one, 'p99_us')} "
          f"| {ratio(one, 'p50_us', False)}, {ratio(one, 'p99_us', False)} "
          f"| {pair(many, 'msg_per_s')} | {ratio(many, 'msg_per_s', True)} "
          f"| {number(median('wss', one, 'p50_us'))} "
          f"| {number(median('wss', many, 'msg_per_s'))} ({wss_mib:,.0f} MiB/s) "
          f"| {over_ws(many, 'msg_per_s', True)} |")
print()
print("Ratios: tungstenite's latency over hybi's, hybi's messages per second over")
print("tungstenite's; above 1 means hybi is ahead. wss: hybi's echo_server over TLS")
print("(rustls, aws-lc-rs) with the same client over wss://; wss / ws is its messages")
print("per second over hybi's over ws://.")
print()
print("| size | connections | server CPU per message, 1 at a time: hybi / tungstenite (us) "
      "| ratio | 64 in flight: hybi / tungstenite (us) | ratio |")
print("|---|---:|---:|---:|---:|---:|")
for size, conns in cases:
    one, many = (size, conns, 1), (size, conns, 64)
    print(f"| {size_name(size)} | {conns} | {pair(one, 'cpu_us')} | {ratio(one, 'cpu_us', False)} "
          f"| {pair(many, 'cpu_us')} | {ratio(many, 'cpu_us', False)} |")
print()
print("Server CPU: user and system time of the server process over a run, per")
print("message it echoed; ratio: tungstenite's over hybi's, above 1 means hybi")
print("spends less.")
EOF
cat "$table"

if [ -n "$update_doc" ]; then
  python3 scripts/update-measurements.py scripts/loopback-bench.sh \
    "bash scripts/loopback-bench.sh $SECONDS_PER_RUN $ROUNDS --update-doc" <"$table"
fi
