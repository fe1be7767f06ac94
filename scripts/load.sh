#!/usr/bin/env bash
# Load and soak against the echo_server example, over 127.0.0.1:
#
# - many: 1,000 connections open at once, each echoing 100 messages
#   (LOAD_CONNECTIONS, LOAD_MESSAGES), all checked intact; bounded to 60 s.
# - soak: 1,000,000 messages through one connection (SOAK_MESSAGES), with
#   the server's resident memory (VmRSS) read after a warm-up and at the
#   end; fails if it grew by more than 1 MiB; bounded to 90 s.
#
# The server runs on a port the OS picks and is stopped by its PID at the
# end, also on failure.
#
#   scripts/load.sh [--update-doc]
#
# --update-doc also writes what the three runs report into its section of
# scripts/measurements.md, when all three passed.
set -euo pipefail
update_doc=
for arg in "$@"; do
  case $arg in
    --update-doc) update_doc=1 ;;
    *) echo "usage: scripts/load.sh [--update-doc]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."

connections=${LOAD_CONNECTIONS:-1000}
messages=${LOAD_MESSAGES:-100}
soak_messages=${SOAK_MESSAGES:-1000000}

# A file descriptor per connection on each side, plus a margin.
need=$((connections + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" || { echo "ulimit -n is $(ulimit -n), need $need" >&2; exit 1; }
fi
echo "ulimit -n: $(ulimit -n)"

cargo build --release --features std --example echo_server --example load_many
bin="${CARGO_TARGET_DIR:-target}/release/examples"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
# What the runs report, for --update-doc.
report=$(mktemp)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -f "$log" "$report"
}
trap cleanup EXIT

"$bin/echo_server" "127.0.0.1:$port" 2>"$log" &
server=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "echo_server exited" >&2; exit 1; }
  sleep 0.1
done
url="ws://127.0.0.1:$port/"

echo "== many: $connections connections x $messages messages"
timeout 60 "$bin/load_many" many "$url" "$connections" "$messages" | tee -a "$report"
# Every connection ended with a clean close on the server's side too.
closed=$(grep -c "closed with 1000" "$log" || true)
echo "server: $closed connections closed with 1000"
[ "$closed" -ge "$connections" ] || { tail -n 20 "$log"; echo "expected $connections clean closes" >&2; exit 1; }

echo "== soak: $soak_messages messages through one connection"
timeout 90 "$bin/load_many" soak "$url" "$soak_messages" "$server" | tee -a "$report"
kill -0 "$server" || { echo "echo_server died" >&2; exit 1; }

echo "== slowloris: a request sent one byte per second"
# echo_server keeps the default 10 s handshake timeout. The connection must
# be dropped then: not before, and at the latest ten times later, on a
# loaded machine. The request is never finished.
timeout 150 python3 - "$port" <<'PY' | tee -a "$report"
import socket, sys, time
HANDSHAKE_TIMEOUT, LATEST = 10.0, 100.0
request = (b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
# Before connecting, so before the server's deadline starts.
start = time.monotonic()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.settimeout(1.0)
sent, dropped = 0, False
# All but the blank line that would end the request.
for b in request[:-2]:
    if time.monotonic() - start > LATEST:
        break
    try:
        s.sendall(bytes([b]))
        sent += 1
        if s.recv(64) == b"":
            dropped = True
            break
    except socket.timeout:
        continue
    except OSError:
        dropped = True
        break
elapsed = time.monotonic() - start
print(f"slowloris: dropped={dropped} after {elapsed:.1f} s and {sent} of {len(request)} bytes")
if not dropped or not HANDSHAKE_TIMEOUT - 0.5 <= elapsed <= LATEST:
    sys.exit(f"slowloris not dropped at the {HANDSHAKE_TIMEOUT:.0f} s handshake timeout")
PY
echo "load, soak and slowloris passed"

if [ -n "$update_doc" ]; then
  {
    echo "What \`examples/load_many.rs\` and the slowloris client reported, on 127.0.0.1"
    echo "(\`ulimit -n\` $(ulimit -n)):"
    echo
    echo '```text'
    cat "$report"
    echo '```'
  } | python3 scripts/update-measurements.py scripts/load.sh "bash scripts/load.sh --update-doc"
fi
