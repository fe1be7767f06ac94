#!/usr/bin/env bash
# The in-memory decoding benchmark (dev/benches/decode.rs), run RUNS times
# pinned to one core (taskset -c $CORE, default 1), summed up as a Markdown
# table of median throughputs: copy, the sans-IO codec, the connection (over
# a Read transport, and over Lending) and tungstenite, with the ratios. Runs
# on a shared machine differ by 10 to 20%; the median of several is steadier
# than any one.
#
#   scripts/decode-bench.sh [RUNS] [FILTER] [--update-doc]   # default 3 runs, about 4 minutes each
#
# FILTER is criterion's (a regular expression over the benchmark ids, such as
# 'text-utf8'); FEATURES=std,simdutf8 builds hybi with those features (the
# hybi-dev package passes them on: dev/Cargo.toml).
#
# --update-doc also writes the table into scripts/measurements.md, in the
# section "scripts/decode-bench.sh" (or, with FEATURES, "scripts/decode-bench.sh
# FEATURES=...").
#
# A benchmark, not a test: the numbers depend on the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/bench-common.sh
bench_args "$@"
RUNS=${args[0]:-3}
filter=()
if [ -n "${args[1]:-}" ]; then
  filter=("${args[1]}")
fi
CORE=${CORE:-1}
features=()
if [ -n "${FEATURES:-}" ]; then
  features=(--features "$FEATURES")
fi
results=$(mktemp)
log=$(mktemp)
table=$(mktemp)
trap 'rm -f "$results" "$log" "$table"' EXIT

cargo bench --quiet -p hybi-dev --bench decode "${features[@]}" --no-run
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS" >&2
  # Only this run's results, not those of benchmarks a filter left out.
  rm -rf "$target_dir"/criterion/decode_*
  if ! taskset -c "$CORE" cargo bench --quiet -p hybi-dev --bench decode "${features[@]}" -- "${filter[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  # One line per benchmark: its id and its throughput in bytes per second.
  python3 - "$target_dir/criterion" >>"$results" <<'EOF'
import json, pathlib, sys
for bench in sorted(pathlib.Path(sys.argv[1]).glob("decode_*/*/*/new/benchmark.json")):
    meta = json.loads(bench.read_text())
    estimates = json.loads((bench.parent / "estimates.json").read_text())
    nanos = estimates["median"]["point_estimate"]
    print(meta["full_id"], meta["throughput"]["Bytes"] / nanos * 1e9)
EOF
done

python3 - "$results" "$RUNS" "$CORE" >"$table" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, rate = line.split()
    runs.setdefault(name, []).append(float(rate))
median = {name: statistics.median(rates) for name, rates in runs.items()}

def gib(rate):
    value = rate / 2**30
    return f"{value:.2f} GiB/s" if value < 10 else f"{value:.1f} GiB/s"

kinds = [("binary", "binary"), ("text", "text (ASCII)"),
         ("text-utf8", "text, many multi-byte characters")]
runs = int(sys.argv[2])
print(f"The median of {runs} run{'s' if runs > 1 else ''}, pinned to core {sys.argv[3]}:\n")
print("| payload | type | copy | codec | connection | connection, lending | tungstenite "
      "| codec / copy | connection / copy | lending / copy | connection / tungstenite |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for kind, label in kinds:
    for size, shown in [("16B", "16 B"), ("1KiB", "1 KiB"),
                        ("64KiB", "64 KiB"), ("1MiB", "1 MiB")]:
        ids = [f"decode/{kind}/{reader}/{size}"
               for reader in ("copy", "codec", "hybi", "hybi-lending", "tungstenite")]
        if not all(i in median for i in ids):
            continue
        copy, codec, conn, lend, tung = (median[i] for i in ids)
        print(f"| {shown} | {label} | {gib(copy)} | {gib(codec)} | {gib(conn)} "
              f"| {gib(lend)} | {gib(tung)} | {codec / copy:.0%} | {conn / copy:.0%} "
              f"| {lend / copy:.0%} | {conn / tung:.2f}x |")
EOF
cat "$table"

if [ -n "$update_doc" ]; then
  section=scripts/decode-bench.sh
  command="bash scripts/decode-bench.sh $RUNS"
  if [ -n "${FEATURES:-}" ]; then
    section="$section FEATURES=$FEATURES"
    command="FEATURES=$FEATURES $command"
  fi
  if ((${#filter[@]})); then
    command="$command '${filter[0]}'"
  fi
  {
    echo "hybi with features: ${FEATURES:-none}; tungstenite $(crate_version tungstenite), criterion $(crate_version criterion)."
    cat "$table"
  } | write_doc "$section" "$command"
fi
