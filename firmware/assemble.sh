#!/usr/bin/env bash
# Assembles out/<name>-<board>.img(.xz, .bmap, .sha256) from the cached Debian root, the
# rootfs/ and board overlays, the Node runtime and the staged daemon. Runs on the host only
# (no arm64 code), so it takes about a minute, most of it xz.
#   firmware/assemble.sh BOARD ROOT_TARBALL NODE_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
board=$1 tarball=$2 nodebin=$3
bdir="$top/board/$board"
[ -f "$bdir/board.conf" ] || die "unknown board '$board' (have: $(ls "$top/board" | grep -v README | tr '\n' ' '))"
. "$bdir/board.conf"
name=$(node -p 'require(process.argv[1]).name' "$top/package.json")
build="$top/out/build/$board"
root="$build/root" boot="$build/boot" parts="$build/parts"
out="$top/out/$name-$board.img"

rm -rf "$build"; mkdir -p "$root" "$boot" "$parts"
step "assemble $board: unpack the Debian root"
tar -C "$root" --numeric-owner -xpf "$tarball"

kver=$(ls "$root/usr/lib/modules" | sort -V | tail -1)
step "assemble $board: boot partition (kernel $kver)"
cp "$root/boot/vmlinuz-$kver" "$boot/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$boot/initrd.img"
cp -r "$bdir/boot/." "$boot/"
for f in $BOOT_FIRMWARE; do cp "$root/usr/lib/raspi-firmware/$f" "$boot/"; done
[ -n "$BOOT_FIRMWARE" ] && cp "$root/usr/share/doc/raspi-firmware/copyright" "$boot/LICENCE.raspi-firmware"
for pat in $BOOT_DTBS; do
  # shellcheck disable=SC2086
  cp $root/usr/lib/linux-image-$kver/$pat "$boot/"
done

