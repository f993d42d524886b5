// The real capture of Linux talking to itself (pptp-linux + pppd 2.4.9 dialling pptpd, MS-CHAPv2,
// MPPE-128 stateless: test/fixtures/interop/linux-pptp-mschapv2-mppe128.pcap) replayed into our
// PPP engine, once in each role. Our server gets the client's frames and is made to draw pptpd's
// challenge; our client gets pptpd's frames and is made to draw pppd's peer challenge. Then the
// bytes must agree with what Linux computed: the server's authenticator response (S=) equals
// pptpd's, the client's Response equals pppd's to the octet, and the MPPE start keys each side
// derives decrypt the other side's captured packets into IP.
//
// Only Configure-Acks/Naks/Rejects are not replayed verbatim: they answer the Linux peer's own
// requests, which carry other magic numbers than ours, so the replayer answers our session's
// request in their place (an Ack as an Ack; a Nak or Reject with the options of ours it names,
// or not at all when ours has none of them).
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPptpPpp, type CapturedPpp } from '../lib/pcap.js';
import { FakeClock, secret, seededRandom } from './harness.js';
import { PppSession, type PppLinkUp } from '../../src/ppp/session.js';
import { emitPppPacket, parsePppOptions, parsePppPacket, type PppPacket } from '../../src/wire/ppp-packet.js';
import { parsePppFrame, PPP_PROTOCOL } from '../../src/wire/ppp-frame.js';
import { parseChapValue } from '../../src/ppp/auth/chap.js';
import { WireError } from '../../src/wire/error.js';
import { referenceMppe } from '../../src/crypto/mppe-reference.js';
import type { MppeParams } from '../../src/crypto/mppe.js';
import { silentLogger } from '../../src/log.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'interop', 'linux-pptp-mschapv2-mppe128.pcap');
const CLIENT = '198.18.41.3';
const SERVER = '198.18.41.2';
const frames = readPptpPpp(fixture);
const NEGOTIATED = new Set<number>([PPP_PROTOCOL.LCP, PPP_PROTOCOL.CCP, PPP_PROTOCOL.IPCP]);

function packet(b: Buffer): PppPacket {
  const p = parsePppPacket(b);
  if (p instanceof WireError) throw new Error(p.message);
  return p;
}
function chapValue(f: CapturedPpp) {
  const v = parseChapValue(packet(f.information).data, 'CHAP');
  if (v instanceof WireError) throw new Error(v.message);
  return v;
}
const chap = (from: string, code: number): CapturedPpp =>
  frames.find((f) => f.from === from && f.protocol === PPP_PROTOCOL.CHAP && f.information[0] === code)!;

/** Drives one of our sessions with the frames one Linux end sent. */
async function replay(session: PppSession, sent: Array<{ protocol: number; packet: PppPacket }>, from: string): Promise<void> {
  const answered = new Set<string>();
  for (const f of frames.filter((x) => x.from === from && x.protocol !== PPP_PROTOCOL.COMPRESSED)) {
    const code = f.information[0]!;
    if (NEGOTIATED.has(f.protocol) && code >= 2 && code <= 4) {
      const ours = [...sent].reverse().find((s) => s.protocol === f.protocol && s.packet.code === 1);
      if (!ours || answered.has(`${f.protocol}/${ours.packet.identifier}`)) continue;
      let data = ours.packet.data;
      if (code !== 2) {
        const named = new Set((parsePppOptions(packet(f.information).data) as Array<{ type: number }>).map((o) => o.type));
        if (!(parsePppOptions(ours.packet.data) as Array<{ type: number }>).some((o) => named.has(o.type))) continue;
        data = packet(f.information).data;
      }
      answered.add(`${f.protocol}/${ours.packet.identifier}`);
      session.receive(f.protocol, emitPppPacket({ code, identifier: ours.packet.identifier, data }));
    } else {
      session.receive(f.protocol, f.information);
    }
    await new Promise((resolve) => setImmediate(resolve)); // authorize() may answer later
  }
}

/** Decrypts the MPPE packets one Linux end sent, in order, with the keys our session derived. */
function decryptAll(from: string, params: MppeParams | undefined) {
  if (!params) throw new Error('no MPPE in that direction');
  const d = referenceMppe.decrypter(params);
  return frames.filter((f) => f.from === from && f.protocol === PPP_PROTOCOL.COMPRESSED).map((f) => {
    const plain = d.decrypt(f.information);
    if (!Buffer.isBuffer(plain)) return { frame: f.frame, error: plain.kind };
    const inner = parsePppFrame(plain);
    return inner instanceof WireError ? { frame: f.frame, error: inner.message } : { frame: f.frame, ...inner };
  });
}

function recorder() {
  const sent: Array<{ protocol: number; packet: PppPacket }> = [];
  const seen: { up?: PppLinkUp; down?: string } = {};
  const events = {
    send: (protocol: number, information: Buffer) => { sent.push({ protocol, packet: packet(information) }); },
    up: (l: PppLinkUp) => { seen.up = l; },
    down: (r: string) => { seen.down = r; },
  };
  return { sent, seen, events };
}

