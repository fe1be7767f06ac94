#!/usr/bin/env bash
# One WebSocket over HTTP/3 against one over HTTP/2 and one over HTTP/1.1,
# all over TLS on 127.0.0.1 (examples/h3_bench.rs, features http2 and
# http3), each echoing 1 KiB and then 64 KiB binary messages one at a
# time; messages per second, round trip p50 and p99, the median of ROUNDS
# rounds.
#
#   scripts/http3-bench.sh [SECONDS_PER_RUN] [ROUNDS] [--update-doc]   # default 3 and 3
#
# The server is a second process (TCP and UDP on the same port number);
# certificates are made for the run by the tls_certs example. --update-doc
# also writes the table into its section of scripts/measurements.md.
# About 20 s with the defaults, after the build.
#
# A benchmark, not a test: the numbers depend on the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/bench-common.sh
bench_args "$@"
SECONDS_PER_RUN=${args[0]:-3}
ROUNDS=${args[1]:-3}

cargo build --release --quiet --features http2,http3 --example h3_bench
cargo build --release --quiet -p hybi-dev --example tls_certs

certs=$(mktemp -d)
table=$(mktemp)
trap 'rm -rf "$certs" "$table"' EXIT
"$bin/tls_certs" "$certs" >/dev/null
"$bin/h3_bench" "$certs/cert.pem" "$certs/key.pem" "$certs/ca.pem" "$SECONDS_PER_RUN" "$ROUNDS" 1024 65536 >"$table"
cat "$table"

write_doc scripts/http3-bench.sh "bash scripts/http3-bench.sh $SECONDS_PER_RUN $ROUNDS" <"$table"
