// Differential test: the same inputs through the reference and the native data plane give the
// same bytes and the same results. B runs one implementation, then the other, in the same
// namespace with the same sessions (framings, MPPE 40/56/128, stateless and stateful, Multilink
// with 24- and 12-bit sequence numbers):
//   send: the same IPv4 packets leave B's TUN devices; A captures the GRE packets: byte-equal.
//   Besides single datagrams, two large TCP segments (TSO) of 5 and 4 packets, an odd and an even
//   batch: an offload TUN hands each to the native path whole, to be split into packets and sent
//   in one batch; a plain TUN gets the kernel's segments back to back.
//   receive: A injects the same crafted GRE stream (random datagrams, reordering, duplicates,
//   loss, a stale packet, control frames, malformed and refused frames): the datagrams delivered,
//   the control frames raised, the MPPE reset requests and the counters are equal.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair } from '../lib/netns.js';
import { Peer } from './fixtures/peer-driver.js';
import { udpDatagram } from './fixtures/ipv4-udp.js';
import { tcpSuperPacket } from './fixtures/ipv4-tcp.js';
import { referenceMppe } from '../../src/crypto/mppe-reference.js';
import type { MppeKeyBits } from '../../src/crypto/mppe.js';
import type { SessionCounters } from '../../src/dataplane/dataplane.js';
import type { DataPlaneKind } from '../../src/dataplane/factory.js';
import type { TunOffloadStats } from '../../src/dataplane/native.js';
import { emitGre } from '../../src/wire/gre.js';
import { emitPppFrame, PPP_PROTOCOL, type PppFraming } from '../../src/wire/ppp-frame.js';
import { MpFragmenter } from '../../src/wire/multilink.js';

const A_UNDERLAY = '198.18.0.1';
const B_UNDERLAY = '198.18.0.2';
const REFERENCE_MPPE = fileURLToPath(new URL('../../src/crypto/mppe-reference.ts', import.meta.url));
const REORDER_TIMEOUT_MS = 200; // what fixtures/peer.ts opens its data plane with
const DATAGRAMS = 12;
const TSO_MSS = 300;
const TSO_SEGMENTS = [5, 4]; // an odd and an even batch of one read

interface Config {
  readonly acfc: boolean;
  readonly pfc: boolean;
  readonly mppe?: { readonly bits: MppeKeyBits; readonly stateless: boolean };
  /** Multilink on the link: what B sends above linkMtu leaves as MP fragments (after MPPE). */
  readonly multilink?: { readonly linkMtu: number; readonly mrru: number; readonly shortSequence: boolean };
}

const configs: Config[] = [
  { acfc: false, pfc: false },
  { acfc: true, pfc: true },
  { acfc: false, pfc: true, mppe: { bits: 128, stateless: true } },
  { acfc: true, pfc: false, mppe: { bits: 128, stateless: false } },
  { acfc: true, pfc: true, mppe: { bits: 40, stateless: true } },
  { acfc: false, pfc: false, mppe: { bits: 56, stateless: false } },
  { acfc: false, pfc: true, mppe: { bits: 40, stateless: false } },
  { acfc: true, pfc: true, mppe: { bits: 128, stateless: true }, multilink: { linkMtu: 600, mrru: 1600, shortSequence: false } },
  { acfc: false, pfc: false, multilink: { linkMtu: 500, mrru: 1600, shortSequence: true } },
];

/** xorshift32: the same "random" inputs for both runs, different per seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function payload(r: () => number, tag: string): Buffer {
  const len = 1 + Math.floor(r() * 1200);
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = `${tag}:`;
  while (s.length < len) s += chars[Math.floor(r() * chars.length)];
  return Buffer.from(s);
}

const keyFor = (bits: MppeKeyBits, fill: number): Buffer => Buffer.alloc(bits === 128 ? 16 : 8, fill);
const net = (i: number): { a: string; b: string } => ({ a: `10.90.${i}.1`, b: `10.90.${i}.2` });

/**
 * The crafted stream A sends config i's session, as segments separated by pauses longer than the
 * reorder timeout, so where a gap is given up on never depends on how fast the machine is.
 */
