#!/usr/bin/env bash
# `make image`'s size table: where the bytes of a system slot and the boot partition go.
#   firmware/size-table.sh ROOT BOOT SLOT_IMAGE KVER
# Sizes in the root are uncompressed (du); the slot image line is the compressed whole.
set -euo pipefail
root=$1 boot=$2 slot=$3 kver=$4
mb() { du -sk "$@" 2>/dev/null | awk '{s += $1} END {printf "%6.1f", s / 1024}'; }
total=$(du -sk "$root" | cut -f1)
printf '%-34s %8s\n' 'component' 'MiB'
printf '%-34s %8s\n' 'Node runtime (opt/routerd/bin/node)' "$(mb "$root/opt/routerd/bin")"
printf '%-34s %8s\n' 'routerd (dist, node_modules, addon)' "$(mb "$root/opt/routerd/dist" "$root/opt/routerd/node_modules" "$root/opt/routerd/native")"
printf '%-34s %8s\n' 'kernel modules' "$(mb "$root/usr/lib/modules/$kver")"
printf '%-34s %8s\n' 'firmware blobs (usr/lib/firmware)' "$(mb "$root/usr/lib/firmware")"
printf '%-34s %8s\n' 'shared libraries (usr/lib/*-gnu)' "$(mb "$root"/usr/lib/*-linux-gnu)"
printf '%-34s %8s\n' 'programs (usr/bin, usr/sbin)' "$(mb "$root/usr/bin" "$root/usr/sbin")"
rest=$(( total - $(du -sk "$root/opt/routerd" "$root/usr/lib/modules" "$root/usr/lib/firmware" "$root"/usr/lib/*-linux-gnu "$root/usr/bin" "$root/usr/sbin" 2>/dev/null | awk '{s += $1} END {print s}') ))
printf '%-34s %8.1f\n' 'everything else' "$(echo "$rest / 1024" | bc -l)"
printf '%-34s %8.1f\n' 'root, uncompressed' "$(echo "$total / 1024" | bc -l)"
printf '%-34s %8.1f\n' 'system slot image (squashfs)' "$(echo "$(stat -c %s "$slot") / 1048576" | bc -l)"
printf '%-34s %8s\n' 'boot: kernel' "$(mb "$boot/vmlinuz")"
printf '%-34s %8s\n' 'boot: initrd' "$(mb "$boot/initrd.img")"
printf '%-34s %8s\n' 'boot: firmware, device trees' "$(du -sk "$boot" | awk -v k="$(du -sk "$boot/vmlinuz" "$boot/initrd.img" | awk '{s+=$1} END {print s}')" '{printf "%6.1f", ($1 - k) / 1024}')"
