// A PPTP peer made of our own parts (src/pptp, src/ppp through the router's PppLink, the
// reference data plane, native MPPE) that *insists* on stateful MPPE-128: routerd's
// configuration has no property for it, and pppd settles on stateful only when its peer insists
// (FINDINGS.md). The stateful interop scenarios run it inside the test's namespace:
//
//   node --import <tap's ts loader> stateful-peer.ts client <server> <user> <password> <tun>
//   node --import <tap's ts loader> stateful-peer.ts server <user> <password> <local> <remote> <tun> [forge-s]
//
// `forge-s` makes the server lie in its MS-CHAPv2 Success: one hex digit of the authenticator
// response (S=, RFC 2759 section 5) is changed on the way out, as a server that does not know
// the password would have to guess it; the client must refuse the link (mutual authentication).
//
// The server listens on TCP 1723 and serves one call. Prints "UP <encoding> <local> <remote>"
// (encoding with '_' for spaces) once the tunnel carries IPv4, "DOWN <reason>" when the link
// ends (then exits 1), and hangs up politely on SIGTERM (exit 0). Logs go to stderr.
import { LogBook } from '../../src/log.js';
import { nativeMppe } from '../../src/crypto/mppe-native.js';
import { ReferenceDataPlane } from '../../src/dataplane/reference.js';
import { PptpClientConnection, PptpServer, CallTable, type CallInfo } from '../../src/pptp/index.js';
import type { NetworkSettings, PppLinkUp } from '../../src/ppp/session.js';
import { PppLink, type PppRoleOptions } from '../../src/router/ppp-link.js';
import { Host, describeSystemError } from '../../src/system/host.js';

const [role, ...args] = process.argv.slice(2);
const usage = (): never => {
  process.stderr.write('usage: stateful-peer.ts client <server> <user> <password> <tun> | server <user> <password> <local> <remote> <tun>\n');
  process.exit(2);
};

const STATEFUL: Pick<NetworkSettings, 'useEncryption' | 'mppeKeyLengths' | 'mppeMode'> = {
  useEncryption: 'required',
  mppeKeyLengths: [128],
  mppeMode: 'stateful',
};

const book = new LogBook();
book.subscribe((e) => process.stderr.write(`${e.topics.join(',')}: ${e.message}\n`));
const log = book.logger('stateful');
const host = new Host();
const plane = new ReferenceDataPlane({ log: book.logger('dataplane') });
const callTable = new CallTable();

let link: PppLink | undefined;
let stopPptp: () => Promise<void> = async () => {};
let ending = false;
async function end(code: number): Promise<void> {
  if (ending) return;
  ending = true;
  await link?.close('stopped');
  link?.destroy();
  await stopPptp().catch(() => {});
  plane.close();
  process.exit(code);
}
process.on('SIGTERM', () => void end(0));

async function configure(tun: string, up: PppLinkUp): Promise<void> {
  for (const [what, r] of [
    ['mtu', await host.setLinkMtu(tun, up.mtu)],
    ['address', await host.addAddress({ device: tun, local: up.localAddress, prefixLength: 32, peer: up.remoteAddress })],
    ['link up', await host.setLinkUp(tun, true)],
  ] as const) {
    if (!r.ok) throw new Error(`${what}: ${describeSystemError(r.error)}`);
  }
  // PppLink enables IPv4 once this resolves; the line goes out on the next turn.
  setImmediate(() => process.stdout.write(`UP ${up.encoding.replace(/ /g, '_')} ${up.localAddress} ${up.remoteAddress}\n`));
}

const CHAP = 0xc223;

/** A CHAP Success (code 3) whose "S=" has its first hex digit changed; anything else as it is. */
function forgeSuccess(protocol: number, information: Buffer): Buffer {
  if (protocol !== CHAP || information[0] !== 3) return information;
  const forged = Buffer.from(information);
  const at = forged.indexOf('S=', 4, 'latin1');
  if (at >= 0) forged[at + 2] = forged[at + 2] === 0x30 ? 0x31 : 0x30;
  return forged;
}

function runLink(call: CallInfo, tun: string, ppp: PppRoleOptions, forge = false): PppLink {
  const l = new PppLink({
    dataplane: plane,
    mppe: nativeMppe,
    call,
    tunName: tun,
    log,
    ppp,
    onUp: (up) => configure(tun, up),
    onDown: (reason) => {
      process.stdout.write(`DOWN ${reason}\n`);
      void end(1);
    },
  });
  if (forge) {
    const send = l.session.sendControlFrame.bind(l.session);
    l.session.sendControlFrame = (protocol: number, information: Buffer) => send(protocol, forgeSuccess(protocol, information));
  }
  l.start();
  return l;
}

if (role === 'client') {
  const [server, user, password, tun] = args;
  if (!server || !user || password === undefined || !tun) usage();
  const connection = new PptpClientConnection({ host: server!, logger: log, hostName: 'stateful-peer', callTable });
  stopPptp = () => connection.stop();
  await connection.connect();
  const call = await connection.openCall();
  connection.once('closed', (reason: string) => link?.lowerDown(`PPTP control connection closed: ${reason}`));
  link = runLink(call, tun!, { role: 'client', user: user!, password: password!, allow: ['mschap2'], network: STATEFUL });
} else if (role === 'server') {
  const [user, password, local, remote, tun, flag] = args;
  if (!user || password === undefined || !local || !remote || !tun || (flag !== undefined && flag !== 'forge-s')) usage();
  const server = new PptpServer({ logger: log, hostName: 'stateful-peer', callTable });
  stopPptp = () => server.close();
  server.on('call-up', (call) => {
    if (link) return; // one call
    link = runLink(call, tun!, {
      role: 'server',
      authentication: ['mschap2'],
      callerId: call.peer.address,
      lookupSecret: (name) => (name === user ? { name, password: password!, service: 'any', callerId: '', profile: 'default', disabled: false } : undefined),
      authorize: () => ({ localAddress: local, remoteAddress: remote, ...STATEFUL }),
    }, flag === 'forge-s');
  });
  server.on('call-down', (_call, reason) => link?.lowerDown(`PPTP call ended: ${reason}`));
  await server.listen();
  process.stdout.write('LISTENING\n');
} else {
  usage();
}