function receiveStream(i: number, c: Config): string[][] {
  const r = rng(1000 + i);
  const callId = 1000 + i;
  const framing: PppFraming = { acfc: c.acfc, pfc: c.pfc };
  const enc = c.mppe ? referenceMppe.encrypter({ startKey: keyFor(c.mppe.bits, 0x40 + i), bits: c.mppe.bits, stateless: c.mppe.stateless }) : undefined;
  const ipFrame = (n: number): Buffer => {
    const datagram = udpDatagram(net(i).a, net(i).b, 7000, payload(r, `c${i}-r${n}`));
    if (!enc) return emitPppFrame({ protocol: PPP_PROTOCOL.IPV4, information: datagram }, framing);
    const plain = emitPppFrame({ protocol: PPP_PROTOCOL.IPV4, information: datagram }, { acfc: true, pfc: c.pfc });
    return emitPppFrame({ protocol: PPP_PROTOCOL.COMPRESSED, information: enc.encrypt(plain) }, framing);
  };
  const frames: Buffer[] = [];
  for (let n = 0; n < 30; n++) {
    if (n === 13) enc?.reset(); // the answer to a Reset-Request: 13 goes out flushed
    if (n === 18) frames.push(emitPppFrame({ protocol: PPP_PROTOCOL.LCP, information: Buffer.from(`09${n.toString(16).padStart(2, '0')}000800000000`, 'hex') }, { acfc: false, pfc: false }));
    else if (n === 19) frames.push(Buffer.from('ff030020aa', 'hex')); // protocol with an even last octet
    else if (n === 21) {
      // Refused either way: IPv4 in clear while MPPE is on, MPPE while it is not.
      const datagram = udpDatagram(net(i).a, net(i).b, 7000, Buffer.from(`c${i}-refused`));
      frames.push(enc ? emitPppFrame({ protocol: PPP_PROTOCOL.IPV4, information: datagram }, framing) : emitPppFrame({ protocol: PPP_PROTOCOL.COMPRESSED, information: Buffer.from('9001aabbcc', 'hex') }, framing));
    } else frames.push(ipFrame(n));
  }
  // Multilink: four more datagrams as MP fragments (encrypted whole first), the first that takes
  // several fragments missing its last one, then an MP frame with reserved bits set: three
  // reassembled, one lost, one malformed.
  const mp: number[] = [];
  if (c.multilink) {
    const fragmenter = new MpFragmenter(c.multilink.shortSequence);
    let dropped = false;
    for (let n = 30; n < 34; n++) {
      const frame = ipFrame(n);
      const packet = frame[0] === 0xff && frame[1] === 0x03 ? frame.subarray(2) : frame;
      const fragments = fragmenter.fragment(packet, c.multilink.linkMtu).map((information) => emitPppFrame({ protocol: PPP_PROTOCOL.MP, information }, framing));
      const drop = !dropped && fragments.length > 1;
      dropped ||= drop;
      fragments.forEach((f, k) => {
        frames.push(f);
        if (!(drop && k === fragments.length - 1)) mp.push(frames.length - 1);
      });
    }
    if (!dropped) throw new Error('no datagram of the MP segment took more than one fragment');
    frames.push(emitPppFrame({ protocol: PPP_PROTOCOL.MP, information: Buffer.from(c.multilink.shortSequence ? 'f0ff00' : 'ff00000000', 'hex') }, framing));
    mp.push(frames.length - 1);
  }
  const gre = (seq: number, ack?: number): string => emitGre({ callId, sequence: seq, ...(ack === undefined ? {} : { ack }), payload: frames[seq]! }).toString('hex');
  const ackOnly = emitGre({ callId, ack: 7, payload: Buffer.alloc(0) }).toString('hex');
  return [
    // reordering (4 before 3), duplicates (6 twice, 2 again later), an ack-only packet, an acknowledgement piggy-backed
    [0, 1, 2, 4, 3, 5, 6, 6, 7, 8, 9, 2].map((s) => gre(s, s === 5 ? 3 : undefined)).concat([ackOnly]),
    // 10 lost: 11 and 12 wait for the reorder timeout
    [11, 12].map((s) => gre(s)),
    // flushed 13 after the loss; 16 before 15; 20 twice; control, malformed and refused frames
    [13, 14, 16, 15, 17, 18, 19, 20, 20, 21, 22].map((s) => gre(s)),
    // 23 and 24 lost; 25-29 held until the timeout; then 1, long delivered
    [25, 26, 27, 28, 29].map((s) => gre(s)),
    [gre(1)],
    ...(mp.length > 0 ? [mp.map((seq) => gre(seq))] : []),
  ];
}

