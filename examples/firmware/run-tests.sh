#!/usr/bin/env bash
# hybi on an emulated microcontroller: builds the firmware example for a
# Cortex-M3 (thumbv7m-none-eabi), runs it under QEMU (lm3s6965evb) with the
# board's UART bridged to TCP on 127.0.0.1, and talks to it from the host
# with the Python `websockets` library:
#   (a) the firmware's echo server, driven by a host client;
#   (b) the firmware's client, against a host echo server;
#   (c) the same client against a server that corrupts one echo byte: the
#       firmware must detect it and exit with failure.
# Installs what it needs (qemu-system-arm, binutils-arm-none-eabi, the Rust
# target, a venv with websockets at the version scripts/versions.sh pins).
# Every process is stopped on exit, every wait is bounded.
#
#   examples/firmware/run-tests.sh [--update-doc]
#
# --update-doc also rewrites the firmware's section of
# scripts/measurements.md with the footprint measured, if every test passed.
set -euo pipefail
update_doc=
for arg in "$@"; do
  case $arg in
    --update-doc) update_doc=1 ;;
    *) echo "usage: examples/firmware/run-tests.sh [--update-doc]" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/scripts/versions.sh"
cd "$here"
started=$SECONDS
target=thumbv7m-none-eabi
machine=lm3s6965evb

