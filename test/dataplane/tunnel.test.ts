// The reference data plane between two network namespaces: real raw GRE sockets, real TUN
// devices, real kernel traffic (ping, TCP) through them.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair, type Netns, type TeardownHost } from '../lib/netns.js';
import { Peer } from './fixtures/peer-driver.js';
import { greIpv4, udpDatagram } from './fixtures/ipv4-udp.js';
import type { EndpointCounters, SessionCounters } from '../../src/dataplane/dataplane.js';
import { emitGre } from '../../src/wire/gre.js';
import { referenceMppe } from '../../src/crypto/mppe-reference.js';
import { emitPppFrame, PPP_PROTOCOL } from '../../src/wire/ppp-frame.js';

const A_UNDERLAY = '198.18.0.1';
const B_UNDERLAY = '198.18.0.2';
const A_SPARE = '198.18.0.3';

interface Pair {
  a: Netns;
  b: Netns;
  pa: Peer;
  pb: Peer;
}

async function pair(t: TeardownHost): Promise<Pair> {
  const a = await createNetns(t, 'dpa');
  const b = await createNetns(t, 'dpb');
  const [va] = await createVethPair(a, b, { addrA: `${A_UNDERLAY}/24`, addrB: `${B_UNDERLAY}/24` });
  await a.run(['ip', 'addr', 'add', `${A_SPARE}/24`, 'dev', va]);
  return { a, b, pa: new Peer(a), pb: new Peer(b) };
}

async function openTunnel(
  p: Pair,
  key: string,
  net: number,
  ids: [number, number],
  extra: { a?: Record<string, unknown>; b?: Record<string, unknown> } = {},
): Promise<void> {
  await p.pa.call('open', {
    key,
    localCallId: ids[0],
    peerCallId: ids[1],
    peerAddress: B_UNDERLAY,
    tunName: `tun${key}a`,
    local: `10.${net}.0.1`,
    peer: `10.${net}.0.2`,
    mtu: 1400,
    ...extra.a,
  });
  await p.pb.call('open', {
    key,
    localCallId: ids[1],
    peerCallId: ids[0],
    peerAddress: A_UNDERLAY,
    tunName: `tun${key}b`,
    local: `10.${net}.0.2`,
    peer: `10.${net}.0.1`,
    mtu: 1400,
    ...extra.b,
  });
}

async function counters(peer: Peer, key?: string): Promise<{ session: SessionCounters; endpoint: EndpointCounters }> {
  return (await peer.call('counters', key === undefined ? {} : { key })) as unknown as { session: SessionCounters; endpoint: EndpointCounters };
}

