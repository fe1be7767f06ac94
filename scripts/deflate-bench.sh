#!/usr/bin/env bash
# permessage-deflate (RFC 7692), for JSON-like text of 1 KiB and 64 KiB per
# message (examples/support/json_text.rs), measured two ways:
#
# - in memory (dev/benches/deflate.rs): a server Connection inflating a
#   client's compressed frames with a 32 KiB window, whole and in chunks
#   through a 1 KiB buffer, and compressing the same messages, beside the
#   same messages read and written plain; MiB/s of text;
# - over loopback: hybi's echo_server (feature deflate) with the extension
#   agreed, the same server without it (the client does not offer it), and
#   tungstenite's echo server (dev/examples/tungstenite_echo.rs, which has
#   no compression), driven by examples/load_client.rs --payload json on
#   one connection: one message at a time (round-trip p50, and the bytes on
#   the wire per message each way, counted by load_client's relay in a run of
#   their own) and 64 in
#   flight (messages per second).
#
# Everything runs on one core (taskset -c $CORE, default 0).
#
#   scripts/deflate-bench.sh [SECONDS_PER_RUN] [ROUNDS] [--update-doc]   # default 2 and 3
#
# Each round runs the in-memory benchmark once, then every loopback case
# against the three servers one right after the other; the tables give the
# median over the rounds. Two rounds of 2 s take about 3 minutes, three
# about 4. A loopback run that fails (the server ends the connection) is
# reported as such, with its error, and the others go on. --update-doc also
# writes the tables into their section of scripts/measurements.md.
#
# A benchmark, not a test: the numbers depend on the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/bench-common.sh
bench_args "$@"
SECONDS_PER_RUN=${args[0]:-2}
ROUNDS=${args[1]:-3}
CORE=${CORE:-0}

cargo build --release --quiet --features std,deflate --example echo_server --example load_client
# tungstenite's server and the benchmark are in the hybi-dev package (dev/),
# which shares the workspace's target directory.
cargo build --release --quiet -p hybi-dev --example tungstenite_echo
cargo bench --quiet -p hybi-dev --features std,deflate --bench deflate --no-run

work=$(mktemp -d)
results=$work/results
log=$work/bench.log
table=$work/table
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME VAR [ARGS...]: starts the example NAME, pinned, on a free
# port, its standard error to $work/NAME.log, and sets VAR to the port once
# it accepts connections.
start() {
  local port
  port=$(free_port)
  taskset -c "$CORE" "$bin/$1" "127.0.0.1:$port" "${@:3}" >/dev/null 2>"$work/$1.log" &
  pids+=($!)
  wait_listening "$1" "$port"
  printf -v "$2" '%s' "$port"
}

start echo_server hybi_port
start tungstenite_echo tung_port

