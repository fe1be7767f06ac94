#!/usr/bin/env bash
# The no_std wss:// client (embedded-tls under hybi) against hybi's
# `echo_server --tls`, with a throwaway CA made by the `tls_certs` example:
#   (a) on the host, over a TCP socket;
#   (b) the same with a host name the certificate is not for: it must fail;
#   (c) as firmware on the emulated LM3S6965 (QEMU lm3s6965evb, Cortex-M3,
#       64 KiB of RAM), its UART bridged to the server;
# then builds the firmware for thumbv7em-none-eabihf too and prints the
# flash and RAM it takes. Installs what it needs (qemu-system-arm,
# binutils-arm-none-eabi, the Rust targets). Every process is stopped on
# exit, every wait is bounded.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
started=$SECONDS

echo "== tools"
missing=()
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v arm-none-eabi-size >/dev/null || missing+=(binutils-arm-none-eabi)
if ((${#missing[@]})); then
  bash "$root/scripts/apt-install.sh" "${missing[@]}"
fi
rustup target add thumbv7m-none-eabi thumbv7em-none-eabihf

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== the server and a throwaway CA (hybi's examples, feature tls)"
(cd "$root" && cargo build --release --features tls --example echo_server &&
  cargo build --release -p hybi-dev --example tls_certs)
root_target="$(cd "$root" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
"$root_target/release/examples/tls_certs" "$work" >/dev/null
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$root_target/release/examples/echo_server" "127.0.0.1:$port" --tls "$work/cert.pem" "$work/key.pem" \
  2>"$work/server.log" &
pids+=($!)
for _ in $(seq 100); do
  grep -q "^listening" "$work/server.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "^listening" "$work/server.log" || { cat "$work/server.log"; exit 1; }

cd "$here"
target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
passed=0
failed=0
result() {
  if [ "$2" = ok ]; then
    passed=$((passed + 1))
    echo "PASS $1"
  else
    failed=$((failed + 1))
    echo "FAIL $1: $2"
  fi
}

echo "== (a) on the host"
cargo build --features host --bin host
if timeout 60 "$target_dir/debug/host" "127.0.0.1:$port" localhost "$work/ca.der" | tee "$work/host.out" &&
  grep -q "^tls-client: ok, 6 echoes checked, closed with 1000$" "$work/host.out"; then
  result "host client" ok
else
  result "host client" "see above"
fi

echo "== (b) on the host, a name the certificate is not for"
status=0
timeout 60 "$target_dir/debug/host" "127.0.0.1:$port" other.example "$work/ca.der" >"$work/wrong.out" || status=$?
cat "$work/wrong.out"
if [ "$status" -eq 1 ] && grep -q "FAILED: TLS handshake: InvalidCertificate" "$work/wrong.out"; then
  result "host client refuses a certificate for another name" ok
else
  result "host client refuses a certificate for another name" "exit status $status"
fi

echo "== (c) firmware under QEMU (thumbv7m-none-eabi, lm3s6965evb)"
HYBI_TLS_CA_DER="$work/ca.der" cargo build --release --features firmware --bin firmware \
  --target thumbv7m-none-eabi
status=0
timeout 120 qemu-system-arm -machine lm3s6965evb -nographic -monitor none \
  -semihosting-config enable=on,target=native -serial "tcp:127.0.0.1:$port" \
  -kernel "$target_dir/thumbv7m-none-eabi/release/firmware" </dev/null >"$work/qemu.log" 2>&1 || status=$?
sed 's/^/    firmware| /' "$work/qemu.log"
if [ "$status" -eq 0 ] && grep -q "^tls-client: ok, 6 echoes checked, closed with 1000$" "$work/qemu.log"; then
  result "firmware client under QEMU" ok
else
  result "firmware client under QEMU" "exit status $status"
fi
sed 's/^/    server| /' "$work/server.log"

echo "== footprint (opt-level \"s\", LTO; flash = .vector_table + .text + .rodata + .data, RAM = .data + .bss)"
HYBI_TLS_CA_DER="$work/ca.der" cargo build --release --features firmware --bin firmware \
  --target thumbv7em-none-eabihf
section() {
  arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { n = $2 } END { print n + 0 }'
}
stack="$(sed -n 's/^memory: stack high-water mark \([0-9]*\) B.*/\1/p' "$work/qemu.log")"
printf '%-22s %8s %8s %8s %8s %8s\n' target .text .rodata flash RAM stack
for t in thumbv7m-none-eabi thumbv7em-none-eabihf; do
  elf="$target_dir/$t/release/firmware"
  text=$(($(section "$elf" .vector_table) + $(section "$elf" .text)))
  rodata=$(section "$elf" .rodata)
  data=$(section "$elf" .data)
  bss=$(section "$elf" .bss)
  printf '%-22s %8s %8s %8s %8s %8s\n' "$t" "$text" "$rodata" $((text + rodata + data)) \
    $((data + bss)) "${stack:-?}"
done
echo "(stack: the high-water mark measured under QEMU on the Cortex-M3 build)"
echo "the largest functions (thumbv7em-none-eabihf):"
arm-none-eabi-nm --size-sort -C -S "$target_dir/thumbv7em-none-eabihf/release/firmware" |
  awk '$3 ~ /^[tT]$/' | tail -8 |
  while read -r _ size _ name; do printf '%8d  %s\n' "$((16#$size))" "$name"; done

echo "tls-client tests took $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