interface Run {
  sent: string[][];
  delivered: string[];
  control: unknown[];
  resets: unknown[];
  counters: Omit<SessionCounters, 'ackOnlyTx'>[];
  offload: (TunOffloadStats | undefined)[];
}

t.test('native and reference data planes: same GRE bytes out, same packets and counters in', async (t) => {
  const a = await createNetns(t, 'dfa');
  const b = await createNetns(t, 'dfb');
  await createVethPair(a, b, { addrA: `${A_UNDERLAY}/24`, addrB: `${B_UNDERLAY}/24` });
  const pa = new Peer(a, 'reference');
  await pa.call('capture');
  const streams = configs.map((c, i) => receiveStream(i, c));

  // tag: a TUN name prefix per run; env: the peer's TUN mode (offload by default, or plain TUN).
  const run = async (kind: DataPlaneKind, tag: string, env: Record<string, string> = {}): Promise<Run> => {
    const pb = new Peer(b, kind, env);
    for (const [i, c] of configs.entries()) {
      const mppe = c.mppe && {
        module: REFERENCE_MPPE,
        ...c.mppe,
        sendKey: keyFor(c.mppe.bits, 0x80 + i).toString('hex'),
        receiveKey: keyFor(c.mppe.bits, 0x40 + i).toString('hex'),
      };
      await pb.call('open', {
        key: `c${i}`,
        localCallId: 1000 + i,
        peerCallId: 2000 + i,
        peerAddress: A_UNDERLAY,
        tunName: `df${tag}${i}`,
        local: net(i).b,
        peer: net(i).a,
        mtu: 1400,
        acfc: c.acfc,
        pfc: c.pfc,
        ...(mppe ? { mppe } : {}),
        ...(c.multilink ? { multilink: c.multilink } : {}),
      });
    }
    // Send direction first, while B owes no acknowledgement: every packet is data only.
    await pa.call('captured');
    const sent: string[][] = [];
    for (const i of configs.keys()) {
      const r = rng(2000 + i);
      const packets = Array.from({ length: DATAGRAMS }, (_, n) => udpDatagram(net(i).b, net(i).a, 7200, payload(r, `c${i}-s${n}`), 0x4000 + n).toString('hex'));
      await pb.call('rawSend', { packets });
      const large = TSO_SEGMENTS.map((segments, n) => {
        // the last segment short: 5 -> 4 x 300 + 250 octets; 4 -> 4 x 300
        const data = Buffer.from(Array.from({ length: segments * TSO_MSS - (segments % 2) * 50 }, () => 0x61 + Math.floor(r() * 26)));
        return tcpSuperPacket(net(i).b, net(i).a, 7300, data, TSO_MSS, 0x5000 + 0x100 * n, 0x10000 * (n + 1)).withVnetHeader.toString('hex');
      });
      await pb.call('gsoSend', { tunName: `df${tag}${i}`, packets: large });
    }
    await new Promise((r) => setTimeout(r, 300));
    const captured = (await pa.call('captured')).packets as { hex: string }[];
    for (const i of configs.keys()) {
      const callId = (2000 + i).toString(16).padStart(4, '0');
      sent.push(captured.map((p) => p.hex).filter((hex) => hex.slice(12, 16) === callId));
    }

    await pb.call('udpListen', { address: '0.0.0.0', port: 7000 });
    for (const segments of streams) {
      for (const segment of segments) {
        await pa.call('inject', { to: B_UNDERLAY, packets: segment });
        await new Promise((r) => setTimeout(r, 2 * REORDER_TIMEOUT_MS + 50));
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    const delivered = (await pb.call('udpReceived')).messages as string[];
    const counters: Run['counters'] = [];
    const offload: Run['offload'] = [];
    for (const i of configs.keys()) {
      const { ackOnlyTx: _timing, ...c } = ((await pb.call('counters', { key: `c${i}` })) as { session: SessionCounters }).session;
      // The kernel may send its own non-IPv4 packets (IPv6) into a new TUN device: not an input of ours.
      c.drops['not-ipv4'] = 0;
      counters.push(c);
      offload.push(((await pb.call('offload', { key: `c${i}` })) as { stats?: TunOffloadStats }).stats);
    }
    const control = pb.events.filter((e) => e.event === 'control');
    const resets = pb.events.filter((e) => e.event === 'mppe-reset');
    await pb.call('close');
    // Wait for B's process to go, and its TUN devices with it, before the next run opens its own.
    for (let n = 0; n < 100; n++) {
      const links = await b.run(['ip', '-o', 'link']);
      if (!links.stdout.includes(`df${tag}`)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { sent, delivered, control, resets, counters, offload };
  };

  const reference = await run('reference', 'r');
  // The native path twice: TUN devices with offloads (the default) and plain ones (the fallback).
  const natives: [string, Run][] = [
    ['native (offload TUN)', await run('native', 'n')],
    ['native (plain TUN)', await run('native', 'p', { PEER_TUN_OFFLOAD: '0' })],
  ];
  for (const [i, c] of configs.entries()) {
    const name = `${c.mppe ? `MPPE-${c.mppe.bits} ${c.mppe.stateless ? 'stateless' : 'stateful'}` : 'no MPPE'}, acfc=${c.acfc} pfc=${c.pfc}${c.multilink ? `, MP over a ${c.multilink.linkMtu}-octet link` : ''}`;
    const all = DATAGRAMS + TSO_SEGMENTS.reduce((a, b) => a + b);
    const what = `${DATAGRAMS} datagrams and ${TSO_SEGMENTS.join(' + ')} TCP segments`;
    if (c.multilink) t.ok(reference.sent[i]!.length > all, `${name}: the reference path sent all ${what}, the large ones as MP fragments (${reference.sent[i]!.length} GRE packets)`);
    else t.equal(reference.sent[i]!.length, all, `${name}: the reference path sent all ${what}`);
    const offloaded = natives[0]![1].offload[i];
    t.same(offloaded && [offloaded.offload, offloaded.gsoReads, offloaded.segments], [true, TSO_SEGMENTS.length, all - DATAGRAMS], `${name}: the offload TUN handed the native path each large segment whole`);
    const mine = (d: string[]): string[] => d.filter((m) => m.startsWith(`c${i}-`));
    t.ok(mine(reference.delivered).length > 10, `${name}: the reference path delivered most of the stream`);
    if (c.multilink) {
      const m = reference.counters[i]!.multilink;
      t.same(m && { reassembled: m.reassembled, lost: m.drops['lost-fragment'], malformed: m.drops.malformed }, { reassembled: 3, lost: 1, malformed: 1 }, `${name}: the MP fragments received were reassembled, lost and refused as crafted`);
    }
    for (const [path, native] of natives) {
      t.same(native.sent[i], reference.sent[i], `${name}: the ${path} path sent the same GRE bytes`);
      t.same(native.counters[i], reference.counters[i], `${name}: ${path}: the same counters after the crafted stream`);
      t.same(mine(native.delivered), mine(reference.delivered), `${name}: ${path}: the same datagrams delivered, in the same order`);
    }
  }
  for (const [path, native] of natives) {
    t.same(native.control, reference.control, `${path}: the same control frames went up to the PPP engine`);
    t.same(native.resets, reference.resets, `${path}: the same MPPE reset requests`);
  }
  t.ok(reference.resets.length >= 2, 'the stateful sessions asked for resets (the scenario exercises resync)');
  await pa.call('close');
});
