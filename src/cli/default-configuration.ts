// The board's default configuration (issue 16, RouterOS's "defconf"): ether1 to the ISP by DHCP
// with masquerade, ether2 the office LAN with 192.168.88.1/24, a DHCP server and the DNS cache
// for it, and an input filter that accepts established/related, ICMP, the LAN and the PPTP
// server's TCP 1723 and GRE while the server is enabled (src/config/defconf-pptp.ts), and drops
// the rest from the WAN. It is a console script, run
// through the console's own commands, so `/system default-configuration print` shows exactly
// what is applied. Applied on the board's first boot (routerd --default-configuration with no
// saved configuration) and by /system reset-configuration unless no-defaults=yes; never to a
// routerd started without the option (tests start from an empty configuration).
import type { ConfigModel } from '../config/model.js';
import type { RuntimeState } from '../config/runtime.js';
import type { LogBook } from '../log.js';
import { DEFAULT_CONFIGURATION } from '../config/default-configuration.js';
import { followPptpServer } from '../config/defconf-pptp.js';
import { Shell } from './shell.js';


/** The ports the script is written for; a board without them gets no defaults. */
const PORTS = ['ether1', 'ether2'];

/**
 * Runs the default configuration at the console as admin. Returns the lines it logged (why it
 * was skipped, or a line that failed), for the caller's log.
 */
export async function applyDefaultConfiguration(model: ConfigModel, runtime: RuntimeState, log: LogBook): Promise<string[]> {
  model.syncHardware(runtime.ethernetPorts());
  const ports = model.rows('/interface ethernet').map((r) => String(r.values['default-name']));
  const missing = PORTS.filter((p) => !ports.includes(p));
  if (missing.length > 0) return [`default configuration not applied: this board has no ${missing.join(', ')}`];
  let out = '';
  const shell = new Shell({ model, runtime, log, user: 'admin', write: (s) => (out += s) });
  const problems: string[] = [];
  for (const line of DEFAULT_CONFIGURATION) {
    out = '';
    await shell.input(line);
    if (out.trim() !== '') problems.push(`default configuration: ${line}: ${out.trim()}`);
  }
  // The PPTP rules follow the server (a router running also does this on every change).
  const pptp = followPptpServer(model);
  return problems.length ? problems : ['default configuration applied', ...(pptp ? [pptp] : [])];
}
