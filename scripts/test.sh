#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs the peers the
# interoperability tests talk to (Chromium, Python websockets, Node ws) and
# the emulator the firmware runs on (QEMU), then runs
#
# - every Rust test of the workspace: unit tests, doc tests, tests/
#   including the interop tests that plain `cargo test` skips, and dev/tests/
#   (the property tests and the differential test against httparse);
# - the unit tests once more without features;
# - the firmware under QEMU against Python websockets.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/interop-setup.sh
cargo test --workspace --all-features -- --include-ignored
# The unit tests without features too: UTF-8 validation by core::str, not
# by simdutf8.
cargo test --lib
bash examples/firmware/run-tests.sh