# run NAME PORT DEFLATE SIZE INFLIGHT: appends NAME and the load client's
# result line to the results, or NAME, the case and the error if it failed
# (with, for hybi, how echo_server's line for the connection ended: the
# client may see the socket reset before the server's close).
run() {
  local out line
  if out=$(timeout 120 taskset -c "$CORE" "$bin/load_client" "ws://127.0.0.1:$2/" \
    --payload json --deflate "$3" --size "$4" --inflight "$5" --seconds "$SECONDS_PER_RUN" 2>&1); then
    # The bytes on the wire from a run of its own through load_client's
    # counting relay (--wire), which would slow the timed run.
    if [ "$5" = 1 ] && wire=$(timeout 60 taskset -c "$CORE" "$bin/load_client" "ws://127.0.0.1:$2/" \
      --payload json --deflate "$3" --size "$4" --inflight 1 --seconds 1 --wire 2>&1); then
      local ow iw
      ow=$(grep -o 'out_wire_per_msg=[^ ]*' <<<"$wire")
      iw=$(grep -o 'in_wire_per_msg=[^ ]*' <<<"$wire")
      out=$(sed "s/out_wire_per_msg=[^ ]*/$ow/; s/in_wire_per_msg=[^ ]*/$iw/" <<<"$out")
    fi
    echo "$1 $out" >>"$results"
  else
    out=${out#load_client: }
    if [ "$2" = "$hybi_port" ]; then
      sleep 0.5
      line=$(tail -n 1 "$work/echo_server.log")
      out="$out; echo_server: ${line##*bytes, }"
    fi
    echo "$1: size $4, $5 in flight: $out" >&2
    echo "failed $1 $4 $5 ${out//$'\n'/; }" >>"$results"
  fi
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS" >&2
  rm -rf "$target_dir/criterion/deflate"
  if ! taskset -c "$CORE" cargo bench --quiet -p hybi-dev --features std,deflate --bench deflate >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  # The compressed and plain frames of each size, as the benchmark made
  # them; then one line per benchmark, its id and its throughput in bytes
  # per second.
  sed -n 's/^deflate-bench: /frames /p' "$log" >>"$results"
  python3 - "$target_dir/criterion" >>"$results" <<'EOF'
import json, pathlib, sys
for bench in sorted(pathlib.Path(sys.argv[1]).glob("deflate/*/*/new/benchmark.json")):
    meta = json.loads(bench.read_text())
    estimates = json.loads((bench.parent / "estimates.json").read_text())
    nanos = estimates["median"]["point_estimate"]
    print("memory", meta["full_id"], meta["throughput"]["Bytes"] / nanos * 1e9)
EOF
  for size in 1024 65536; do
    for inflight in 1 64; do
      run hybi-deflate "$hybi_port" on "$size" "$inflight"
      run hybi "$hybi_port" off "$size" "$inflight"
      run tungstenite "$tung_port" off "$size" "$inflight"
    done
  done
done

{
  echo "$(machine); everything on core $CORE;" \
    "median of $ROUNDS rounds; $SECONDS_PER_RUN s per loopback run; miniz_oxide" \
    "$(crate_version miniz_oxide)," \
    "tungstenite $(crate_version tungstenite)."
  echo
  python3 - "$results" "$ROUNDS"
} >"$table" <<'EOF'
import re, statistics, sys

rounds = int(sys.argv[2])
memory = {}   # benchmark id -> bytes per second, one per round
frames = {}   # size name -> (text, compressed, plain) bytes
runs = {}     # (server, size, inflight) -> one {field: value} per run
for line in open(sys.argv[1]):
    kind, rest = line.rstrip("\n").split(" ", 1)
    if kind == "memory":
        name, rate = rest.split()
        memory.setdefault(name, []).append(float(rate))
    elif kind == "failed":
        server, size, inflight, error = rest.split(" ", 3)
        runs.setdefault((server, int(size), int(inflight)), []).append({"error": error})
    elif kind == "frames":
        m = re.match(r"(\S+): \d+ messages, (\d+) bytes of text, (\d+) bytes of compressed "
                     r"frames, (\d+) bytes of plain frames", rest)
        frames[m[1]] = tuple(int(x) for x in m.groups()[1:])
    else:
        kv = dict(f.split("=", 1) for f in rest.split())
        key = (kind, int(kv["size"]), int(kv["inflight"]))
        runs.setdefault(key, []).append(kv)

def mib(rate):
    return f"{rate / 2**20:,.0f}"

sizes = [("1KiB", 1024, "1 KiB"), ("64KiB", 65536, "64 KiB")]
print("In memory, MiB/s of text (inflated output, compressed input):")
print()
print("| message | compressed frames / text | inflate, whole | inflate, chunks (1 KiB buffer) "
      "| read plain | compress (level 1) | write plain |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, _, shown in sizes:
    cells = []
    for bench in ("inflate-whole", "inflate-chunks", "read-plain", "compress", "write-plain"):
        rates = memory.get(f"deflate/{bench}/{name}")
        cells.append(mib(statistics.median(rates)) if rates else "-")
    text, compressed, _ = frames[name]
    print(f"| {shown} JSON | {compressed / text:.0%} | " + " | ".join(cells) + " |")
print()

servers = [("hybi-deflate", "hybi, permessage-deflate"), ("hybi", "hybi, none"),
           ("tungstenite", "tungstenite, none")]

def ok(key):
    return [kv for kv in runs.get(key, []) if "error" not in kv]

def failures(key):
    return [kv["error"] for kv in runs.get(key, []) if "error" in kv]

notes = []

def cell(key, field, fmt):
    good, bad = ok(key), failures(key)
    if bad:
        server, size, inflight = key
        notes.append(f"{dict(servers)[server]}, {dict((s, n) for _, s, n in sizes)[size]}, "
                     f"{inflight} in flight: {len(bad)} of {len(bad) + len(good)} runs "
                     f"failed: {bad[-1]}.")
    values = [float(kv[field]) for kv in good if kv.get(field, "-") not in ("-", "NaN")]
    mark = f" ({len(bad)} of {len(bad) + len(good)} failed)" if bad else ""
    if not values:
        return "fails" if bad else "-"
    return fmt(statistics.median(values)) + mark

print(f"Over loopback, JSON-like text, one connection: bytes on the wire per message "
      f"(frames, counted by a relay in a run of their own) and round-trip p50 one message at a time; "
      f"messages per second with 64 in flight:")
print()
print("| message | server, compression | client to server (B/msg) | server to client (B/msg) "
      "| p50 (us) | 64 in flight (msg/s) |")
print("|---|---|---:|---:|---:|---:|")
for _, size, shown in sizes:
    for server, label in servers:
        one, many = (server, size, 1), (server, size, 64)
        print(f"| {shown} JSON | {label} "
              f"| {cell(one, 'out_wire_per_msg', lambda x: f'{x:,.0f}')} "
              f"| {cell(one, 'in_wire_per_msg', lambda x: f'{x:,.0f}')} "
              f"| {cell(one, 'p50_us', lambda x: f'{x:,.1f}')} "
              f"| {cell(many, 'msg_per_s', lambda x: f'{x:,.0f}')} |")
if notes:
    print()
    for note in dict.fromkeys(notes):
        print(f"- {note}")
EOF
cat "$table"

write_doc scripts/deflate-bench.sh "bash scripts/deflate-bench.sh $SECONDS_PER_RUN $ROUNDS" <"$table"
