#!/usr/bin/env bash
# Flash and RAM of a minimal no_std WebSocket echo server (size/echo) on
# thumbv7em-none-eabihf with opt-level "s", LTO, one codegen unit and
# panic = "abort": prints .text, .rodata, .data and .bss, the size of the
# connection state on that target, the .text of the frame loop alone (no
# handshake), and where the .text goes. Exits
# non-zero when .text is over the budget, or when a number it reads from the
# tools' output is missing, not a decimal number or implausible.
#
#   scripts/size.sh                # TEXT_BUDGET=12800 by default
#   scripts/size.sh --update-doc   # also rewrites its section of scripts/measurements.md
set -euo pipefail
update_doc=
for arg in "$@"; do
  case $arg in
    --update-doc) update_doc=1 ;;
    *) echo "usage: scripts/size.sh [--update-doc]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/../size/echo"

TEXT_BUDGET=${TEXT_BUDGET:-12800}
TARGET=thumbv7em-none-eabihf

if ! command -v arm-none-eabi-size >/dev/null; then
  # Says what it installs, installs only what is missing, removes nothing.
  bash ../../scripts/apt-install.sh binutils-arm-none-eabi
fi
rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"

target_dir=${CARGO_TARGET_DIR:-target}
elf="$target_dir/$TARGET/release/hybi-size-echo"

