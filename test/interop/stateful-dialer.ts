// A PPTP client made of our own parts (src/pptp, src/ppp through the router's PppLink, the
// reference data plane, native MPPE) that *insists* on stateful MPPE: routerd's configuration
// has no property for it, and pppd settles on stateful only when its peer insists (FINDINGS.md).
// The stateful interop scenario runs it inside the test's namespace:
//
//   node --import <tap's ts loader> stateful-dialer.ts <server> <user> <password> <tun name>
//
// It prints "UP <encoding> <local> <remote>" once the tunnel carries IPv4 (address set on the
// TUN device), "DOWN <reason>" when the link ends, and hangs up politely on SIGTERM.
import { LogBook } from '../../src/log.js';
import { nativeMppe } from '../../src/crypto/mppe-native.js';
import { ReferenceDataPlane } from '../../src/dataplane/reference.js';
import { PptpClientConnection, CallTable } from '../../src/pptp/index.js';
import { PppLink } from '../../src/router/ppp-link.js';
import { Host, describeSystemError } from '../../src/system/host.js';

const [server, user, password, tunName] = process.argv.slice(2);
if (!server || !user || password === undefined || !tunName) {
  process.stderr.write('usage: stateful-dialer.ts <server> <user> <password> <tun name>\n');
  process.exit(2);
}

const book = new LogBook();
book.subscribe((e) => process.stderr.write(`${e.topics.join(',')}: ${e.message}\n`));
const log = book.logger('stateful');
const host = new Host();
const plane = new ReferenceDataPlane({ log: book.logger('dataplane') });
const connection = new PptpClientConnection({ host: server, logger: log, hostName: 'stateful-dialer', callTable: new CallTable() });

let link: PppLink | undefined;
let ending = false;
const end = async (code: number): Promise<void> => {
  if (ending) return;
  ending = true;
  await link?.close('stopped');
  link?.destroy();
  await connection.stop().catch(() => {});
  plane.close();
  process.exit(code);
};
process.on('SIGTERM', () => void end(0));

await connection.connect();
const call = await connection.openCall();
link = new PppLink({
  dataplane: plane,
  mppe: nativeMppe,
  call,
  tunName,
  log,
  ppp: {
    role: 'client',
    user,
    password,
    allow: ['mschap2'],
    network: { useEncryption: 'required', mppeKeyLengths: [128], mppeMode: 'stateful' },
  },
  onUp: async (up) => {
    for (const [what, r] of [
      ['mtu', await host.setLinkMtu(tunName, up.mtu)],
      ['address', await host.addAddress({ device: tunName, local: up.localAddress, prefixLength: 32, peer: up.remoteAddress })],
      ['link up', await host.setLinkUp(tunName, true)],
    ] as const) {
      if (!r.ok) throw new Error(`${what}: ${describeSystemError(r.error)}`);
    }
    // PppLink enables IPv4 once this resolves; the line goes out on the next turn.
    setImmediate(() => process.stdout.write(`UP ${up.encoding.replace(/ /g, '_')} ${up.localAddress} ${up.remoteAddress}\n`));
  },
  onDown: (reason) => {
    process.stdout.write(`DOWN ${reason}\n`);
    void end(1);
  },
});
connection.once('closed', (reason: string) => link?.lowerDown(`PPTP control connection closed: ${reason}`));
link.start();