step "assemble $board: prune the root to a router's size"
moddir="$root/usr/lib/modules/$kver"
before=$(du -sm "$moddir" | cut -f1)
keep=$(mktemp)
grep -v '^\s*#' "$here/modules.keep" | grep -v '^\s*$' > "$keep.re"
# modules.dep lines: "kernel/a.ko: kernel/b.ko kernel/c.ko" with full transitive dependencies.
sed 's#^kernel/##' "$moddir/modules.dep" | awk -F: '{print $1}' | grep -E -f "$keep.re" | sed 's#^#kernel/#' > "$keep.roots"
grep -F -f <(sed 's/$/:/' "$keep.roots") "$moddir/modules.dep" | tr ' :' '\n\n' | grep -v '^$' | sort -u > "$keep"
(cd "$moddir" && find kernel -name '*.ko*' | sort) | comm -23 - "$keep" | (cd "$moddir" && xargs -r rm -f)
find "$moddir/kernel" -type d -empty -delete
depmod -b "$root" "$kver"
step "assemble $board:   modules $before MB -> $(du -sm "$moddir" | cut -f1) MB ($(wc -l < "$keep") kept)"
rm -f "$keep" "$keep.re" "$keep.roots"
# Boot files live on the FAT partition only; no package manager at run time.
rm -rf "$root"/boot/* "$root/usr/lib/linux-image-$kver" "$root/usr/lib/raspi-firmware" "$root/boot/firmware"
rm -rf "$root"/usr/bin/apt* "$root/usr/lib/apt" "$root/var/lib/apt" "$root/var/cache/apt" "$root/etc/apt" \
       "$root"/usr/lib/systemd/system/apt-* "$root"/usr/bin/dpkg* "$root/var/lib/dpkg" "$root/var/cache/debconf" \
       "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale" \
       "$root/usr/share/lintian" "$root/usr/share/bash-completion" "$root/usr/share/initramfs-tools" \
       "$root/etc/initramfs-tools" "$root/usr/sbin/mkinitramfs" "$root/var/log"/* "$root"/tmp/*
# Full perl (pulled in by build-time tools) is 48 MB nothing runs at run time; perl-base stays.
rm -rf "$root"/usr/share/perl/5.* "$root"/usr/lib/*-linux-gnu/perl/5.* "$root"/usr/lib/*-linux-gnu/libperl.so*
find "$root/usr/lib" -name '__pycache__' -prune -exec rm -rf {} +

step "assemble $board: overlays (rootfs/, board/$board/rootfs-overlay/)"
cp -rT --preserve=mode,timestamps "$top/rootfs" "$root"
rm -f "$root/README.md"
# Mount points of rootfs/etc/fstab that Debian's root lacks; the root is read-only at run time,
# so they must exist in the image (git keeps no empty directory in rootfs/).
mkdir -p "$root/data"
[ -d "$bdir/rootfs-overlay" ] && cp -rT --preserve=mode,timestamps "$bdir/rootfs-overlay" "$root"
[ -x "$bdir/post-build.sh" ] && "$bdir/post-build.sh" "$root"

bash "$here/app.sh" "$root/opt/routerd"
install -D -m755 "$nodebin" "$root/opt/routerd/bin/node"
ln -sf /opt/routerd/bin/node "$root/usr/local/bin/node"

step "assemble $board: systemd units (routerd owns the console; no getty, no first-boot wizard)"
# An empty machine-id on a read-only root: systemd keeps a transient one in /run, and this is
# never a "first boot" (no systemd-firstboot prompts on the serial line).
: > "$root/etc/machine-id"
systemctl --root="$root" enable routerd.service >/dev/null 2>&1
for u in serial-getty@.service getty@.service console-getty.service systemd-firstboot.service \
         e2scrub_reap.service e2scrub_all.timer; do
  ln -sfn /dev/null "$root/etc/systemd/system/$u"
done

step "assemble $board: file systems"
rootmb=$(( $(du -sm "$root" | cut -f1) * 115 / 100 + 32 ))
bootmb=$(( $(du -sm "$boot" | cut -f1) + 24 )); [ "$bootmb" -lt 64 ] && bootmb=64
datamb=${DATA_MB:-64}
mkfs.vfat -C -F 32 -n ROUTERBOOT "$parts/boot.vfat" $(( bootmb * 1024 )) >/dev/null
mcopy -s -i "$parts/boot.vfat" "$boot"/* ::
mkfs.ext4 -q -F -L ROUTERROOT -m 0 -d "$root" "$parts/rootfs.ext4" "${rootmb}M"
mkfs.ext4 -q -F -L ROUTERDATA -m 0 "$parts/data.ext4" "${datamb}M"
step "assemble $board:   boot ${bootmb} MB, root ${rootmb} MB ($(du -sm "$root" | cut -f1) MB used), data ${datamb} MB"

step "assemble $board: genimage (MBR: boot, root, data)"
mkdir -p "$build/genimage-root" "$build/genimage-tmp"
genimage --config "$bdir/genimage.cfg" --inputpath "$parts" --outputpath "$build" \
  --rootpath "$build/genimage-root" --tmppath "$build/genimage-tmp" >/dev/null 2>"$build/genimage.log" \
  || { cat "$build/genimage.log" >&2; die "genimage failed"; }
mv "$build/sdcard.img" "$out"
rm -rf "$parts" "$build/genimage-tmp"

if [ "${IMAGE_COMPRESS:-yes}" = no ]; then
  # `make test` boots the raw image only; xz is most of the assembly time. No stale .xz/.bmap
  # may sit beside a newer .img.
  rm -f "$out.xz" "$out.bmap" "$out.xz.sha256"
  step "image: $out ($(du -m --apparent-size "$out" | cut -f1) MiB raw; IMAGE_COMPRESS=no: no .xz, no .bmap)"
  exit 0
fi
step "assemble $board: bmap + xz -${XZ_LEVEL:-3} (progress below)"
bmaptool -q create -o "$out.bmap" "$out"
rm -f "$out.xz"
xz -T0 "-${XZ_LEVEL:-3}" -k -v "$out"
(cd "$(dirname "$out")" && sha256sum "$(basename "$out").xz" > "$(basename "$out").xz.sha256")
step "image: $out.xz ($(du -m --apparent-size "$out" | cut -f1) MiB raw, $(du -m --apparent-size "$out.xz" | cut -f1) MiB xz)"
