// RFC 1990 5.1.2 on both roles: with mrru set, the Short Sequence Number Header Format option
// is decoded as such (a length other than 2 is malformed and Configure-Rejected), the peer's
// request for 12-bit headers is acknowledged and reaches the link's Multilink parameters; with
// mrru unset it is Configure-Rejected like MRRU. Back to back, two of our sessions with mrru
// bring the link up with Multilink in both directions.
import t from 'tap';
import { LcpHandler } from '../../src/ppp/lcp.js';
import { decodeLcpOption, encodeLcpOption, LCP_OPTION } from '../../src/wire/lcp-options.js';
import { WireError } from '../../src/wire/error.js';
import { backToBack, exClient, exServer, FakeClock } from './harness.js';
import { PppSession, type MultilinkParams } from '../../src/ppp/session.js';
import { emitPppPacket, parsePppPacket, type PppPacket } from '../../src/wire/ppp-packet.js';

const handler = (role: 'authenticator' | 'peer', mrru: number | undefined) => {
  const h = new LcpHandler({ role, methods: ['mschap2'], maxMru: 1450, maxMtu: 1450, mrru, magic: () => 0x11223344 });
  h.resetci();
  return h;
};
const ssnhf = { type: LCP_OPTION.SHORT_SEQUENCE, data: Buffer.alloc(0) };
const mrru1614 = encodeLcpOption({ kind: 'mrru', mrru: 1614 });

t.test('the codec names option 18 and refuses a body', async (t) => {
  t.same(decodeLcpOption(ssnhf), { kind: 'short-sequence' });
  t.same(encodeLcpOption({ kind: 'short-sequence' }), ssnhf);
  const bad = decodeLcpOption({ type: 18, data: Buffer.from([1]) }, 4);
  t.ok(bad instanceof WireError, 'a one-byte body is malformed');
  t.match(bad, { field: 'option 18 length', offset: 5 });
});

for (const role of ['authenticator', 'peer'] as const) {
  t.test(`${role} with mrru=1600: the peer's 12-bit headers are acknowledged and reported`, async (t) => {
    const h = handler(role, 1600);
    t.same(h.reqci([mrru1614, ssnhf]), { kind: 'ack', options: [] });
    t.equal(h.result().peerShortSequence, true);
    t.equal(h.result().peerMrru, 1614);
  });

  t.test(`${role} with mrru=1600: a Short Sequence option with a body is Configure-Rejected`, async (t) => {
    const h = handler(role, 1600);
    const malformed = { type: 18, data: Buffer.from([0]) };
    t.same(h.reqci([mrru1614, malformed]), { kind: 'reject', options: [malformed] });
  });

  t.test(`${role} without mrru: MRRU and Short Sequence are Configure-Rejected`, async (t) => {
    const h = handler(role, undefined);
    t.same(h.reqci([mrru1614, ssnhf]), { kind: 'reject', options: [mrru1614, ssnhf] });
    t.equal(h.result().peerShortSequence, false);
  });
}

t.test('our server and our client, both with mrru=1600, come up with Multilink both ways', async (t) => {
  const link = backToBack({ ...exServer({}), mrru: 1600 }, { ...exClient({}), mrru: 1600 });
  link.start();
  link.settle();
  t.same(link.server.up?.multilink, { sendMrru: 1600, receiveMrru: 1600, sendShortSequence: false });
  t.same(link.client.up?.multilink, { sendMrru: 1600, receiveMrru: 1600, sendShortSequence: false });
});

t.test('only one side with mrru: no Multilink on either side', async (t) => {
  const link = backToBack(exServer({}), { ...exClient({}), mrru: 1600 });
  link.start();
  link.settle();
  t.ok(link.client.up, 'the link still comes up');
  t.equal(link.server.up?.multilink, undefined);
  t.equal(link.client.up?.multilink, undefined);
});

t.test('Multilink is announced when LCP opens, before authentication: a bundle\'s NCPs come as MP frames', async (t) => {
  const announced: Array<{ mp: MultilinkParams | undefined; mtu: number; status: string }> = [];
  const sent: PppPacket[] = [];
  const session: PppSession = new PppSession({
    ...exServer({}), role: 'server', clock: new FakeClock(), mrru: 1600, maxMru: 1450, maxMtu: 1450,
    events: {
      send: (protocol, information) => { if (protocol === 0xc021) sent.push(parsePppPacket(information) as PppPacket); },
      multilink: (mp, mtu) => announced.push({ mp, mtu, status: session.status }),
    },
  });
  session.start();
  const ours = sent.find((p) => p.code === 1)!;
  // pppd with `multilink mrru 1600 mtu 1450 mru 1450`: MRU, magic, MRRU, Endpoint-Discriminator class 1.
  session.receive(0xc021, emitPppPacket({ code: 1, identifier: 1, data: Buffer.from('010405aa' + '050611223344' + '11040640' + '13070101020304', 'hex') }));
  session.receive(0xc021, emitPppPacket({ code: 2, identifier: ours.identifier, data: ours.data }));
  t.same(announced, [{ mp: { sendMrru: 1600, receiveMrru: 1600, sendShortSequence: false }, mtu: 1450, status: 'dialing' }], 'announced as LCP opens');
  t.equal(session.status, 'verifying password...', 'authentication comes after');
});
