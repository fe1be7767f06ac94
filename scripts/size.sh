#!/usr/bin/env bash
# Flash and RAM of a minimal no_std WebSocket echo server (size/echo) on
# thumbv7em-none-eabihf with opt-level "s", LTO, one codegen unit and
# panic = "abort": prints .text, .rodata, .data and .bss, the size of the
# connection state on that target, the .text of the frame loop alone (no
# handshake), and where the .text goes. Exits
# non-zero when .text is over the budget.
#
#   scripts/size.sh            # TEXT_BUDGET=13312 by default
set -euo pipefail
cd "$(dirname "$0")/../size/echo"

TEXT_BUDGET=${TEXT_BUDGET:-13312}
TARGET=thumbv7em-none-eabihf

if ! command -v arm-none-eabi-size >/dev/null; then
  echo "installing binutils-arm-none-eabi"
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils-arm-none-eabi >/dev/null
fi
rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"

target_dir=${CARGO_TARGET_DIR:-target}
elf="$target_dir/$TARGET/release/hybi-size-echo"

# The frame loop alone, for a connection upgraded elsewhere: built first,
# since both builds write the same binary.
cargo build --release --quiet --features frames-only
frames_text=$(arm-none-eabi-size -A "$elf" | awk '$1 == ".text" { print $2 }')
cargo build --release --quiet

# section NAME: the size of section NAME, in bytes.
section() {
  arm-none-eabi-size -A "$elf" | awk -v s="$1" '$1 == s { n = $2 } END { print n + 0 }'
}

text=$(section .text)
rodata=$(section .rodata)
data=$(section .data)
bss=$(section .bss)
vectors=$(section .vector_table)

# The u32 HYBI_CONNECTION_STATE_SIZE, decoded without gawk's strtonum.
addr=$(arm-none-eabi-nm "$elf" | awk '$3 == "HYBI_CONNECTION_STATE_SIZE" { print $1 }')
[ -n "$addr" ] || { echo "HYBI_CONNECTION_STATE_SIZE not found in the binary" >&2; exit 1; }
hex=$(arm-none-eabi-objdump -s --start-address=0x"$addr" --stop-address=$((16#$addr + 4)) "$elf" |
  awk '/^ [0-9a-f]+ [0-9a-f]+/ { print $2; exit }')
state=$((16#${hex:6:2}${hex:4:2}${hex:2:2}${hex:0:2}))

echo "$(rustc --version), $TARGET, opt-level = \"s\", LTO, codegen-units = 1, panic = \"abort\""
echo
printf '%-14s %8s\n' section bytes
printf '%-14s %8s\n' .text "$text" .rodata "$rodata" .data "$data" .bss "$bss" .vector_table "$vectors"
echo
echo "without the handshake (frames-only: WebSocket::from_upgraded): .text $frames_text bytes"
echo "connection state, size_of::<WebSocket<Uart, &mut [u8]>>(): $state bytes"
echo "buffers (on the stack): 1024 B read, 512 B write"
echo
echo "largest functions (.text):"
arm-none-eabi-nm --size-sort -C -S "$elf" | awk '$3 ~ /^[tT]$/' | tail -12 |
  while read -r _ size _ name; do printf '%8d  %s\n' "$((16#$size))" "$name"; done
echo
if [ "$text" -gt "$TEXT_BUDGET" ]; then
  echo "FAIL: .text is $text bytes, over the budget of $TEXT_BUDGET" >&2
  exit 1
fi
echo "ok: .text $text bytes, within the budget of $TEXT_BUDGET"
