#!/usr/bin/env bash
# Installs the Debian packages an area needs, listed one per line in tools/debian-packages/*.txt.
# `base` is what building and running the daemon needs; `test` is everything the test suite
# needs (every list: the suite builds and boots the qemu-virt image); any other name installs
# that list alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
want=${1:-base}
case "$want" in
  base) lists=("$here/debian-packages/base.txt") ;;
  test) mapfile -t lists < <(ls "$here"/debian-packages/*.txt) ;;
  *) lists=("$here/debian-packages/$want.txt") ;;
esac
missing=()
for pkg in $(grep -hv '^\s*#' "${lists[@]}" | tr -s ' \n' '\n' | sort -u); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
