// Issue 19 items 4 and 5, played against real sessions: a peer that offers only 40-bit MPPE
// (as a man in the middle forcing a downgrade would) gets no link under use-encryption=required, since both ends offer
// MPPE-128 only unless told otherwise; and a client refuses a server that asks for no
// authentication, or that asks for MS-CHAPv2 and then skips it.
import t from 'tap';
import { FakeClock, backToBack, exClient, exServer, seededRandom, type ClientConfig, type ServerConfig } from './harness.js';
import { PppSession, type NetworkSettings, type PppLinkUp } from '../../src/ppp/session.js';
import type { AuthMethod } from '../../src/ppp/auth/method.js';
import { emitPppPacket, parsePppOptions, parsePppPacket, type PppPacket } from '../../src/wire/ppp-packet.js';
import { MPPE_BIT } from '../../src/wire/ccp-options.js';
import { PPP_PROTOCOL } from '../../src/wire/ppp-frame.js';
import { WireError } from '../../src/wire/error.js';
import { LogBook } from '../../src/log.js';

function server(net: Partial<NetworkSettings>, book = new LogBook()): ServerConfig {
  return exServer({ useEncryption: 'required', ...net }, book.logger('server'));
}

function client(net: Partial<NetworkSettings>): ClientConfig {
  return exClient({ useEncryption: 'required', ...net });
}

t.test('use-encryption=required: a client that offers only 40-bit MPPE is refused', async (t) => {
  const book = new LogBook();
  const b = backToBack(server({}, book), client({ useEncryption: 'yes', mppeKeyLengths: [40] }));
  b.start();
  b.settle();
  t.equal(b.server.up, undefined, 'no link');
  t.equal(b.server.down, 'encryption required but MPPE negotiation failed');
  t.notOk(b.client.up, 'the client is not up either');
  t.ok(book.list().some((e) => /encryption required but MPPE negotiation failed/.test(e.message)), 'the server logs why');
});

t.test('40-bit is spoken only by ends explicitly told to (tests, test peers): the same client then gets MPPE40', async (t) => {
  const b = backToBack(server({ mppeKeyLengths: [128, 56, 40] }), client({ useEncryption: 'yes', mppeKeyLengths: [40] }));
  b.start();
  b.settle();
  t.equal(b.server.up?.encoding, 'MPPE40 stateless');
});

t.test('by default both ends settle MPPE-128 and nothing weaker is ever offered', async (t) => {
  const b = backToBack(server({ useEncryption: 'yes' }), client({ useEncryption: 'yes' }));
  b.start();
  b.settle();
  t.equal(b.client.up?.encoding, 'MPPE128 stateless');
  for (const side of [b.server, b.client]) {
    for (const f of side.sent.filter((x) => x.protocol === PPP_PROTOCOL.CCP)) {
      const p = parsePppPacket(f.information) as PppPacket;
      if (p.code !== 1) continue;
      const bits = p.data.readUInt32BE(2);
      t.equal(bits & (MPPE_BIT.L | MPPE_BIT.M), 0, 'no 40/56-bit bit in a Configure-Request');
    }
  }
});

/** A client session driven frame by frame by the test, which plays the server. */
function scriptedClient(allow: AuthMethod[]) {
  const clock = new FakeClock();
  const book = new LogBook();
  const sent: Array<{ protocol: number; packet: PppPacket }> = [];
  const result: { down?: string; up?: PppLinkUp } = {};
  const session = new PppSession({
    role: 'client', clock, user: 'ex', password: 'lkjrht', allow, network: { useEncryption: 'yes' },
    random: seededRandom(3).bytes, log: book.logger('client'),
    events: {
      send: (protocol, information) => {
        const p = parsePppPacket(information);
        if (!(p instanceof WireError)) sent.push({ protocol, packet: p });
      },
      down: (r) => { result.down = r; },
      up: (l) => { result.up = l; },
    },
  });
  session.start();
  const lcp = (code: number, id: number, data: Buffer) => session.receive(PPP_PROTOCOL.LCP, emitPppPacket({ code, identifier: id, data }));
  /** Acks the client's LCP request and sends ours with `options` (hex); the client Acks it. */
  const openLcp = (options: string) => {
    const ours = sent.find((f) => f.protocol === PPP_PROTOCOL.LCP && f.packet.code === 1)!;
    lcp(2, ours.packet.identifier, ours.packet.data);
    lcp(1, 1, Buffer.from(options, 'hex'));
  };
  return { clock, book, sent, result, session, openLcp };
}

t.test('a client refuses a server that asks for no authentication', async (t) => {
  for (const allow of [['pap', 'chap', 'mschap1', 'mschap2'], ['mschap2']] as AuthMethod[][]) {
    const c = scriptedClient(allow);
    c.openLcp('050611223344'); // Magic-Number only: no Auth-Protocol
    c.clock.advance(10_000); // the Terminate-Request goes unanswered here
    t.ok(c.sent.some((f) => f.protocol === PPP_PROTOCOL.LCP && f.packet.code === 2 && f.packet.identifier === 1), `allow=${allow}: LCP itself was acknowledged`);
    t.equal(c.result.down, 'server asked for no authentication: refused, the server cannot be verified', `allow=${allow}: refused with the reason`);
    t.equal(c.session.status, 'terminated', 'the status says terminated');
    t.notOk(c.result.up);
    t.notOk(c.sent.some((f) => f.protocol === PPP_PROTOCOL.IPCP || f.protocol === PPP_PROTOCOL.CCP), 'never entered the network phase');
    t.ok(c.book.list().some((e) => e.level === 'warning' && /server asked for no authentication/.test(e.message)), 'a warning in the log');
    t.ok(c.sent.some((f) => f.protocol === PPP_PROTOCOL.LCP && f.packet.code === 5), 'the client hangs up with LCP Terminate-Request');
  }
});

t.test('with allow=mschap2 a server that asks for MS-CHAPv2 and then skips it gets no network phase', async (t) => {
  const c = scriptedClient(['mschap2']);
  c.openLcp('0305c22381' + '050611223344');
  t.equal(c.session.status, 'verifying password...');
  // No Challenge: straight to a Success and an IPCP request, as a server faking its way through.
  c.session.receive(PPP_PROTOCOL.CHAP, emitPppPacket({ code: 3, identifier: 1, data: Buffer.from('S=0000000000000000000000000000000000000000 M=ok') }));
  c.session.receive(PPP_PROTOCOL.IPCP, emitPppPacket({ code: 1, identifier: 1, data: Buffer.from('03060a006701', 'hex') }));
  t.notOk(c.sent.some((f) => f.protocol === PPP_PROTOCOL.IPCP), 'the client does not answer IPCP');
  c.clock.advance(60_000);
  t.notOk(c.result.up, 'never up');
  t.match(c.result.down, /authentication failed/, `ends as a failed authentication: ${c.result.down}`);
  t.notOk(c.sent.some((f) => f.protocol === PPP_PROTOCOL.IPCP), 'and never sent IPCP');
});
