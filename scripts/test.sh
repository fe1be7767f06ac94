#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs the peers the
# interoperability tests talk to (Chromium, Python websockets, hypercorn and aioquic, Node ws) and
# the emulator the firmware runs on (QEMU), then runs
#
# - every Rust test of the workspace: unit tests, doc tests, tests/, and
#   dev/tests/ (the property tests, the differential test against httparse,
#   the TLS tests and the interop tests that plain `cargo test` skips);
# - the unit tests once more without features;
# - the firmware under QEMU against Python websockets;
# - the no_std wss:// client (embedded-tls) against echo_server --tls, on
#   the host and under QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/interop-setup.sh
cargo test --workspace --all-features -- --include-ignored
# The unit tests without features too: UTF-8 validation by core::str, not
# by simdutf8.
cargo test --lib
bash examples/firmware/run-tests.sh
bash examples/tls-client/run-tests.sh
