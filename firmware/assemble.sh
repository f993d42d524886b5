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
bash "$here/initramfs/build.sh" "$root" "$kver" "$boot/initrd.img"
cp -r "$bdir/boot/." "$boot/"
for f in $BOOT_FIRMWARE; do cp "$root/usr/lib/raspi-firmware/$f" "$boot/"; done
[ -n "$BOOT_FIRMWARE" ] && cp "$root/usr/share/doc/raspi-firmware/copyright" "$boot/LICENCE.raspi-firmware"
for pat in $BOOT_DTBS; do
  # shellcheck disable=SC2086
  cp $root/usr/lib/linux-image-$kver/$pat "$boot/"
done

# Versions /system routerboard print shows (firmware/kernel.sh wrote them).
mkdir -p "$boot/ab"
cp "$root/boot/versions" "$boot/ab/versions"

step "assemble $board: prune the root to a router's size"
moddir="$root/usr/lib/modules/$kver"
before=$(du -sm "$moddir" | cut -f1)
keep=$(mktemp)
grep -v '^\s*#' "$here/modules.keep" | grep -v '^\s*$' > "$keep.re"
# modules.dep lines: "kernel/a.ko: kernel/b.ko kernel/c.ko" with full transitive dependencies.
grep -v '^\s*#' "$here/modules.drop" | grep -v '^\s*$' > "$keep.drop"
sed 's#^kernel/##' "$moddir/modules.dep" | awk -F: '{print $1}' | grep -E -f "$keep.re" | grep -v -E -f "$keep.drop" | sed 's#^#kernel/#' > "$keep.roots"
grep -F -f <(sed 's/$/:/' "$keep.roots") "$moddir/modules.dep" | tr ' :' '\n\n' | grep -v '^$' | sort -u > "$keep"
(cd "$moddir" && find kernel -name '*.ko*' | sort) | comm -23 - "$keep" | (cd "$moddir" && xargs -r rm -f)
find "$moddir/kernel" -type d -empty -delete
depmod -b "$root" "$kver"
step "assemble $board:   modules $before MB -> $(du -sm "$moddir" | cut -f1) MB ($(wc -l < "$keep") kept)"
rm -f "$keep" "$keep.re" "$keep.roots" "$keep.drop"
# Boot files live on the FAT partition only; no package manager at run time.
rm -rf "$root"/boot/* "$root/usr/lib/linux-image-$kver" "$root/usr/lib/raspi-firmware" "$root/boot/firmware"
rm -rf "$root"/usr/bin/apt* "$root/usr/lib/apt" "$root/var/lib/apt" "$root/var/cache/apt" "$root/etc/apt" \
       "$root"/usr/lib/systemd/system/apt-* "$root"/usr/bin/dpkg* "$root/var/lib/dpkg" "$root/var/cache/debconf" \
       "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale" \
       "$root/usr/share/lintian" "$root/usr/share/bash-completion" "$root/var/log"/* "$root"/tmp/*
# Full perl (pulled in by build-time tools) is 48 MB nothing runs at run time; perl-base stays.
rm -rf "$root"/usr/share/perl/5.* "$root"/usr/lib/*-linux-gnu/perl/5.* "$root"/usr/lib/*-linux-gnu/libperl.so*
find "$root/usr/lib" -name '__pycache__' -prune -exec rm -rf {} +
# udev's hardware database (20 MB) only names devices for desktops; the NICs are named by the
# .link files (driver, bus path). perl-base served dpkg's scripts only; gconv's character-set
# converters (20 MB) serve iconv, which neither Node nor systemd calls.
rm -rf "$root/usr/lib/udev/hwdb.bin" "$root/usr/lib/udev/hwdb.d" "$root/etc/udev/hwdb.bin" \
       "$root"/usr/bin/perl* "$root/usr/share/perl5" "$root"/usr/lib/*-linux-gnu/perl-base \
       "$root"/usr/lib/*-linux-gnu/gconv "$root"/usr/lib/*-linux-gnu/libapt-*

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
bash "$here/compile-cache.sh" "$root" || step "assemble $board: no V8 compile cache (the daemon compiles at boot instead)"

step "assemble $board: systemd units (routerd owns the console; no getty, no first-boot wizard)"
# An empty machine-id on a read-only root: systemd keeps a transient one in /run, and this is
# never a "first boot" (no systemd-firstboot prompts on the serial line).
: > "$root/etc/machine-id"
systemctl --root="$root" enable routerd.service >/dev/null 2>&1
for u in serial-getty@.service getty@.service console-getty.service systemd-firstboot.service \
         e2scrub_reap.service e2scrub_all.timer; do
  ln -sfn /dev/null "$root/etc/systemd/system/$u"
done
bash "$here/boot-speed.sh" "$root"

step "assemble $board: A/B slots (initrd slot choice, trial confirmation, reboot requests)"
mkdir -p "$root/boot/firmware"
install -D -m644 "${VENDOR_KEY:-$here/keys/dev-vendor.pub.pem}" "$root/etc/routerd/vendor.pub.pem"
systemctl --root="$root" enable ab-confirm.service routerd-reboot.path >/dev/null 2>&1
version=${IMAGE_VERSION:-$(node -p 'require(process.argv[1]).version' "$top/package.json")}
mkdir -p "$boot/ab"
printf 'active=a\ntry=\ntries=0\nversion_a=%s\nversion_b=\nrolledback=\n' "$version" > "$boot/ab/state"
printf '%s\n' "$board" > "$boot/ab/board"
if [ -f "$boot/config.txt" ]; then
  # The Pi firmware's one-shot trial: `reboot '0 tryboot'` boots tryboot.txt once, whose
  # command line tells the initrd to mount the slot on trial.
  { cat "$boot/config.txt"; echo '# A/B trial boot (firmware tryboot): the initrd mounts the slot on trial.'; echo 'cmdline=cmdline-tryboot.txt'; } > "$boot/tryboot.txt"
  printf '%s ab.tryboot=1\n' "$(tr -d '\n' < "$boot/cmdline.txt")" > "$boot/cmdline-tryboot.txt"
fi

step "assemble $board: file systems"
comp=${SQUASHFS_COMP:-xz}
case "$comp" in
  xz) compopts=(-comp xz -Xdict-size 100%) ;;
  zstd) compopts=(-comp zstd -Xcompression-level "${SQUASHFS_ZSTD_LEVEL:-15}") ;;
  *) compopts=(-comp "$comp") ;;
esac
mksquashfs "$root" "$parts/slot.squashfs" "${compopts[@]}" -b "${SQUASHFS_BLOCK:-1M}" -noappend -no-progress -quiet -no-xattrs >/dev/null
sqmb=$(( ($(stat -c %s "$parts/slot.squashfs") + 1048575) / 1048576 ))
# A slot holds this root and a bigger one later: the partition table never changes in the field.
slotmb=${SLOT_MB:-$(( (sqmb * 3 / 2 + 32 + 15) / 16 * 16 ))}
bootmb=$(( $(du -sm "$boot" | cut -f1) + 24 )); [ "$bootmb" -lt 64 ] && bootmb=64
# The data partition also stages an update file (one slot's worth) before it is installed.
datamb=${DATA_MB:-$(( slotmb + 64 ))}
mkfs.vfat -C -F 32 -n ROUTERBOOT "$parts/boot.vfat" $(( bootmb * 1024 )) >/dev/null
mcopy -s -i "$parts/boot.vfat" "$boot"/* ::
mkfs.ext4 -q -F -L ROUTERDATA -m 0 "$parts/data.ext4" "${datamb}M"
step "assemble $board:   boot ${bootmb} MB, slots 2 x ${slotmb} MB (a: ${sqmb} MB squashfs $comp, version $version; b: empty), data ${datamb} MB"
bash "$here/size-table.sh" "$root" "$boot" "$parts/slot.squashfs" "$kver" | tee "$build/size-table.txt" >&2

step "assemble $board: genimage (MBR: boot, slot a, slot b, data)"
mkdir -p "$build/genimage-root" "$build/genimage-tmp"
sed "s/@SLOT_MB@/${slotmb}M/g" "$bdir/genimage.cfg" > "$build/genimage.cfg"
genimage --config "$build/genimage.cfg" --inputpath "$parts" --outputpath "$build" \
  --rootpath "$build/genimage-root" --tmppath "$build/genimage-tmp" >/dev/null 2>"$build/genimage.log" \
  || { cat "$build/genimage.log" >&2; die "genimage failed"; }
mv "$build/sdcard.img" "$out"
# The slot image stays beside the root for update files built from it (firmware/update-file.sh).
mv "$parts/slot.squashfs" "$build/slot.squashfs"
echo "$version" > "$build/version"
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
