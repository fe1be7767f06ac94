# The versions of everything the scripts install from outside the
# repository, pinned in this one place so that a release elsewhere cannot
# change what CI runs. Sourced (not run) by .ci/run, scripts/*.sh,
# fuzz/run.sh and examples/firmware/run-tests.sh. To move to newer ones,
# change them here and run `bash .ci/run`.
#
# Debian packages (Chromium, QEMU, the Arm binutils) come from the
# machine's Debian release and are not pinned.

# The nightly for cargo-fuzz, Miri and -Zbuild-std=core:
# rustc 1.97.0-nightly (e50aa6fba 2026-05-19), with the components miri and
# rust-src.
NIGHTLY=nightly-2026-05-20

# cargo-fuzz (crates.io), installed with --locked.
CARGO_FUZZ_VERSION=0.13.2

# Python `websockets` (PyPI): the interop tests' peer and the host side of
# the firmware tests.
PY_WEBSOCKETS_VERSION=17.4

# Python `hypercorn` (PyPI): an independent server of WebSockets over
# HTTP/2 (RFC 8441) for hybi's HTTP/2 client, in the same virtualenv.
PY_HYPERCORN_VERSION=0.18.0

# Python `h2` (PyPI), hypercorn's HTTP/2, which the interop tests also use
# with its checks off to send requests no HTTP/2 library sends.
PY_H2_VERSION=4.4.1

# Python `aioquic` (PyPI): an independent QUIC and HTTP/3 implementation,
# the peer of WebSockets over HTTP/3 (RFC 9220) both ways, in the same
# virtualenv.
PY_AIOQUIC_VERSION=1.7.2

# Node `ws` and `playwright-core` (npm), for the interop tests; neither has
# dependencies of its own. playwright-core drives Debian's Chromium and
# downloads no browser.
NPM_WS_VERSION=8.23.1
NPM_PLAYWRIGHT_CORE_VERSION=1.65.2

# The oldest Rust hybi builds with: Cargo.toml's rust-version, the one
# place it is written.
MSRV=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../Cargo.toml")
if [ -z "$MSRV" ]; then
  echo "scripts/versions.sh: no rust-version in Cargo.toml" >&2
  exit 1
fi
