#!/usr/bin/env python3
"""Rewrites one section of scripts/measurements.md: the lines between
<!-- NAME begin --> and <!-- NAME end --> become a line saying when, on
what machine and by which command the numbers were made, then the Markdown
read from standard input. Called by the scripts that measure, when given
--update-doc; the rest of the document is left as it is.

    python3 scripts/update-measurements.py NAME COMMAND < body.md

NAME is the section's marker name (the script's path, such as
scripts/size.sh); COMMAND is the command line that made the numbers. The
machine is the CPU model from /proc/cpuinfo, the number of CPUs and the
load average when the section is written (other work on a shared machine
shows there); the toolchain is `rustc --version` run in the current
directory (so a rust-toolchain file there counts). Fails, changing nothing, when the
markers are missing or appear more than once.
"""

import datetime
import os
import pathlib
import subprocess
import sys

DOC = pathlib.Path(__file__).resolve().parent / "measurements.md"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def rustc_version():
    try:
        return subprocess.run(["rustc", "--version"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "rustc not found"


def load():
    """The 1-minute load average: other work on a shared machine shows here."""
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "unknown"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    name, command = sys.argv[1], sys.argv[2]
    body = sys.stdin.read().strip("\n")
    begin, end = f"<!-- {name} begin -->", f"<!-- {name} end -->"
    text = DOC.read_text()
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        sys.exit(f"{DOC}: expected one '{begin}' and, after it, one '{end}'")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    stamp = (f"*{date}, {cpu_model()} ({os.cpu_count()} CPUs, load average {load()} when "
             f"written), {rustc_version()}: `{command}`. Written by that command; run it "
             f"again to update.*")
    DOC.write_text(f"{head}{begin}\n{stamp}\n\n{body}\n{end}{tail}")
    print(f"updated the {name} section of {DOC}", file=sys.stderr)


if __name__ == "__main__":
    main()
