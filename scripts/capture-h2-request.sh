#!/usr/bin/env bash
# Captures the extended CONNECT (RFC 8441) that a headless browser sends
# over HTTP/2 for `new WebSocket("wss://127.0.0.1:PORT/chat?room=1",
# ["chat", "superchat"])`, from a page it loaded over HTTP/2 from Node's
# `http2` with enableConnectProtocol (tests/interop/h2_capture.js). Prints
# the browser's version and the fields in wire order, as Node's
# `rawHeaders` gave them: the source of the field lists in
# src/handshake/connect/tests.rs.
#
# Usage: scripts/capture-h2-request.sh [firefox|chromium]
#
#   firefox   `firefox-esr` (Debian package firefox-esr), with a fresh
#             profile whose NSS db trusts a throwaway CA (certutil, from
#             libnss3-tools)
#   chromium  /usr/bin/chromium, with --ignore-certificate-errors
#
# Not part of CI or of scripts/interop-setup.sh. Needs node, openssl and
# the browser. Everything it makes is under a temporary directory, removed
# at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

BROWSER="${1:-firefox}"
DIR="$(mktemp -d)"
SERVER_PID=""
BROWSER_PID=""
cleanup() {
  [ -n "$BROWSER_PID" ] && kill "$BROWSER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

# A throwaway CA and a certificate for 127.0.0.1 that it signs.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$DIR/ca.key" -out "$DIR/ca.pem" -days 2 -subj "/CN=hybi capture CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
  2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$DIR/key.pem" -out "$DIR/req.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
  >"$DIR/ext.cnf"
openssl x509 -req -in "$DIR/req.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" \
  -CAcreateserial -days 2 -extfile "$DIR/ext.cnf" -out "$DIR/cert.pem" 2>/dev/null

node tests/interop/h2_capture.js "$DIR/cert.pem" "$DIR/key.pem" >"$DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
  grep -q '^port ' "$DIR/server.log" && break
  sleep 0.1
done
PORT="$(sed -n 's/^port //p' "$DIR/server.log")"
[ -n "$PORT" ] || { cat "$DIR/server.log" >&2; exit 1; }
URL="https://127.0.0.1:$PORT/"

case "$BROWSER" in
  firefox)
    PROFILE="$DIR/profile"
    mkdir -p "$PROFILE"
    certutil -N -d "sql:$PROFILE" --empty-password
    certutil -A -d "sql:$PROFILE" -n testca -t "C,," -i "$DIR/ca.pem"
    # network.http.http2.websockets is true by default in ESR 153; with it
    # false, the WebSocket goes over a new HTTP/1.1 connection instead (the
    # server then prints `upgrade ...` and this script fails).
    cat >"$PROFILE/user.js" <<'EOF'
user_pref("network.http.http2.websockets", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.enabled", false);
EOF
    firefox-esr --version
    firefox-esr --headless --profile "$PROFILE" --no-remote "$URL" >"$DIR/browser.log" 2>&1 &
    BROWSER_PID=$!
    ;;
  chromium)
    chromium --version
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --ignore-certificate-errors --user-data-dir="$DIR/chromium" "$URL" \
      >"$DIR/browser.log" 2>&1 &
    BROWSER_PID=$!
    ;;
  *)
    echo "usage: $0 [firefox|chromium]" >&2
    exit 64
    ;;
esac

status=0
wait "$SERVER_PID" || status=$?
SERVER_PID=""
grep -v '^port ' "$DIR/server.log" || true
if [ "$status" -ne 0 ]; then
  echo "== capture failed (server exit $status); browser log:" >&2
  cat "$DIR/browser.log" >&2
  exit 1
fi
# The fields, one a line, as they go in a Rust test.
sed -n 's/^connect //p' "$DIR/server.log" |
  node -e 'for (const [n, v] of JSON.parse(require("fs").readFileSync(0, "utf8")))
             console.log(`(${JSON.stringify(n)}, ${JSON.stringify(v)}),`)'
