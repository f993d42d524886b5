#!/usr/bin/env bash
# Makes the image's initrd on the host from the staged root: busybox and the C library it
# loads, the modules listed in firmware/initramfs/modules with what they depend on, and /init
# (the A/B slot choice). Uncompressed: the .img.xz compresses it anyway, and the kernel then
# unpacks it without inflating (faster under TCG). Files go in a fixed order; their time stamps
# are the build's, so two builds differ in those only.
#   firmware/initramfs/build.sh ROOT KVER OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$1 kver=$2 out=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,run,root,etc,lib/aarch64-linux-gnu}
# Without /dev/console in the initrd the kernel starts /init with no output at all.
mknod -m 600 "$work/dev/console" c 5 1

install -m755 "$root/usr/bin/busybox" "$work/bin/busybox"
for lib in $(aarch64-linux-gnu-readelf -d "$root/usr/bin/busybox" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  case "$lib" in
    ld-linux-*) cp -L "$root/usr/lib/$lib" "$work/lib/$lib" ;;
    *) cp -L "$root/usr/lib/aarch64-linux-gnu/$lib" "$work/lib/aarch64-linux-gnu/$lib" ;;
  esac
done
for applet in sh mount umount mkdir cat echo sleep mv sync findfs modprobe switch_root reboot; do
  ln -s busybox "$work/bin/$applet"
done
# The kernel asks /sbin/modprobe (its default, kept for the root) for modules by alias: crc32c
# for ext4, a codepage for vfat.
mkdir -p "$work/sbin"
ln -s ../bin/busybox "$work/sbin/modprobe"
install -m755 "$here/init" "$work/init"

# Modules by name ('-' and '_' are the same to the kernel), each with its dependencies.
moddir="$root/usr/lib/modules/$kver"
wanted=$(grep -v '^\s*#' "$here/modules" | tr -s ' \n' '\n' | grep -v '^$')
files=$(for m in $wanted; do
  name=$(echo "$m" | sed 's/[-_]/[-_]/g')
  line=$(grep -E "(^|/)$name\.ko[^/:]*:" "$moddir/modules.dep" || true)
  if [ -z "$line" ]; then
    grep -qE "/$name\.ko" "$moddir/modules.builtin" \
      || { echo "initramfs: no module $m in kernel $kver" >&2; exit 1; }
    continue
  fi
  echo "$line" | tr ' :' '\n\n' | grep -v '^$'
done | sort -u)
for f in $files; do install -D -m644 "$moddir/$f" "$work/lib/modules/$kver/$f"; done
cp "$moddir/modules.builtin" "$moddir/modules.builtin.modinfo" "$work/lib/modules/$kver/"
depmod -b "$work" "$kver"
echo $wanted > "$work/etc/initrd-modules"

(cd "$work" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | cpio -0 -o -H newc --quiet --reproducible) > "$out"
echo "initramfs: $(du -h "$out" | cut -f1) ($(echo "$files" | wc -w) modules, busybox $(du -h "$root/usr/bin/busybox" | cut -f1))" >&2
