// Issue 19 item 3: an authenticated peer must not pick the tunnel's addresses. A man in the
// middle (the harness's tamper hook) rewrites IPCP as a hostile peer would: it Naks the server's
// own address to a LAN address, asks for an address inside the server's LAN, or (as a hostile
// server) assigns the client a loopback or the client's own address. The sessions are real;
// only the frames between them are forged.
import t from 'tap';
import { backToBack, exClient, exServer, type ClientConfig, type ServerConfig, type Side, type Tamper } from './harness.js';
import { IpcpHandler } from '../../src/ppp/ipcp.js';
import type { NetworkSettings } from '../../src/ppp/session.js';
import { emitPppPacket, parsePppOptions, parsePppPacket } from '../../src/wire/ppp-packet.js';
import { decodeIpcpOption, encodeIpcpOption, type IpcpOption } from '../../src/wire/ipcp-options.js';
import { PPP_PROTOCOL } from '../../src/wire/ppp-frame.js';
import { WireError } from '../../src/wire/error.js';
import { LogBook } from '../../src/log.js';

const LAN = { address: '192.168.88.1', prefixLength: 24 };
function server(net: Partial<NetworkSettings>, book = new LogBook()): ServerConfig {
  return exServer({ localNetworks: [LAN], ...net }, book.logger('server'));
}

function client(net: Partial<NetworkSettings> = {}, book = new LogBook()): ClientConfig {
  return exClient(net, book.logger('client'));
}

interface IpcpFrame { code: number; identifier: number; options: IpcpOption[] }

function ipcpFrames(side: Side): IpcpFrame[] {
  const out: IpcpFrame[] = [];
  for (const f of side.sent) {
    if (f.protocol !== PPP_PROTOCOL.IPCP) continue;
    const p = parsePppPacket(f.information);
    if (p instanceof WireError || p.code > 4) continue;
    const raw = parsePppOptions(p.data);
    if (raw instanceof WireError) continue;
    out.push({ code: p.code, identifier: p.identifier, options: raw.map((o) => decodeIpcpOption(o)).filter((o): o is IpcpOption => !(o instanceof WireError)) });
  }
  return out;
}

const addressOf = (f: IpcpFrame): string | undefined => {
  const o = f.options.find((x) => x.kind === 'ip-address');
  return o && 'address' in o ? o.address : undefined;
};

/** Rewrites IPCP packets one side sends: `edit` returns the new code and IP-Address, or undefined to pass it on. */
function rewriteIpcp(from: 'server' | 'client', edit: (code: number, address: string | undefined) => { code: number; address: string } | undefined): Tamper {
  return (who, protocol, information) => {
    if (who !== from || protocol !== PPP_PROTOCOL.IPCP) return information;
    const p = parsePppPacket(information);
    if (p instanceof WireError) return information;
    const raw = parsePppOptions(p.data);
    if (raw instanceof WireError) return information;
    const ip = raw.map((o) => decodeIpcpOption(o)).find((o): o is IpcpOption & { address: string } => !(o instanceof WireError) && o.kind === 'ip-address');
    const change = edit(p.code, ip?.address);
    if (!change) return information;
    const others = change.code === 1 ? raw.filter((o) => o.type !== 3) : [];
    const data = Buffer.concat([...others, encodeIpcpOption({ kind: 'ip-address', address: change.address })].map((o) => Buffer.concat([Buffer.from([o.type, o.data.length + 2]), o.data])));
    return emitPppPacket({ code: change.code, identifier: p.identifier, data });
  };
}

t.test('a peer that Naks the server\'s address to a LAN address does not move it', async (t) => {
  let forged = 0;
  // The client answers the server's first IPCP request with Nak 192.168.88.1 (the router's LAN
  // address: with it as our end, `peer` routes would draw LAN traffic into the tunnel).
  const tamper = rewriteIpcp('client', (code) => (code === 2 && forged++ === 0 ? { code: 3, address: '192.168.88.1' } : undefined));
  const b = backToBack(server({}), client(), { tamper });
  b.start();
  b.settle();
  t.equal(forged, 2, 'the Nak was forged once');
  const requests = ipcpFrames(b.server).filter((f) => f.code === 1);
  t.ok(requests.length >= 2, 'the server asked again after the Nak');
  t.same([...new Set(requests.map(addressOf))], ['10.0.103.1'], 'every request of the server keeps its configured address');
  t.equal(b.server.up?.localAddress, '10.0.103.1', 'the link came up with the server\'s own address');
  t.equal(b.client.up?.remoteAddress, '10.0.103.1');
});

t.test('a peer that keeps Nak-ing the server\'s address never moves it; the link gives up', async (t) => {
  const tamper = rewriteIpcp('client', (code) => (code === 2 ? { code: 3, address: '192.168.88.1' } : undefined));
  const b = backToBack(server({}), client(), { tamper });
  b.start();
  b.settle();
  t.same([...new Set(ipcpFrames(b.server).filter((f) => f.code === 1).map(addressOf))], ['10.0.103.1'], 'never 192.168.88.1');
  t.equal(b.server.up, undefined, 'not up');
  t.ok(b.server.down !== undefined, `the link ends (whichever side gives up first): ${b.server.down}`);
});

