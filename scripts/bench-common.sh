# What the benchmark scripts share, sourced (not run) by scripts/*-bench.sh
# from the repository's root: their arguments with --update-doc picked
# out, where the examples are built, crate versions from Cargo.lock, the
# machine, free ports, and the writing of a table into its section of
# scripts/measurements.md.

# bench_args ARGS...: sets update_doc (1 when --update-doc is among ARGS,
# else empty) and args, the other arguments in order.
bench_args() {
  update_doc=
  args=()
  for arg in "$@"; do
    case $arg in
      --update-doc) update_doc=1 ;;
      *) args+=("$arg") ;;
    esac
  done
}

target_dir=${CARGO_TARGET_DIR:-target}
bin="$target_dir/release/examples"

# crate_version NAME: the version of the crate NAME in Cargo.lock.
crate_version() {
  awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock
}

# machine: the CPU's model and how many CPUs there are.
machine() {
  echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
}

# A port the OS reports free.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listening NAME PORT: waits up to 10 s for the server NAME to accept
# connections on PORT; exits the script if it does not.
wait_listening() {
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
      return
    fi
    sleep 0.1
  done
  echo "$1 did not start listening on $2" >&2
  exit 1
}

# write_doc SECTION COMMAND: with --update-doc, writes the Markdown on
# standard input into SECTION of scripts/measurements.md, as made by
# COMMAND --update-doc; without it, reads it and writes nothing (so that
# a writer piping into it does not fail under pipefail).
write_doc() {
  if [ -n "$update_doc" ]; then
    python3 scripts/update-measurements.py "$1" "$2 --update-doc"
  else
    cat >/dev/null
  fi
}
