#!/usr/bin/env bash
# Builds the interop guest: a Debian amd64 kernel and a small initramfs holding the real Linux
# PPTP stack (pppd, pptp-linux, pptpd) on busybox, made only from Debian bookworm packages fetched
# with `apt-get download` (list: test/interop/guest/packages.txt). QEMU boots it with -accel tcg
# (see test/interop/guest.ts); what the guest does is told by an extra cpio the harness appends.
#
# Output (printed as the last line: the directory): $INTEROP_GUEST_CACHE or cache/interop-guest/
#   vmlinuz      the kernel from linux-image-amd64
#   initrd.img   gzipped newc cpio: busybox, ppp/pptp/pptpd with their libraries, modules, /init
#   manifest.txt package versions, sizes, build time
#   key          hash of this script, the package list and guest/* (a rebuild happens only when
#                it changes, or with --force)
# Runs as root on a fresh Debian machine (installs its own tools, runs apt-get update if the
# package lists are empty). Concurrent callers wait on a lock and reuse one build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${INTEROP_GUEST_CACHE:-$repo/cache/interop-guest}
force=0
[ "${1:-}" = "--force" ] && force=1

# Modules loaded at boot (their dependencies follow from modules.dep). virtio_pci/virtio_net for
# the NIC, virtio_console for the command shell's port (a serial UART drops input bytes under
# TCG), virtio_rng so pppd's random challenges never wait for entropy under TCG; ppp_deflate
# and bsd_comp are there because a stock Debian host has them, so pppd negotiates CCP as it does
# in the field.
modules="virtio_pci virtio_net virtio_console virtio_rng ppp_generic ppp_async ppp_synctty ppp_mppe ppp_deflate bsd_comp pptp gre slhc"
# The guest's programs, copied with the closure of their shared libraries.
programs="/usr/sbin/pppd /usr/sbin/pptp /usr/sbin/pptpd /usr/sbin/pptpctrl"

