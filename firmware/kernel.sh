#!/usr/bin/env bash
# mmdebstrap customize hook: puts the arm64 kernel and the Raspberry Pi boot firmware into the
# root on the host (dpkg-deb -x, host depmod) instead of through dpkg in the chroot. Installed
# by dpkg they cost most of the root's build time: their 300 MB unpacked by an emulated dpkg,
# depmod emulated, and Debian's mkinitramfs run twice under qemu-user, for an initrd the image
# does not use (firmware/initramfs/build.sh makes its own). Their maintainer scripts do nothing
# else the image keeps. The versions go to /boot/versions for /system routerboard print.
#   firmware/kernel.sh ROOT        (APT_CONFIG from mmdebstrap: MMDEBSTRAP_APT_CONFIG)
set -euo pipefail
root=$1
export APT_CONFIG=${MMDEBSTRAP_APT_CONFIG:?run as an mmdebstrap hook}
# linux-image-arm64 is a metapackage: the image package it depends on carries the kernel.
image=$(apt-cache depends linux-image-arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\)$/\1/p' | head -1)
[ -n "$image" ] || { echo "kernel.sh: no linux-image-*-arm64 behind linux-image-arm64" >&2; exit 1; }
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
(cd "$debs" && apt-get download "$image" raspi-firmware >&2)
: > "$root/boot/versions.new"
for deb in "$debs"/*.deb; do
  # The packages still use /lib: the root's /lib is a symlink to usr/lib (merged /usr), kept.
  dpkg-deb --fsys-tarfile "$deb" | tar -C "$root" -x --keep-directory-symlink --no-same-owner
  name=$(dpkg-deb -f "$deb" Package) version=$(dpkg-deb -f "$deb" Version)
  case "$name" in linux-image-*) name=linux ;; esac
  echo "$name=$version" >> "$root/boot/versions.new"
done
mv "$root/boot/versions.new" "$root/boot/versions"
kver=${image#linux-image-}
depmod -b "$root" "$kver"
echo "kernel.sh: $(tr '\n' ' ' < "$root/boot/versions")(kernel $kver, unpacked on the host)" >&2