/** Hands out what Linux drew for `n`-octet randomness, the rest from a seeded generator. */
function drawing(wanted: Map<number, Buffer>) {
  const rng = seededRandom(11);
  return (n: number): Buffer => wanted.get(n) ?? rng.bytes(n);
}

t.test('the capture holds one whole call', async (t) => {
  t.ok(frames.length >= 20, `${frames.length} PPP frames over GRE`);
  t.ok(chap(SERVER, 1) && chap(CLIENT, 2) && chap(SERVER, 3), 'Challenge, Response and Success');
});

t.test('our server authenticates the captured pppd client and decrypts its traffic', async (t) => {
  const challenge = chap(SERVER, 1);
  const success = packet(chap(SERVER, 3).information).data.toString('latin1');
  const { sent, seen, events } = recorder();
  const session = new PppSession({
    role: 'server', clock: new FakeClock(), events, log: silentLogger, authentication: ['mschap2'], callerId: CLIENT,
    lookupSecret: (n) => (n === 'ex' ? secret('ex', 'lkjrht') : undefined),
    authorize: () => ({ localAddress: '10.0.103.1', remoteAddress: '10.0.103.2', useEncryption: 'required' }),
    random: drawing(new Map([[16, chapValue(challenge).value], [1, Buffer.from([packet(challenge.information).identifier])]])),
  });
  session.start();
  await replay(session, sent, CLIENT);

  const lcpReply = sent.find((s) => s.protocol === PPP_PROTOCOL.LCP && s.packet.code !== 1);
  t.equal(lcpReply?.packet.code, 2, 'pppd\'s LCP request (asyncmap, magic, pcomp, accomp) is acknowledged as sent');
  const ourSuccess = sent.find((s) => s.protocol === PPP_PROTOCOL.CHAP && s.packet.code === 3);
  t.ok(ourSuccess, 'pppd\'s MS-CHAPv2 Response is accepted');
  const s = /^S=[0-9A-F]{40}/.exec(success)![0];
  t.equal(ourSuccess?.packet.data.toString('latin1').slice(0, 42), s, `our authenticator response is pptpd's (${s})`);
  t.ok(sent.some((x) => x.protocol === PPP_PROTOCOL.LCP && x.packet.code === 8 && x.packet.data.readUInt16BE(0) === PPP_PROTOCOL.IPV6CP), 'IPv6CP is Protocol-Rejected');
  t.equal(seen.down, undefined, 'the link never went down');
  t.match(seen.up, { user: 'ex', method: 'mschap2', localAddress: '10.0.103.1', remoteAddress: '10.0.103.2' }, 'the link is up');

  const out = decryptAll(CLIENT, seen.up?.mppe.receive);
  t.ok(out.length >= 3, `${out.length} MPPE packets from the client`);
  t.same(out.filter((p) => 'error' in p), [], 'every one decrypts with the receive key our server derived');
  const pings = out.filter((p) => 'protocol' in p && p.protocol === PPP_PROTOCOL.IPV4 && p.information[9] === 1 && p.information[20] === 8);
  t.ok(pings.length >= 3, `${pings.length} ICMP echo requests inside`);
  for (const p of pings) if ('information' in p) t.equal(p.information.subarray(16, 20).join('.'), '10.0.103.1', `frame ${p.frame}: to the server's tunnel address`);
});

t.test('our client answers the captured pptpd exactly as pppd did and decrypts its traffic', async (t) => {
  const response = chap(CLIENT, 2);
  const want = chapValue(response);
  const { sent, seen, events } = recorder();
  const session = new PppSession({
    role: 'client', clock: new FakeClock(), events, log: silentLogger, user: 'ex', password: 'lkjrht', allow: ['mschap2'],
    network: { useEncryption: 'required' },
    random: drawing(new Map([[16, want.value.subarray(0, 16)]])),
  });
  session.start();
  await replay(session, sent, SERVER);

  const lcpReply = sent.find((s) => s.protocol === PPP_PROTOCOL.LCP && s.packet.code !== 1);
  t.equal(lcpReply?.packet.code, 2, 'pptpd\'s LCP request (CHAP with MS-CHAPv2) is acknowledged');
  const ours = sent.find((s) => s.protocol === PPP_PROTOCOL.CHAP && s.packet.code === 2);
  t.ok(ours, 'we answered the Challenge');
  t.equal(ours?.packet.identifier, packet(response.information).identifier, 'with its identifier');
  t.same(ours && emitPppPacket(ours.packet), response.information, 'our Response is pppd\'s, octet for octet (name, peer challenge, NT-Response, flags)');
  t.equal(seen.down, undefined, 'pptpd\'s S= is accepted and the link stays');
  t.match(seen.up, { user: 'ex', localAddress: '10.0.103.2', remoteAddress: '10.0.103.1' }, 'IPCP takes the address pptpd Nak-ed us');

  const out = decryptAll(SERVER, seen.up?.mppe.receive);
  t.ok(out.length >= 3, `${out.length} MPPE packets from the server`);
  t.same(out.filter((p) => 'error' in p), [], 'every one decrypts with the receive key our client derived');
  const replies = out.filter((p) => 'protocol' in p && p.protocol === PPP_PROTOCOL.IPV4 && p.information[9] === 1 && p.information[20] === 0);
  t.ok(replies.length >= 3, `${replies.length} ICMP echo replies inside`);
});
