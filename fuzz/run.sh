#!/usr/bin/env bash
# Builds every fuzz target and runs each for FUZZ_SECONDS seconds (30 by
# default), starting from the seed corpus (seeds.py) plus whatever corpus/
# already holds. Fails if any target crashes, panics, hangs or runs out of
# memory; the input that did it is left in artifacts/<target>/.
#
#   fuzz/run.sh                      # every target, 30 s each
#   FUZZ_SECONDS=3600 fuzz/run.sh server_connection
set -euo pipefail
cd "$(dirname "$0")"
source ../scripts/versions.sh
seconds=${FUZZ_SECONDS:-30}

# The nightly and the cargo-fuzz that scripts/versions.sh pins.
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$NIGHTLY" --profile minimal
fi
if [ "$(cargo "+$NIGHTLY" fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
# Says what it installs, installs only what is missing, removes nothing.
command -v python3 >/dev/null || bash ../scripts/apt-install.sh python3

python3 seeds.py corpus

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo "+$NIGHTLY" fuzz list)
fi

echo "== build"
# Optimised, with debug assertions and overflow checks (cargo-fuzz's default).
cargo "+$NIGHTLY" fuzz build

failed=()
for target in "${targets[@]}"; do
  echo "== $target: ${seconds} s"
  mkdir -p "artifacts/$target"
  # -timeout: an input that takes over 10 s is a hang; -rss_limit_mb: a leak.
  if ! cargo "+$NIGHTLY" fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      2>"artifacts/$target/log"; then
    failed+=("$target")
    tail -n 60 "artifacts/$target/log"
  fi
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "artifacts/$target/log" || true
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]} (inputs in fuzz/artifacts/<target>/)"
  exit 1
fi
echo "all ${#targets[@]} targets ran ${seconds} s each without a failure"
