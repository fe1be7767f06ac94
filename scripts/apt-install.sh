#!/usr/bin/env bash
# Installs the Debian packages named that are not installed yet, with
# apt-get: says first which ones, on one line ("installing with apt: ..."),
# installs no recommended extras, and never removes a package (with
# --no-remove, apt-get fails rather than take one away). Does nothing, and
# needs no network, when all of them are there. As root, or through sudo.
#
#   bash scripts/apt-install.sh PACKAGE...
#
# The one place the scripts call apt-get from.
set -euo pipefail

missing=()
for package in "$@"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing with apt: ${missing[*]}"
apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
if [ "$(id -u)" -ne 0 ]; then
  apt=(sudo "${apt[@]}")
fi
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends --no-remove "${missing[@]}"
