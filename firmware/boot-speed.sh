#!/usr/bin/env bash
# Trims what systemd and udev do at every boot to what a router uses (issue 18: boot to Login:
# in 20 s under QEMU virt). Under TCG every exec and every rules file parsed costs tenths of a
# second, and these sit on the path to the console: udev's coldplug names the ports routerd
# waits for. Runs on the staged root at assembly (no Debian rebuild).
#   firmware/boot-speed.sh ROOT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$1

# udev rules: the root's udevd parses every file at start and runs each event through all of
# them. A router needs device nodes and permissions, disk labels (fstab), modules loaded by
# modalias, firmware, the NIC names of the board's .link files, and systemd's device units.
# Input, sound, video, seats, device-mapper, btrfs, tape, RTC and e2scrub rules serve nothing here.
keep_rules="50-firmware.rules 50-udev-default.rules 60-block.rules 60-persistent-storage.rules
  75-net-description.rules 80-drivers.rules 80-net-setup-link.rules 99-systemd.rules"
rules="$root/usr/lib/udev/rules.d"
dropped=0
for f in "$rules"/*.rules; do
  case " $(echo $keep_rules) " in *" $(basename "$f") "*) continue ;; esac
  rm -f "$f"; dropped=$((dropped + 1))
done
for f in $keep_rules; do [ -f "$rules/$f" ] || die "boot-speed: $f missing from the root's udev rules"; done

# Generators run (one exec each) before systemd loads a single unit. Only the fstab one makes
# units this root uses; the rest look for LUKS, GPT auto-partitions, SysV scripts, gettys,
# hibernation images or rc.local, none of which exist here. /dev/null masks a generator.
mkdir -p "$root/etc/systemd/system-generators"
masked=0
for g in "$root"/usr/lib/systemd/system-generators/*; do
  n=$(basename "$g")
  [ "$n" = systemd-fstab-generator ] && continue
  ln -sfn /dev/null "$root/etc/systemd/system-generators/$n"; masked=$((masked + 1))
done

# No display, so no graphical.target (the Debian default) to pull in and walk through.
ln -sfn /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"
step "boot: $dropped udev rules files dropped, $masked generators masked, default target multi-user"