packages=$(grep -v '^\s*#' "$here/guest/packages.txt" | tr -s ' \n' '\n' | sed '/^$/d')
key=$( { cat "$0"; cat "$here/guest/packages.txt"; for f in "$here"/guest/*; do echo "$f"; cat "$f"; done; } \
  | sha256sum | cut -c1-16)

is_current() {
  [ "$force" = 0 ] && [ -f "$cache/key" ] && [ "$(cat "$cache/key")" = "$key" ] \
    && [ -s "$cache/vmlinuz" ] && [ -s "$cache/initrd.img" ]
}

if is_current; then echo "$cache"; exit 0; fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
# Another caller may have built it while we waited for the lock.
if is_current; then echo "$cache"; exit 0; fi

log() { echo "build-guest: $*" >&2; }
t0=$(date +%s.%N)

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (apt-get download, device nodes in the cpio)"; exit 1
fi
need=()
for tool in dpkg-deb:dpkg readelf:binutils cpio:cpio depmod:kmod modprobe:kmod modinfo:kmod gzip:gzip flock:util-linux; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
# A fresh machine may have no package lists yet.
if ! apt-cache show busybox-static >/dev/null 2>&1; then
  log "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
fi

work=$(mktemp -d /tmp/interop-guest.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# The metapackage only depends on the versioned image; fetch that one.
kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
[ -n "$kpkg" ] || { log "cannot resolve linux-image-amd64"; exit 1; }
fetch=()
for p in $packages; do
  if [ "$p" = linux-image-amd64 ]; then fetch+=("$kpkg"); else fetch+=("$p"); fi
done
log "downloading ${#fetch[@]} packages (kernel: $kpkg)"
mkdir -p "$work/debs"
chown _apt "$work/debs" 2>/dev/null || true
(cd "$work/debs" && apt-get download -q "${fetch[@]}" >&2)
t_download=$(date +%s.%N)

# Unpack: of the kernel (400 MB unpacked) only the image and the module subtrees the wanted
# modules and their dependencies live in (the final depmod below fails the build if one is
# missing); the other packages whole.
mkdir -p "$work/pkgs" "$work/kernel"
for deb in "$work"/debs/*.deb; do
  case "$(basename "$deb")" in
    linux-image-*)
      dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/kernel" --wildcards \
        './boot/vmlinuz-*' './lib/modules/*/modules.*' \
        './lib/modules/*/kernel/drivers/net/*' './lib/modules/*/kernel/drivers/virtio/*' \
        './lib/modules/*/kernel/drivers/char/*' './lib/modules/*/kernel/net/*' \
        './lib/modules/*/kernel/lib/*' './lib/modules/*/kernel/crypto/*' ;;
    *) dpkg-deb -x "$deb" "$work/pkgs" ;;
  esac
done
kver=$(ls "$work/kernel/lib/modules")

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/ppp/peers,etc/guest,lib/x86_64-linux-gnu,lib64,proc,sys,dev,run,tmp,var/log,var/run,root}
chmod 1777 "$root/tmp"

# busybox and its applet links (the host can run the static amd64 binary to list them).
cp "$work/pkgs/bin/busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# Programs and the closure of their NEEDED libraries, looked up in the unpacked packages only.
libdirs=("$work/pkgs/lib/x86_64-linux-gnu" "$work/pkgs/usr/lib/x86_64-linux-gnu")
declare -A have_lib=()
copy_libs() {
  local elf=$1 soname found dir
  for soname in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [ -n "${have_lib[$soname]:-}" ] && continue
    found=
    for dir in "${libdirs[@]}"; do
      if [ -e "$dir/$soname" ]; then found=$dir/$soname; break; fi
    done
    if [ -z "$found" ]; then
      log "library $soname (needed by $(basename "$elf")) is in no package of guest/packages.txt: add its package"
      exit 1
    fi
    have_lib[$soname]=1
    cp -L "$found" "$root/lib/x86_64-linux-gnu/$soname"
    copy_libs "$root/lib/x86_64-linux-gnu/$soname"
  done
}
for prog in $programs; do
  [ -f "$work/pkgs$prog" ] || { log "$prog not found in the packages"; exit 1; }
  cp "$work/pkgs$prog" "$root$prog"
  copy_libs "$root$prog"
done
cp -L "$work/pkgs/lib64/ld-linux-x86-64.so.2" "$root/lib64/ld-linux-x86-64.so.2"
ln -s lib "$root/usr/lib" 2>/dev/null || true
# MS-CHAP needs MD4 and DES, which OpenSSL 3 keeps in its legacy provider; pppd loads it itself.
if [ -d "$work/pkgs/usr/lib/x86_64-linux-gnu/ossl-modules" ]; then
  mkdir -p "$root/lib/x86_64-linux-gnu/ossl-modules"
  cp "$work/pkgs/usr/lib/x86_64-linux-gnu/ossl-modules/legacy.so" "$root/lib/x86_64-linux-gnu/ossl-modules/"
  copy_libs "$root/lib/x86_64-linux-gnu/ossl-modules/legacy.so"
fi

# Kernel modules: depmod over the package's tree, then copy what the wanted modules pull in.
depmod -b "$work/kernel" "$kver"
mdir=lib/modules/$kver
mkdir -p "$root/$mdir"
for m in $modules; do
  modprobe -d "$work/kernel" -S "$kver" --show-depends "$m" | while read -r kind path _; do
    [ "$kind" = insmod ] || continue
    rel=${path#"$work/kernel/"}
    mkdir -p "$root/$(dirname "$rel")"
    cp "$path" "$root/$rel"
  done
done
cp "$work/kernel/$mdir"/modules.{order,builtin,builtin.modinfo} "$root/$mdir/"
depmod -b "$root" "$kver"
# Every module's own `depends=` (written by the kernel build, independent of depmod) must be in
# the guest; one missing means it lives outside the unpacked subtrees above.
for ko in $(find "$root/$mdir" -name '*.ko'); do
  for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
    if ! find "$root/$mdir" -name "$(echo "$dep" | tr _ '?' | tr - '?').ko" | grep -q .; then
      log "module $(basename "$ko") depends on $dep, which is not in the unpacked kernel subtrees"
      exit 1
    fi
  done
done
echo "$modules" > "$root/etc/guest/modules"

# Files of the base system; the role's files come with the harness's config cpio.
cp "$here/guest/init" "$root/init"
cp "$here/guest/guest-poweroff" "$root/sbin/guest-poweroff"
cp "$here/guest/guest-dial" "$root/usr/sbin/guest-dial"
cp "$here/guest/pppd-exit-status" "$root/usr/sbin/pppd-exit-status"
cp "$here/guest/ip-up" "$here/guest/ip-down" "$root/etc/ppp/"
chmod 755 "$root/init" "$root/sbin/guest-poweroff" "$root/usr/sbin/guest-dial" "$root/usr/sbin/pppd-exit-status" "$root/etc/ppp/ip-up" "$root/etc/ppp/ip-down"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"
printf 'hosts: files\n' > "$root/etc/nsswitch.conf"
: > "$root/etc/ppp/options"
printf 'ip\t0\tIP\ntcp\t6\tTCP\nudp\t17\tUDP\ngre\t47\tGRE\n' > "$root/etc/protocols"
printf 'pptp\t\t1723/tcp\n' > "$root/etc/services"
ldconfig -r "$root" 2>/dev/null || true
printf 'guest built from Debian bookworm packages (%s)\n' "$(date -u +%FT%TZ)" > "$root/etc/guest/version"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -f "$deb" Package Version | paste -sd' ' >> "$root/etc/guest/version"
done

# Device nodes the kernel needs before devtmpfs is mounted are created by the kernel itself
# (CONFIG_DEVTMPFS); the cpio needs none, which keeps it buildable without mknod.
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 > "$work/initrd.img"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"

t1=$(date +%s.%N)
{
  cat "$root/etc/guest/version"
  echo "kernel $kver"
  echo "modules $modules"
  printf 'vmlinuz %d bytes\ninitrd.img %d bytes\n' "$(stat -c %s "$work/vmlinuz")" "$(stat -c %s "$work/initrd.img")"
  awk -v a="$t0" -v b="$t_download" -v c="$t1" 'BEGIN{printf "download %.1f s, build %.1f s\n", b-a, c-b}'
} > "$work/manifest.txt"

# Publish: data first, the key last, so a reader that sees the key sees the files it names.
rm -f "$cache/key"
mv -f "$work/vmlinuz" "$cache/vmlinuz"
mv -f "$work/initrd.img" "$cache/initrd.img"
mv -f "$work/manifest.txt" "$cache/manifest.txt"
echo "$key" > "$cache/key"
log "built in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s: $(du -h "$cache/initrd.img" | cut -f1) initrd, $(du -h "$cache/vmlinuz" | cut -f1) kernel"
echo "$cache"