# fail MESSAGE: stops the script.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# check NAME VALUE MIN MAX: fails unless VALUE, read from a tool's output,
# is a decimal number (at most 9 digits, so shell arithmetic cannot
# overflow) from MIN to MAX.
check() {
  local name=$1 value=$2 min=$3 max=$4
  [[ $value =~ ^[0-9]{1,9}$ ]] ||
    fail "could not read $name: got '${value//$'\n'/ }' where a decimal number was expected"
  ((10#$value >= min && 10#$value <= max)) ||
    fail "$name of $value bytes is implausible (expected $min to $max)"
}

# section NAME: the size of section NAME, in bytes, as arm-none-eabi-size
# prints it (all its matching lines: check rejects none or several).
section() {
  arm-none-eabi-size -A "$elf" | awk -v s="$1" '$1 == s { print $2 }'
}

# read_u32 SYMBOL: the u32 at SYMBOL in the binary, decoded without gawk's
# strtonum: its address from nm, then the first line of objdump's dump from
# there, which must start at that address with one word of 8 hex digits
# (little-endian).
read_u32() {
  local symbol=$1 addr dump dump_addr hex
  addr=$(arm-none-eabi-nm "$elf" | awk -v s="$symbol" '$3 == s { print $1 }')
  [ -n "$addr" ] || fail "$symbol not found in the binary"
  [[ $addr =~ ^[0-9a-f]{1,8}$ ]] || fail "could not read the address of $symbol: got '$addr'"
  dump=$(arm-none-eabi-objdump -s --start-address=0x"$addr" --stop-address=$((16#$addr + 4)) "$elf" |
    awk '/^ [0-9a-f]+ [0-9a-f]+/ { print $1, $2; exit }')
  read -r dump_addr hex <<<"$dump" || true
  [[ ${dump_addr:-} =~ ^[0-9a-f]{1,8}$ && ${hex:-} =~ ^[0-9a-f]{8}$ ]] &&
    ((16#$dump_addr == 16#$addr)) ||
    fail "could not read $symbol at 0x$addr from objdump: got '$dump'"
  echo $((16#${hex:6:2}${hex:4:2}${hex:2:2}${hex:0:2}))
}
# Plausible sizes: memory.x gives the part 256 KiB of flash, 64 KiB of RAM.
flash=262144
ram=65536

# The frame loop alone, for a connection upgraded elsewhere: built first,
# since both builds write the same binary.
cargo build --release --quiet --features frames-only
frames_text=$(section .text)
check "frames-only .text" "$frames_text" 1 "$flash"
# With permessage-deflate accepted (feature deflate, inflating only), for
# a 512-byte and a 32 KiB window: .text, .rodata and the inflate memory.
declare -A deflate_text deflate_rodata deflate_memory
for bits in 9 15; do
  cargo build --release --quiet --features "deflate-$bits"
  deflate_text[$bits]=$(section .text)
  deflate_rodata[$bits]=$(section .rodata)
  check "deflate-$bits .text" "${deflate_text[$bits]}" 1 "$flash"
  check "deflate-$bits .rodata" "${deflate_rodata[$bits]}" 0 "$flash"
  deflate_memory[$bits]=$(read_u32 HYBI_INFLATER_SIZE)
  check "deflate-$bits inflate memory" "${deflate_memory[$bits]}" $((1 << bits)) "$ram"
done
cargo build --release --quiet

text=$(section .text)
rodata=$(section .rodata)
data=$(section .data)
bss=$(section .bss)
vectors=$(section .vector_table)
check .text "$text" 1 "$flash"
check .rodata "$rodata" 0 "$flash"
check .data "$data" 0 "$ram"
check .bss "$bss" 0 "$ram"
check .vector_table "$vectors" 1 "$flash"
# The frame loop is a part of the whole program.
((frames_text < text)) ||
  fail "frames-only .text ($frames_text bytes) is not below the full .text ($text bytes)"

state=$(read_u32 HYBI_CONNECTION_STATE_SIZE)
check "the connection state (HYBI_CONNECTION_STATE_SIZE)" "$state" 1 65535

echo "$(rustc --version), $TARGET, opt-level = \"s\", LTO, codegen-units = 1, panic = \"abort\""
echo
printf '%-14s %8s\n' section bytes
printf '%-14s %8s\n' .text "$text" .rodata "$rodata" .data "$data" .bss "$bss" .vector_table "$vectors"
echo
echo "without the handshake (frames-only: WebSocket::from_upgraded): .text $frames_text bytes"
echo "connection state, size_of::<WebSocket<Uart, &mut [u8]>>(): $state bytes"
echo "buffers (on the stack): 1024 B read, 512 B write"
echo
for bits in 9 15; do
  echo "with permessage-deflate (feature deflate, inflating), a $((1 << bits))-byte window:" \
    ".text ${deflate_text[$bits]} (+$((deflate_text[$bits] - text))), .rodata ${deflate_rodata[$bits]}" \
    "(+$((deflate_rodata[$bits] - rodata))), inflate memory ${deflate_memory[$bits]} bytes"
done
echo
echo "largest functions (.text):"
arm-none-eabi-nm --size-sort -C -S "$elf" | awk '$3 ~ /^[tT]$/' | tail -12 |
  while read -r _ size _ name; do printf '%8d  %s\n' "$((16#$size))" "$name"; done
echo

# commas N: N with thousands separators.
commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

if [ -n "$update_doc" ]; then
  {
    echo "A minimal echo server (crate \`size/echo\`) for \`$TARGET\`, \`opt-level = \"s\"\`,"
    echo "LTO, one codegen unit, \`panic = \"abort\"\`:"
    echo
    echo "| section | bytes |"
    echo "|---|---:|"
    for s in .text .rodata .data .bss .vector_table; do
      case $s in
        .text) n=$text ;; .rodata) n=$rodata ;; .data) n=$data ;; .bss) n=$bss ;; *) n=$vectors ;;
      esac
      echo "| \`$s\` | $(commas "$n") |"
    done
    echo
    echo "- Without the handshake (feature \`frames-only\`: \`WebSocket::from_upgraded\`):"
    echo "  $(commas "$frames_text") B of \`.text\`."
    echo "- The connection state, \`size_of::<WebSocket<Uart, &mut [u8]>>()\`: $state B, beside a"
    echo "  1 KiB read and a 512 B write buffer on the stack."
    for bits in 9 15; do
      echo "- Accepting permessage-deflate (feature \`deflate\`, inflating into the read buffer;"
      echo "  \`size/echo\` with feature \`deflate-$bits\`), with a $(commas $((1 << bits)))-byte window:"
      echo "  $(commas "${deflate_text[$bits]}") B of \`.text\` (+$(commas $((deflate_text[$bits] - text)))),"
      echo "  $(commas "${deflate_rodata[$bits]}") B of \`.rodata\` (+$(commas $((deflate_rodata[$bits] - rodata)))),"
      echo "  and $(commas "${deflate_memory[$bits]}") B of inflate memory (\`Inflater\`: state and window)."
    done
    if [ "$text" -gt "$TEXT_BUDGET" ]; then
      echo "- Over the budget of $(commas "$TEXT_BUDGET") B of \`.text\`, by $(commas $((text - TEXT_BUDGET))) B."
    else
      echo "- Within the budget of $(commas "$TEXT_BUDGET") B of \`.text\`, by $(commas $((TEXT_BUDGET - text))) B."
    fi
    echo
    echo "The largest functions in \`.text\`:"
    echo
    echo "| bytes | function |"
    echo "|---:|---|"
    arm-none-eabi-nm --size-sort -C -S "$elf" | awk '$3 ~ /^[tT]$/' | tail -12 | tac |
      while read -r _ size _ name; do echo "| $(commas $((16#$size))) | \`$name\` |"; done
  } | python3 ../../scripts/update-measurements.py scripts/size.sh "bash scripts/size.sh --update-doc"
fi

if [ "$text" -gt "$TEXT_BUDGET" ]; then
  echo "FAIL: .text is $text bytes, over the budget of $TEXT_BUDGET" >&2
  exit 1
fi
echo "ok: .text $text bytes, within the budget of $TEXT_BUDGET"
