#!/usr/bin/env bash
# Adds the A/B slot choice to the cached root's initrd without rebuilding the root (mkinitramfs
# runs under qemu-user and would invalidate the cached root): unpacks it, adds /scripts/ab and
# the squashfs module, repacks it uncompressed: the .img.xz compresses it better than gzip -9
# does (about 1.5 MiB less), and the kernel unpacks it without inflating (a faster boot under
# TCG). The boot partition holds 22 MB instead of 7.
#   firmware/ab/patch-initrd.sh INITRD ROOT KVER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
initrd=$1 root=$2 kver=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$(file -b "$initrd")" in
  gzip*) cat=zcat ;;
  Zstandard*) cat=zstdcat ;;
  *cpio*) cat=cat ;;
  *) echo "patch-initrd: unknown initrd format: $(file -b "$initrd")" >&2; exit 1 ;;
esac
(cd "$work" && $cat "$initrd" | cpio -id --quiet)
install -m644 "$here/initramfs-boot-ab" "$work/scripts/ab"
mkdir -p "$work/usr/lib/modules/$kver/kernel/fs/squashfs"
cp "$root/usr/lib/modules/$kver/kernel/fs/squashfs/squashfs.ko"* "$work/usr/lib/modules/$kver/kernel/fs/squashfs/"
depmod -b "$work" "$kver"
# The initrd's udev has already probed the disk (labels, partitions) and its database in /run/udev
# carries over into the root. Tagged for systemd, those block devices are "plugged" the moment
# systemd starts, so /data and /boot/firmware mount at once instead of waiting for the root's udev
# to start and replay its whole coldplug (about 10 s of a loaded TCG boot, issue 18).
printf '%s\n' 'SUBSYSTEM=="block", ACTION!="remove", TAG+="systemd"' > "$work/usr/lib/udev/rules.d/99-router-systemd.rules"
# A fixed order and time stamps keep the repacked initrd byte-identical between builds.
(cd "$work" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | cpio -0 -o -H newc --quiet --reproducible) > "$initrd.new"
mv "$initrd.new" "$initrd"
