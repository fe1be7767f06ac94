#!/usr/bin/env bash
# Installs the peers the interoperability tests (dev/tests/interop.rs) talk to,
# and builds the example they test:
#
#   Chromium             /usr/bin/chromium        Debian package `chromium`
#   Python `websockets`  target/interop/venv      PyPI
#   Python `hypercorn`   target/interop/venv      PyPI (WebSockets over HTTP/2)
#   Python `aioquic`     target/interop/venv      PyPI (QUIC and HTTP/3, WebSockets over HTTP/3)
#   Node `ws`            target/interop/node      npm
#   `playwright-core`    target/interop/node      npm (downloads no browser)
#   echo_server          cargo build --release --features http2,http3,deflate --example echo_server
#
# Node's own `http2` module is the HTTP/2 peer on the Node side.
#
# websockets, hypercorn, aioquic, ws and playwright-core at the versions scripts/versions.sh
# pins. Safe to run again: Debian packages (chromium; python3-venv and
# nodejs only if missing) are installed when absent, the virtualenv is made
# once, and websockets, hypercorn, aioquic, ws and playwright-core are installed when not at
# their pinned versions. Prints the versions it ends with. Then:
#
#   cargo test -p hybi-dev --all-features --test interop -- --include-ignored
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh

INTEROP="target/interop"
VENV="$INTEROP/venv"
NODE_PREFIX="$INTEROP/node"
PYTHON="${PYTHON:-python3}"
mkdir -p "$INTEROP"

# Says what it installs, installs only what is missing, removes nothing.
apt_install() {
  bash scripts/apt-install.sh "$@"
}

echo "== interop: Chromium (Debian package)"
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

echo "== interop: Python websockets, hypercorn and aioquic in $VENV"
if ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV"; then
    rm -rf "$VENV"
    apt_install python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
  "websockets==$PY_WEBSOCKETS_VERSION" "hypercorn==$PY_HYPERCORN_VERSION" \
  "h2==$PY_H2_VERSION" \
  "aioquic==$PY_AIOQUIC_VERSION"

echo "== interop: Node ws and playwright-core in $NODE_PREFIX"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
# playwright-core never downloads a browser: the tests use /usr/bin/chromium.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$NODE_PREFIX" \
  --no-audit --no-fund --no-save --loglevel=error \
  "ws@$NPM_WS_VERSION" "playwright-core@$NPM_PLAYWRIGHT_CORE_VERSION"

echo "== interop: echo_server example"
cargo build --release --features http2,http3,deflate --example echo_server

echo "== interop: versions"
echo "python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())')," \
  "websockets $("$VENV/bin/python" -c 'import websockets; print(websockets.__version__)')," \
  "hypercorn $("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("hypercorn"))')," \
  "h2 $("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("h2"))')," \
  "aioquic $("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("aioquic"))')"
echo "node $(node --version)," \
  "ws $(node -p "require('./$NODE_PREFIX/node_modules/ws/package.json').version")," \
  "playwright-core $(node -p "require('./$NODE_PREFIX/node_modules/playwright-core/package.json').version")"
# (Debian's wrapper script may print a shell warning on stderr.)
/usr/bin/chromium --version 2>/dev/null
