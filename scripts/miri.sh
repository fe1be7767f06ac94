#!/usr/bin/env bash
# Miri over the only unsafe code outside the standard library that runs on
# hybi's data: simdutf8's SIMD UTF-8 validation (feature `simdutf8`), as
# `Utf8Validator` and the connection's text handling call it. hybi itself is
# #![forbid(unsafe_code)], so Miri finds nothing there that `cargo test`
# does not; the unit tests of `utf8` feed simdutf8 whole blocks, chunk
# boundaries and invalid bytes at block edges, and Miri checks every
# pointer and SIMD access they cause.
#
#   scripts/miri.sh              # SSE 4.2 path: the one CI runs
#   SIMD=avx2 scripts/miri.sh    # AVX2 path: see below
#
# The AVX2 path of simdutf8 0.1.5 (the latest release) computes the address
# of a prefetch hint with `pointer::add` past the end of the input, which
# Miri reports as undefined behaviour (nothing is read there; the address
# only feeds a prefetch instruction). It is fixed upstream
# (rusticstuff/simdutf8#120) but not released, so CI runs the SSE 4.2 path,
# which does not prefetch. Run SIMD=avx2 after upgrading simdutf8.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/versions.sh

SIMD=${SIMD:-sse4.2}

# The nightly scripts/versions.sh pins.
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$NIGHTLY" --profile minimal
fi
rustup component add miri rust-src --toolchain "$NIGHTLY"
# Without `std`, simdutf8 picks its implementation from the target features
# enabled at compile time.
RUSTFLAGS="-C target-feature=+$SIMD" \
  cargo "+$NIGHTLY" miri test --lib --no-default-features --features simdutf8 -- utf8::
