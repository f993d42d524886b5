// The router's own addresses, as the PPP engine's address guard wants them (src/ppp/address-guard.ts):
// read from the host when a client link reaches the network phase, so tunnels that came up since
// count. A server's links do not need them: the server assigns both addresses itself.
import type { Logger } from '../log.js';
import type { LocalNetwork } from '../ppp/address-guard.js';
import { describeSystemError, type Host } from '../system/host.js';

export async function localNetworks(host: Host, log: Logger): Promise<LocalNetwork[]> {
  const listed = await host.listAddresses();
  if (!listed.ok) {
    // Special addresses are still refused; only the check against our own ones is lost.
    log.warning(`cannot list our addresses for the tunnel address check: ${describeSystemError(listed.error)}`);
    return [];
  }
  return listed.value.map((a) => ({ address: a.local, prefixLength: a.prefixLength, peer: a.peer }));
}
