#!/usr/bin/env bash
# Flash cost of hybi::http and of httparse on thumbv7em-none-eabihf:
# builds the three binaries and prints .text and .rodata of each, and the
# cost of each parser over the baseline skeleton.
#
#   size/http/measure.sh [--update-doc]
#
# --update-doc also rewrites its section of scripts/measurements.md.
set -euo pipefail
update_doc=
for arg in "$@"; do
  case $arg in
    --update-doc) update_doc=1 ;;
    *) echo "usage: size/http/measure.sh [--update-doc]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")"

if ! command -v arm-none-eabi-size >/dev/null; then
  echo "arm-none-eabi-size not found: install the GNU Arm binutils" >&2
  echo "(Debian and Ubuntu: apt-get install binutils-arm-none-eabi)" >&2
  exit 1
fi

cargo build --release --features httparse --quiet
out=target/thumbv7em-none-eabihf/release

# section NAME BINARY: the size of section NAME in BINARY, in bytes.
section() {
  arm-none-eabi-size -A "$out/$2" | awk -v s="$1" '$1 == s { n = $2 } END { print n + 0 }'
}

declare -A text rodata
row='%-24s %8s %8s %8s\n'

echo "$(rustc --version), opt-level = \"s\", LTO, 16 header slots"
echo
printf "$row" binary .text .rodata sum
for bin in baseline hybi httparse; do
  text[$bin]=$(section .text "$bin")
  rodata[$bin]=$(section .rodata "$bin")
  printf "$row" "$bin" "${text[$bin]}" "${rodata[$bin]}" $((text[$bin] + rodata[$bin]))
done

echo
printf "$row" "parser (minus baseline)" .text .rodata sum
for bin in hybi httparse; do
  t=$((text[$bin] - text[baseline]))
  r=$((rodata[$bin] - rodata[baseline]))
  printf "$row" "$bin" "$t" "$r" $((t + r))
done

cost() { echo $((text[$1] + rodata[$1])); }
echo
echo "httparse minus hybi: $(($(cost httparse) - $(cost hybi))) bytes"

if [ -n "$update_doc" ]; then
  # The httparse version this crate's Cargo.lock holds.
  httparse=$(awk '$0 == "name = \"httparse\"" { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock)
  {
    echo "Cost over the baseline, \`thumbv7em-none-eabihf\`, \`opt-level = \"s\"\`, LTO, 16 header slots:"
    echo
    echo "| parser | \`.text\` | \`.rodata\` | total |"
    echo "|---|---:|---:|---:|"
    for bin in hybi httparse; do
      t=$((text[$bin] - text[baseline]))
      r=$((rodata[$bin] - rodata[baseline]))
      name=\`hybi::http\`
      [ "$bin" = hybi ] || name="\`httparse\` $httparse"
      echo "| $name | $t B | $r B | $((t + r)) B |"
    done
  } | python3 ../../scripts/update-measurements.py size/http/measure.sh "bash size/http/measure.sh --update-doc"
fi