t.test('a server with no local address refuses the user before IPCP instead of taking one from the peer', async (t) => {
  const book = new LogBook();
  const tamper = rewriteIpcp('client', (code) => (code === 2 || code === 4 ? { code: 3, address: '192.168.88.1' } : undefined));
  const b = backToBack(server({ localAddress: undefined }, book), client(), { tamper });
  b.start();
  b.settle();
  t.equal(b.server.up, undefined);
  t.equal(b.server.down, 'no local address for user ex: refused');
  t.equal(ipcpFrames(b.server).length, 0, 'the server sent no IPCP at all');
  t.ok(book.list().some((e) => e.level === 'warning' && /no local address for user ex/.test(e.message)), 'a warning says why');
  const b2 = backToBack(server({ remoteAddress: undefined }), client(), { tamper });
  b2.start();
  b2.settle();
  t.equal(b2.server.down, 'no remote address for user ex: refused', 'nor without an address for the peer');
});

t.test('a peer that asks for an address inside the server\'s LAN is Nak-ed to its assigned one, never given it', async (t) => {
  const tamper = rewriteIpcp('client', (code, address) => (code === 1 && address !== undefined ? { code: 1, address: '192.168.88.10' } : undefined));
  const b = backToBack(server({}), client(), { tamper });
  b.start();
  b.settle();
  const naks = ipcpFrames(b.server).filter((f) => f.code === 3);
  t.ok(naks.length > 0, 'the server Naks');
  t.same([...new Set(naks.map(addressOf))], ['10.0.103.2'], 'always with the assigned address');
  t.notOk(ipcpFrames(b.server).some((f) => f.code === 2 && addressOf(f) === '192.168.88.10'), 'never Acks 192.168.88.10');
  t.equal(b.server.up, undefined, 'the peer that insists never gets a link');
  t.match(b.server.down, /IPCP settled no remote address|IPCP/, `reason: ${b.server.down}`);
});

t.test('the IPCP handler of a server with nothing to assign refuses what a peer picks for itself', async (t) => {
  const make = () => new IpcpHandler({ role: 'authenticator', localNetworks: [LAN, { address: '10.0.103.1', prefixLength: 32, peer: '10.0.103.9' }], localAddress: '10.0.103.1', remoteAddress: undefined, dnsServers: [], requestDns: false });
  const ask = (address: string) => {
    const h = make();
    h.resetci();
    const reply = h.reqci([encodeIpcpOption({ kind: 'ip-address', address })]);
    return { kind: reply.kind, refused: h.refused };
  };
  for (const [address, why] of [
    ['192.168.88.10', /inside our connected subnet 192\.168\.88\.0\/24/],
    ['192.168.88.1', /one of our own addresses/],
    ['10.0.103.9', /far end of another of our links/],
    ['127.0.0.1', /loopback/],
    ['224.0.0.5', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['0.1.2.3', /unspecified/],
  ] as const) {
    const r = ask(address);
    t.equal(r.kind, 'reject', `${address} rejected`);
    t.match(r.refused, why, `${address}: ${r.refused}`);
  }
  t.same(ask('10.9.9.9'), { kind: 'ack', refused: undefined }, 'an ordinary address outside our subnets is acceptable');
  t.same(ask('0.0.0.0').kind, 'reject', '0.0.0.0: nothing to give');
  const h = make();
  h.resetci();
  h.nakci([encodeIpcpOption({ kind: 'ip-address', address: '192.168.88.1' })]);
  t.same(h.addci().map((o) => decodeIpcpOption(o)), [{ kind: 'ip-address', address: '10.0.103.1' }], 'a Nak never changes the server\'s own address');
});

t.test('a client refuses a server-assigned loopback, multicast or own address, and the server claiming one', async (t) => {
  const cases: Array<{ label: string; net: Partial<NetworkSettings>; tamper?: Tamper; why: RegExp }> = [
    { label: 'loopback for us', net: {}, tamper: rewriteIpcp('server', (code) => (code === 3 ? { code: 3, address: '127.0.0.1' } : undefined)), why: /address assigned to us 127\.0\.0\.1 refused: loopback/ },
    { label: 'multicast for us', net: { remoteAddress: '224.0.0.9' }, why: /address assigned to us 224\.0\.0\.9 refused: multicast/ },
    { label: 'our own LAN address for us', net: { remoteAddress: '192.168.88.1' }, why: /address assigned to us 192\.168\.88\.1 refused: one of our own addresses/ },
    { label: 'the server claims broadcast', net: { localAddress: '255.255.255.255' }, why: /server address 255\.255\.255\.255 refused: broadcast/ },
    { label: 'the server claims our own address', net: { localAddress: '192.168.88.1' }, why: /server address 192\.168\.88\.1 refused: one of our own addresses/ },
  ];
  for (const c of cases) {
    const book = new LogBook();
    // The server here has no guard of its own, as a hostile server would not.
    const b = backToBack(server({ ...c.net, localNetworks: [] }), client({ localNetworks: [LAN] }, book), c.tamper ? { tamper: c.tamper } : {});
    b.start();
    b.settle();
    t.equal(b.client.up, undefined, `${c.label}: the client does not come up`);
    t.match(b.client.down, c.why, `${c.label}: ${b.client.down}`);
    t.ok(book.list().some((e) => e.level === 'warning' && c.why.test(e.message)), `${c.label}: logged`);
    t.equal(b.client.session.status, 'terminated');
  }
});

t.test('a client accepts an address inside its own LAN (road warrior, pptpd\'s usual 192.168.0.x)', async (t) => {
  const b = backToBack(server({ localAddress: '192.168.88.254', remoteAddress: '192.168.88.50', localNetworks: [] }), client({ localNetworks: [LAN] }));
  b.start();
  b.settle();
  t.equal(b.client.up?.localAddress, '192.168.88.50');
  t.equal(b.client.up?.remoteAddress, '192.168.88.254');
});
