// Interop bug (issue 6): against pppd 2.4.9 with require-mppe-128, every MPPE link (both roles)
// came up 3 s late. pppd keeps its IPCP Closed until CCP is up (auth.c start_networks) and
// answers an IPCP Configure-Request that arrives earlier with Terminate-Ack (RFC 1661 4.1,
// Closed state); our IPCP, started together with CCP, then waited for its 3 s restart timer.
// The captures showed: our CCP and IPCP Configure-Requests back to back, pppd's IPCP
// Terminate-Ack, and our IPCP request again 3.0 s later.
//
// The peer here is our own session behind a filter that behaves as pppd does: while its CCP is
// not Opened it answers IPCP Configure-Requests with Terminate-Ack instead of taking them.
import t from 'tap';
import { FakeClock, secret } from './harness.js';
import { PppSession, type PppLinkUp } from '../../src/ppp/session.js';
import { emitPppPacket, parsePppPacket } from '../../src/wire/ppp-packet.js';
import { WireError } from '../../src/wire/error.js';
import { silentLogger } from '../../src/log.js';

const IPCP = 0x8021;
const CCP = 0x80fd;
const ex = secret('ex', 'lkjrht', { localAddress: '10.0.103.1', remoteAddress: '10.0.103.2' });

interface Frame { at: number; from: 'server' | 'client'; protocol: number; code: number }

function pair(pppdSide: 'client' | 'server', earlyIpcp = false) {
  const clock = new FakeClock();
  const frames: Frame[] = [];
  const up: { server?: PppLinkUp; client?: PppLinkUp } = {};
  let counter = 1;
  const random = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => (counter = (counter * 73 + 11) & 0xff)));
  const sessions: { server?: PppSession; client?: PppSession } = {};
  const ccpState = (s: PppSession): string | undefined => s.stateOf(CCP);

  const deliver = (from: 'server' | 'client', protocol: number, information: Buffer): void => {
    const to = from === 'server' ? 'client' : 'server';
    const p = parsePppPacket(information);
    if (!(p instanceof WireError)) frames.push({ at: clock.now(), from, protocol, code: p.code });
    clock.schedule(5, () => {
      const peer = sessions[to]!;
      if (to === pppdSide && protocol === IPCP && p instanceof WireError === false && p.code === 1 && ccpState(peer) !== 'opened') {
        // pppd: IPCP still Closed while MPPE is required and CCP not up: Terminate-Ack.
        const ack = emitPppPacket({ code: 6, identifier: p.identifier, data: Buffer.alloc(0) });
        frames.push({ at: clock.now(), from: to, protocol: IPCP, code: 6 });
        clock.schedule(5, () => sessions[from]!.receive(IPCP, ack));
        return;
      }
      peer.receive(protocol, information);
    });
  };
  const common = { clock, log: silentLogger, random, maxMru: 1460, maxMtu: 1460 };
  sessions.server = new PppSession({
    ...common, role: 'server', authentication: ['mschap2'], callerId: '198.18.44.2',
    lookupSecret: (n) => (n === 'ex' ? ex : undefined),
    authorize: () => ({ localAddress: '10.0.103.1', remoteAddress: '10.0.103.2', useEncryption: 'required' }),
    events: { send: (p, i) => deliver('server', p, i), up: (l) => { up.server = l; } },
  });
  sessions.client = new PppSession({
    ...common, role: 'client', user: 'ex', password: 'lkjrht', allow: ['mschap2'], network: { useEncryption: 'required' },
    events: { send: (p, i) => deliver('client', p, i), up: (l) => { up.client = l; } },
  });
  sessions.server.start();
  sessions.client.start();
  if (earlyIpcp) {
    // A Windows-like peer: its IPCP Configure-Request arrives while CCP is still negotiating.
    const sent = { done: false };
    const tick = (): void => {
      if (sent.done) return;
      const s = sessions[pppdSide === 'client' ? 'server' : 'client']!;
      if (ccpState(s) !== undefined && ccpState(s) !== 'opened') {
        sent.done = true;
        s.receive(IPCP, emitPppPacket({ code: 1, identifier: 0x42, data: Buffer.from('0306' + '0a006702', 'hex') }));
      } else clock.schedule(1, tick);
    };
    clock.schedule(1, tick);
  }
  clock.advance(10_000, () => up.server !== undefined && up.client !== undefined);
  return { clock, frames, up };
}

for (const pppdSide of ['client', 'server'] as const) {
  const ours = pppdSide === 'client' ? 'server' : 'client';
  t.test(`our ${ours} against a pppd-like ${pppdSide}: IPCP waits for CCP, the link is up without a 3 s restart`, async (t) => {
    const { clock, frames, up } = pair(pppdSide);
    t.ok(up.server && up.client, 'both sides up');
    t.equal(up.server?.encoding, 'MPPE128 stateless');
    t.ok(clock.now() < 1000, `up after ${clock.now()} ms of simulated time (the restart timer is 3000 ms)`);
    t.notOk(frames.some((f) => f.protocol === IPCP && f.code === 6), 'no IPCP Terminate-Ack: our IPCP request never reached a Closed IPCP');
    const firstCcp = frames.findIndex((f) => f.from === ours && f.protocol === CCP && f.code === 1);
    const firstIpcp = frames.findIndex((f) => f.from === ours && f.protocol === IPCP && f.code === 1);
    const ccpOpenedAt = frames.findIndex((f, i) => i > firstCcp && f.protocol === CCP && f.code === 2 && frames.slice(firstCcp, i).some((g) => g.protocol === CCP && g.code === 2));
    t.ok(firstCcp >= 0 && firstIpcp > ccpOpenedAt, 'our first IPCP Configure-Request follows the CCP exchange (both Acks)');
  });
}

t.test('a peer that starts IPCP during CCP (Windows) gets our IPCP at once', async (t) => {
  // The "pppd side" is the client here only so the filter is off for the server's peer; the
  // early IPCP request goes to our server while its CCP is negotiating.
  const { frames, up } = pair('client', true);
  t.ok(up.server && up.client, 'both sides up');
  const early = frames.findIndex((f) => f.from === 'server' && f.protocol === IPCP);
  const ccpAcks = frames.filter((f, i) => i < early && f.protocol === CCP && f.code === 2).length;
  t.ok(early >= 0 && ccpAcks < 2, 'our server answered IPCP before CCP had finished');
});
