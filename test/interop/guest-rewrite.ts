// Changing what a running guest is told, between calls, without booting it again: pppd reads
// /etc/ppp/peers/guest (client) or /etc/ppp/pptpd-options (server) and the secrets files at the
// start of every call, so a scenario rewrites them over the guest's shell and dials again.
import type { Guest } from './guest.js';
import { renderGuestFiles, type GuestRole } from './guest-role.js';

/** The files pppd reads per call: what a new role changes without a reboot. */
const PER_CALL = new Set(['etc/ppp/peers/guest', 'etc/ppp/pptpd-options', 'etc/ppp/chap-secrets', 'etc/ppp/pap-secrets']);

function shellWord(s: string): string {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/**
 * Rewrites the guest's per-call pppd files for `role` (same kind as at boot; pptpd.conf's
 * localip/remoteip are not re-read: pptpd keeps the ones it started with).
 */
export async function rewriteGuestRole(guest: Guest, role: GuestRole): Promise<void> {
  if (role.kind !== guest.setup.role.kind) throw new Error(`guest ${guest.name} is a ${guest.setup.role.kind}, not a ${role.kind}`);
  const files = renderGuestFiles({ ...guest.setup, role }).filter((f) => PER_CALL.has(f.path));
  for (const f of files) {
    const data = typeof f.data === 'string' ? f.data : (f.data?.toString('latin1') ?? '');
    const mode = (f.mode ?? 0o644).toString(8);
    await guest.run(`printf '%s' ${shellWord(data)} > /${f.path} && chmod ${mode} /${f.path}`);
  }
}