/** Sends `bytes` of random data over TCP from a to b's address and returns both sides' sha256 and the time taken. */
async function tcpTransfer(a: Netns, b: Netns, dst: string, bytes: number): Promise<{ sent: string; received: string; ms: number; length: number }> {
  const server = b.spawn('node', [
    '-e',
    `const h=require('crypto').createHash('sha256');let n=0;const s=require('net').createServer(c=>{c.on('data',d=>{h.update(d);n+=d.length});c.on('end',()=>{console.log(JSON.stringify({hash:h.digest('hex'),n}));c.end();s.close()})});s.listen(5001,'${dst}',()=>console.log('listening'))`,
  ]);
  let out = '';
  const result = new Promise<{ hash: string; n: number }>((resolve, reject) => {
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { hash: string; n: number });
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  await new Promise<void>((resolve) => {
    const check = (): void => (out.includes('listening') ? resolve() : void setTimeout(check, 20));
    check();
  });
  const client = await a.run([
    'timeout',
    '60',
    'node',
    '-e',
    `const c=require('crypto');const d=c.randomBytes(${bytes});const h=c.createHash('sha256').update(d).digest('hex');const t0=Date.now();const s=require('net').connect(5001,'${dst}',()=>{s.end(d)});s.on('close',()=>console.log(JSON.stringify({hash:h,ms:Date.now()-t0})));s.resume()`,
  ]);
  const sent = JSON.parse(client.stdout.trim()) as { hash: string; ms: number };
  const received = await result;
  return { sent: sent.hash, received: received.hash, ms: sent.ms, length: received.n };
}

t.test('reference data plane carries ping and a TCP transfer between namespaces', async (t) => {
  const p = await pair(t);
  // A sends compressed framing (ACFC+PFC), B full framing: each side must accept both.
  await openTunnel(p, 'm', 77, [100, 200], { a: { acfc: true, pfc: true } });
  const ping = await p.a.exec(['ping', '-c', '3', '-i', '0.2', '-W', '2', '10.77.0.2']);
  t.equal(ping.code, 0, `ping across the tunnel: ${ping.stdout}${ping.stderr}`);

  const transfer = await tcpTransfer(p.a, p.b, '10.77.0.2', 4 * 1024 * 1024);
  t.equal(transfer.length, 4 * 1024 * 1024, 'all bytes arrived');
  t.equal(transfer.received, transfer.sent, 'sha256 of the received stream matches what was sent');
  t.comment(`reference path TCP: ${((transfer.length * 8) / transfer.ms / 1000).toFixed(1)} Mbit/s (${transfer.ms} ms for 4 MiB)`);

  const ca = await counters(p.pa, 'm');
  const cb = await counters(p.pb, 'm');
  t.ok(ca.session.txPackets >= 3 && cb.session.rxPackets >= 3, 'packets counted on both sides');
  t.equal(ca.session.txBytes > 4 * 1024 * 1024, true, 'tx bytes include the transfer');
  t.equal(cb.session.rxBytes > 4 * 1024 * 1024, true, 'rx bytes include the transfer');
  t.equal(cb.session.drops['malformed-ppp'] + ca.session.drops['malformed-ppp'], 0, 'both framings parsed');
  t.equal(ca.endpoint.drops['unknown-call-id'] + cb.endpoint.drops['unknown-call-id'], 0);

  // Control frames (here an LCP Echo-Request) go to the PPP engine's callback, not the TUN device.
  await p.pa.call('sendControl', { key: 'm', protocol: 0xc021, hex: '0901000800000000' });
  await new Promise((r) => setTimeout(r, 200));
  t.match(p.pb.events.find((e) => e.event === 'control'), { key: 'm', protocol: 0xc021, hex: '0901000800000000' });

  // Closing the session removes its TUN device.
  await p.pb.call('closeSession', { key: 'm' });
  const links = await p.b.run(['ip', '-json', 'link']);
  t.notOk((JSON.parse(links.stdout) as { ifname: string }[]).some((l) => l.ifname === 'tunmb'), 'TUN device gone after close');
  await p.pa.call('close');
  await p.pb.call('close');
});

t.test('duplicated and reordered GRE stream is delivered once and in order; wrong call ID and wrong peer dropped and counted', async (t) => {
  const p = await pair(t);
  // B has a session (call 300) with no live partner; A injects crafted GRE at it.
  await p.pb.call('open', {
    key: 'i',
    localCallId: 300,
    peerCallId: 400,
    peerAddress: A_UNDERLAY,
    tunName: 'tunib',
    local: '10.78.0.2',
    peer: '10.78.0.1',
    mtu: 1400,
  });
  await p.pb.call('udpListen', { address: '10.78.0.2', port: 7000 });
  const pkt = (seq: number): string => greIpv4(300, seq, udpDatagram('10.78.0.1', '10.78.0.2', 7000, Buffer.from(`m${seq}`))).toString('hex');
  // 3 and 4 swapped, 5 and 2 repeated.
  const order = [0, 1, 2, 4, 3, 5, 5, 2, 6];
  await p.pa.call('inject', { to: B_UNDERLAY, packets: order.map(pkt) });
  await new Promise((r) => setTimeout(r, 300));
  const got = (await p.pb.call('udpReceived')).messages as string[];
  t.same(got, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'], 'each datagram delivered once, in sequence order');
  const c1 = await counters(p.pb, 'i');
  t.equal(c1.session.drops.duplicate, 2, 'two duplicates dropped');
  t.equal(c1.session.reordered >= 1, true, 'the early packet was held and released in order');
  t.equal(c1.session.greRxPackets, order.length);

  // An old packet arriving after the window moved on is dropped as late or duplicate, not delivered.
  await p.pa.call('inject', { to: B_UNDERLAY, packets: [pkt(1)] });
  // A gap that never fills: 8 waits, then is delivered when the reorder timeout gives up on 7.
  await p.pa.call('inject', { to: B_UNDERLAY, packets: [pkt(8)] });
  await new Promise((r) => setTimeout(r, 600));
  const got2 = (await p.pb.call('udpReceived')).messages as string[];
  t.same(got2.slice(7), ['m8'], 'after the gap timed out the later packet went through; the old one did not');
  const c2 = await counters(p.pb, 'i');
  t.equal(c2.session.lost, 1, 'the missing sequence number counted as lost');
  t.ok(c2.session.ackOnlyTx >= 1, 'with no data to carry it, B acknowledged with an ack-only packet');

  // Wrong call ID, then the right call ID from the wrong peer address.
  const before = c2.endpoint;
  await p.pa.call('inject', { to: B_UNDERLAY, packets: [greIpv4(999, 9, udpDatagram('10.78.0.1', '10.78.0.2', 7000, Buffer.from('x'))).toString('hex')] });
  await p.pa.call('inject', { to: B_UNDERLAY, from: A_SPARE, packets: [pkt(9)] });
  await new Promise((r) => setTimeout(r, 200));
  const c3 = await counters(p.pb, 'i');
  t.equal(c3.endpoint.drops['unknown-call-id'] - before.drops['unknown-call-id'], 1, 'unknown call ID dropped and counted');
  t.equal(c3.endpoint.drops['wrong-peer'] - before.drops['wrong-peer'], 1, 'right call ID from the wrong peer dropped and counted');
  t.same(((await p.pb.call('udpReceived')).messages as string[]).length, 8, 'neither reached the TUN device');
  await p.pb.call('close');
  await p.pa.call('close');
});

// MPPE over the data plane through the MppeImplementations the native-crypto helper committed.
// With both present, A encrypts with the native one and B with the reference one, so every
// packet also checks that the two agree on the wire.
const mppeModules = ['mppe-native', 'mppe-reference']
  .map((name) => fileURLToPath(new URL(`../../src/crypto/${name}.ts`, import.meta.url)))
  .filter((path) => existsSync(path));

if (mppeModules.length > 0) {
  const moduleA = mppeModules[0]!;
  const moduleB = mppeModules[mppeModules.length - 1]!;
  const names = `${moduleA.split('/').pop()} <-> ${moduleB.split('/').pop()}`;
  for (const [bits, stateless] of [
    [40, true],
    [40, false],
    [128, true],
    [128, false],
  ] as const) {
    t.test(`MPPE-${bits} ${stateless ? 'stateless' : 'stateful'} (${names}) carries ping and TCP`, async (t) => {
      const p = await pair(t);
      const len = bits === 128 ? 16 : 8;
      const kAB = Buffer.alloc(len, 0x5a).toString('hex');
      const kBA = Buffer.alloc(len, 0xa5).toString('hex');
      const mppe = (module: string, send: string, receive: string): Record<string, unknown> => ({
        mppe: { module, bits, stateless, sendKey: send, receiveKey: receive },
      });
      // A compresses the protocol field inside the encrypted data (PFC); B must accept it.
      await openTunnel(p, 'e', 79, [500, 600], { a: { ...mppe(moduleA, kAB, kBA), pfc: true }, b: mppe(moduleB, kBA, kAB) });
      // Play the CCP part: a decrypter that lost sync makes its side send a Reset-Request, and the
      // other side's encrypter flushes (RFC 3078 section 8). Lost packets can happen under load.
      let resets = 0;
      p.pb.onEvent = (e) => {
        if (e.event === 'mppe-reset') void p.pa.call('resetMppeSend', { key: 'e' }).then(() => resets++);
      };
      p.pa.onEvent = (e) => {
        if (e.event === 'mppe-reset') void p.pb.call('resetMppeSend', { key: 'e' }).then(() => resets++);
      };
      const ping = await p.a.exec(['ping', '-c', '3', '-i', '0.2', '-W', '2', '10.79.0.2']);
      t.equal(ping.code, 0, `ping through MPPE: ${ping.stdout}`);
      const transfer = await tcpTransfer(p.a, p.b, '10.79.0.2', 1024 * 1024);
      t.equal(transfer.received, transfer.sent, 'sha256 matches through MPPE');
      t.comment(`MPPE-${bits} ${stateless ? 'stateless' : 'stateful'}: ${((transfer.length * 8) / transfer.ms / 1000).toFixed(1)} Mbit/s, ${resets} CCP resets`);
      const ca = await counters(p.pa, 'e');
      const cb = await counters(p.pb, 'e');
      for (const [side, c] of [['A', ca], ['B', cb]] as const) {
        t.equal(c.session.drops.unencrypted + c.session.drops['mppe-error'] + c.session.drops['malformed-ppp'], 0, `${side}: nothing undecryptable`);
        t.ok(c.session.rxPackets > 0 && c.session.txPackets > 0, `${side}: traffic both ways`);
      }
      await p.pa.call('close');
      await p.pb.call('close');
    });
  }
} else {
  t.comment('no MppeImplementation committed yet: MPPE scenarios not run');
}

t.test('stateful MPPE: a lost packet is reported once for a CCP Reset-Request and traffic resumes at the flushed packet', async (t) => {
  const referencePath = fileURLToPath(new URL('../../src/crypto/mppe-reference.ts', import.meta.url));
  const p = await pair(t);
  const key = Buffer.alloc(16, 0x3c);
  await p.pb.call('open', {
    key: 's',
    localCallId: 310,
    peerCallId: 410,
    peerAddress: A_UNDERLAY,
    tunName: 'tunsb',
    local: '10.80.0.2',
    peer: '10.80.0.1',
    mtu: 1400,
    mppe: { module: referencePath, bits: 128, stateless: false, sendKey: key.toString('hex'), receiveKey: key.toString('hex') },
  });
  await p.pb.call('udpListen', { address: '10.80.0.2', port: 7001 });
  const enc = referenceMppe.encrypter({ startKey: key, bits: 128, stateless: false });
  const mppePacket = (n: number): Buffer => {
    const plain = emitPppFrame({ protocol: PPP_PROTOCOL.IPV4, information: udpDatagram('10.80.0.1', '10.80.0.2', 7001, Buffer.from(`s${n}`)) }, { acfc: true, pfc: false });
    return emitPppFrame({ protocol: PPP_PROTOCOL.COMPRESSED, information: enc.encrypt(plain) }, { acfc: false, pfc: false });
  };
  const e = [0, 1, 2, 3, 4].map(mppePacket);
  enc.reset(); // what our side does on the peer's Reset-Request: the next packet is flushed
  e.push(mppePacket(5), mppePacket(6));
  // e[2] is lost before GRE (GRE numbers stay contiguous), so only MPPE notices.
  const stream = [e[0]!, e[1]!, e[3]!, e[4]!, e[5]!, e[6]!].map((frame, seq) => emitGre({ callId: 310, sequence: seq, payload: frame }).toString('hex'));
  await p.pa.call('inject', { to: B_UNDERLAY, packets: stream });
  await new Promise((r) => setTimeout(r, 300));
  t.same((await p.pb.call('udpReceived')).messages, ['s0', 's1', 's5', 's6'], 'packets after the gap dropped until the flushed one');
  const c = await counters(p.pb, 's');
  t.equal(c.session.drops['mppe-needs-reset'], 2);
  t.same(
    p.pb.events.filter((ev) => ev.event === 'mppe-reset').map((ev) => ev.key),
    ['s'],
    'the control side was asked for one Reset-Request, not one per dropped packet',
  );
  await p.pb.call('close');
  await p.pa.call('close');
});

t.test('a throw while handling a packet costs that packet, is counted, and the tunnel goes on', async (t) => {
  const faulty = fileURLToPath(new URL('./fixtures/faulty-mppe.ts', import.meta.url));
  const reference = fileURLToPath(new URL('../../src/crypto/mppe-reference.ts', import.meta.url));
  const p = await pair(t);
  const key = Buffer.alloc(16, 0x5a).toString('hex');
  const mppe = (module: string) => ({ mppe: { module, bits: 128, stateless: true, sendKey: key, receiveKey: key } });
  await openTunnel(p, 'f', 81, [510, 610], { a: mppe(faulty), b: mppe(reference) });
  const ping = await p.a.exec(['ping', '-c', '6', '-i', '0.2', '-W', '1', '10.81.0.2']);
  t.match(ping.stdout, /6 packets transmitted, 3 received/, `the three packets whose encryption threw are lost, the rest pass\n${ping.stdout}`);
  const c = await counters(p.pa, 'f');
  t.equal(c.session.drops['internal-error'], 3, 'each failure counted as an internal error');
  t.equal(c.session.txPackets, 3, 'only what was sent is counted as sent');
  await p.pb.call('close');
  await p.pa.call('close');
});