echo "== tools"
missing=()
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v arm-none-eabi-size >/dev/null || missing+=(binutils-arm-none-eabi)
if ((${#missing[@]})); then
  # Says what it installs, installs only what is missing, removes nothing.
  bash "$root/scripts/apt-install.sh" "${missing[@]}"
fi
qemu-system-arm --version | head -1
qemu-system-arm -machine help | grep -q "^$machine " || {
  echo "this qemu-system-arm has no $machine machine" >&2
  exit 1
}
rustup target add "$target"

# websockets at the version scripts/versions.sh pins.
venv="$root/target/firmware-venv"
if ! "$venv/bin/python" -c "import websockets" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "websockets==$PY_WEBSOCKETS_VERSION"
py="$venv/bin/python"
echo "websockets $("$py" -c 'import websockets; print(websockets.__version__)')"

echo "== build"
cargo build --release
target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
elf="$target_dir/$target/release"
for bin in server client baseline; do
  if arm-none-eabi-nm -C "$elf/$bin" | grep -i alloc; then
    echo "$bin has allocation symbols" >&2
    exit 1
  fi
done
echo "no symbol with \"alloc\" in its name in any ELF: no allocator, no heap"
arm-none-eabi-size "$elf/server" "$elf/client" "$elf/baseline"

# section NAME BIN: the size of section NAME in BIN, in bytes.
section() {
  arm-none-eabi-size -A "$elf/$2" | awk -v s="$1" '$1 == s { n = $2 } END { print n + 0 }'
}

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port free on 127.0.0.1 right now, from the OS.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# qemu BIN LOG SERIAL: starts the firmware BIN under QEMU, its semihosting
# output in LOG, its UART0 bridged as SERIAL; sets $qemu_pid.
qemu() {
  timeout 120 qemu-system-arm -machine "$machine" -nographic -monitor none \
    -semihosting-config enable=on,target=native \
    -serial "$3" -kernel "$elf/$1" </dev/null >"$2" 2>&1 &
  qemu_pid=$!
  pids+=("$qemu_pid")
}

# wait_exit PID SECONDS: waits for PID to end, at most SECONDS, stopping it
# then; sets $exit_status (124 if it had to be stopped).
wait_exit() {
  local pid=$1 limit=$(($2 * 10)) i kept=()
  for ((i = 0; i < limit; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    exit_status=124
  else
    exit_status=0
    wait "$pid" || exit_status=$?
  fi
  # Reaped: no longer ours to stop.
  for i in "${pids[@]}"; do
    [ "$i" = "$pid" ] || kept+=("$i")
  done
  pids=("${kept[@]}")
}

show() {
  sed "s/^/    $1| /" "$2"
}

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

echo "== (a) firmware server, host client"
test_server() {
  local port status count
  local attempt
  # The port was free when the OS named it; if another program takes it
  # before QEMU binds it, QEMU stops at once: try another.
  for attempt in 1 2 3; do
    port="$(free_port)"
    qemu server "$work/server.log" "tcp:127.0.0.1:$port,server,nowait"
    sleep 0.5
    kill -0 "$qemu_pid" 2>/dev/null && break
    wait_exit "$qemu_pid" 1
    show firmware "$work/server.log"
    echo "QEMU did not start (attempt $attempt)"
    [ "$attempt" -lt 3 ] || return 1
  done
  status=0
  timeout 60 "$py" "$here/host/ws_client.py" "$port" >"$work/client.out" 2>&1 || status=$?
  show host "$work/client.out"
  wait_exit "$qemu_pid" 20
  local qemu_status=$exit_status
  show firmware "$work/server.log"
  [ "$status" -eq 0 ] || { echo "host client exit status $status"; return 1; }
  [ "$qemu_status" -eq 0 ] || { echo "firmware exit status $qemu_status"; return 1; }
  count="$(sed -n 's/^messages=//p' "$work/client.out")"
  grep -q "server: echoed $count messages .* close code 1000$" "$work/server.log" ||
    { echo "the firmware did not report $count messages echoed and close code 1000"; return 1; }
}
if test_server; then result "firmware server" ok; else result "firmware server" "see above"; fi

# client_run NAME [--corrupt]: the host echo server and the firmware client;
# sets $server_status and $qemu_status.
client_run() {
  local name=$1
  shift
  local port_file="$work/$name.port" i port server_pid
  timeout 70 "$py" "$here/host/echo_server.py" --port-file "$port_file" --timeout 60 "$@" \
    >"$work/$name-host.out" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for ((i = 0; i < 200; i++)); do
    [ -s "$port_file" ] && break
    sleep 0.1
  done
  if ! [ -s "$port_file" ]; then
    show host "$work/$name-host.out"
    echo "the host echo server did not start"
    server_status=1 qemu_status=1
    return
  fi
  port="$(cat "$port_file")"
  qemu client "$work/$name.log" "tcp:127.0.0.1:$port"
  wait_exit "$qemu_pid" 60
  qemu_status=$exit_status
  wait_exit "$server_pid" 10
  server_status=$exit_status
  show host "$work/$name-host.out"
  show firmware "$work/$name.log"
}

echo "== (b) firmware client, host echo server"
test_client() {
  client_run client
  [ "$qemu_status" -eq 0 ] || { echo "firmware exit status $qemu_status"; return 1; }
  [ "$server_status" -eq 0 ] || { echo "host echo server exit status $server_status"; return 1; }
  grep -q "^request: path=/echo .*subprotocol=echo$" "$work/client-host.out" ||
    { echo "the host server did not see /echo with subprotocol echo"; return 1; }
  grep -q "^closed: code=1000 reason='done'" "$work/client-host.out" ||
    { echo "the host server did not see a close with 1000"; return 1; }
  grep -q "^client: 8 echoes checked, closed with 1000$" "$work/client.log" ||
    { echo "the firmware did not report its checks"; return 1; }
}
if test_client; then result "firmware client" ok; else result "firmware client" "see above"; fi

echo "== (c) firmware client, host server that corrupts an echo"
test_corrupt() {
  client_run corrupt --corrupt
  [ "$qemu_status" -eq 1 ] || { echo "firmware exit status $qemu_status, expected 1"; return 1; }
  grep -q "^client: FAILED: echo of large binary: different byte at byte 4095$" "$work/corrupt.log" ||
    { echo "the firmware did not report the corrupted byte"; return 1; }
}
if test_corrupt; then result "firmware client detects a corrupted echo" ok; else
  result "firmware client detects a corrupted echo" "see above"
fi

echo "== footprint (thumbv7m-none-eabi, opt-level \"s\", LTO)"
# The baseline: runtime, UART, semihosting logs, no WebSocket.
qemu baseline "$work/baseline.log" null
wait_exit "$qemu_pid" 30
show firmware "$work/baseline.log"
[ "$exit_status" -eq 0 ] || { echo "the baseline firmware failed: $exit_status"; exit 1; }
row() { printf '%-20s %8s %8s %8s %8s %10s %8s %10s\n' "$@"; }
row program .text .rodata flash .bss RAM-static stack buffers
declare -A flash ram stack buffer
for bin in baseline server client; do
  log="$work/$bin.log"
  text=$(($(section .vector_table "$bin") + $(section .text "$bin")))
  rodata=$(section .rodata "$bin")
  data=$(section .data "$bin")
  bss=$(section .bss "$bin")
  flash[$bin]=$((text + rodata + data))
  ram[$bin]=$((data + bss))
  stack[$bin]="$(sed -n 's/^memory: stack high-water mark \([0-9]*\) B.*/\1/p' "$log")"
  buffers="$(sed -n 's/^memory: read buffer \([0-9]*\) B, write buffer \([0-9]*\) B.*/\1+\2/p' "$log")"
  buffer[$bin]=$buffers
  row "$bin" "$text" "$rodata" "${flash[$bin]}" "$bss" "${ram[$bin]}" \
    "${stack[$bin]:-?}" "${buffers:-?}"
done
for bin in server client; do
  row "$bin minus baseline" "" "" $((flash[$bin] - flash[baseline])) "" \
    $((ram[$bin] - ram[baseline])) $((${stack[$bin]:-0} - ${stack[baseline]:-0})) ""
done
echo "(.text includes the 1 KiB vector table; flash = .text + .rodata + .data;"
echo " RAM-static = .data + .bss, which holds the buffers; stack = high-water mark, bytes)"

if [ -n "$update_doc" ] && [ "$failed" -eq 0 ]; then
  # commas N: N with thousands separators.
  commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
  {
    echo "\`$target\`, \`opt-level = \"s\"\`, LTO; flash = \`.vector_table\` + \`.text\` + \`.rodata\` + \`.data\`,"
    echo "RAM = \`.data\` + \`.bss\` (the static memory, which holds the buffers), stack = its high-water mark:"
    echo
    echo "| program | flash | RAM | of which buffers (read + write) | stack |"
    echo "|---|---:|---:|---:|---:|"
    for bin in server client baseline; do
      b=${buffer[$bin]:-}
      [ -n "$b" ] && b="${b/+/ B + } B" || b="-"
      name=$bin
      [ "$bin" = baseline ] && name="baseline: runtime, UART, logging, no WebSocket"
      echo "| $name | $(commas "${flash[$bin]}") B | $(commas "${ram[$bin]}") B | $b | $(commas "${stack[$bin]:-0}") B |"
    done
    for bin in server client; do
      echo "| $bin minus baseline | $(commas $((flash[$bin] - flash[baseline]))) B" \
        "| $(commas $((ram[$bin] - ram[baseline]))) B | | $(commas $((${stack[$bin]:-0} - ${stack[baseline]:-0}))) B |"
    done
  } | python3 "$root/scripts/update-measurements.py" examples/firmware/run-tests.sh \
    "bash examples/firmware/run-tests.sh --update-doc"
fi

echo "firmware tests took $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
