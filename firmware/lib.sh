# Shared by the firmware scripts: progress lines with elapsed time, and host set-up.
FW_T0=${FW_T0:-$(date +%s)}
export FW_T0
step() { printf '[%4ss] %s\n' "$(( $(date +%s) - FW_T0 ))" "$*" >&2; }
die() { step "error: $*"; exit 1; }

# mmdebstrap runs arm64 maintainer scripts through binfmt_misc + qemu-aarch64-static. A fresh
# machine (or CI container) has binfmt_misc unmounted and the handler disabled.
enable_binfmt_aarch64() {
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "cannot mount binfmt_misc (need root)"
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 || die "update-binfmts --enable qemu-aarch64 failed (install qemu-user-static binfmt-support)"
  fi
}
