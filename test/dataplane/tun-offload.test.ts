// TUN offloads on the native data plane (issue 13 item 2): with IFF_VNET_HDR the kernel hands
// the sender large TCP segments, which must leave as MTU-sized GRE packets, each encrypted on
// its own; the receiver coalesces consecutive segments into one TUN write. The same transfer
// runs with offload and with plain TUN devices (the fallback): the bytes must arrive intact both
// ways, and the offload figures say which path really ran. Real TUN devices, GRE and kernel TCP
// between two namespaces.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair } from '../lib/netns.js';
import { Peer } from './fixtures/peer-driver.js';
import { tcpTransfer } from './fixtures/tunnel-scenarios.js';
import type { SessionCounters } from '../../src/dataplane/dataplane.js';
import type { TunOffloadStats } from '../../src/dataplane/native.js';

const NATIVE_MPPE = fileURLToPath(new URL('../../src/crypto/mppe-native.ts', import.meta.url));
const BYTES = 8 * 1024 * 1024;
const MTU = 1400;

interface Case {
  readonly offload: boolean;
  readonly encrypted: boolean;
  readonly calls: [number, number];
}

// Offload both ways, with and without encryption (each split segment is encrypted on its own);
// the plain-TUN fallback with encryption. Call IDs odd on one side and even on the other, so with
// two packet threads each side the sharding by call ID is crossed too.
const cases: Case[] = [
  { offload: true, encrypted: false, calls: [101, 102] },
  { offload: true, encrypted: true, calls: [103, 104] },
  { offload: false, encrypted: true, calls: [105, 106] },
];

t.test('native data plane with offload and plain TUN: TCP streams arrive intact in MTU-sized GRE packets', async (t) => {
  const a = await createNetns(t, 'ofa');
  const b = await createNetns(t, 'ofb');
  await createVethPair(a, b, { addrA: '198.18.40.1/24', addrB: '198.18.40.2/24' });
  // One pair of processes per TUN mode; each process's GRE sockets only act on their own call IDs.
  const peers = new Map<boolean, [Peer, Peer]>();
  for (const offload of [true, false]) {
    const env = { PEER_TUN_OFFLOAD: offload ? '1' : '0', PEER_WORKERS: '2' };
    peers.set(offload, [new Peer(a, 'native', env), new Peer(b, 'native', env)]);
  }
  for (const [i, c] of cases.entries()) {
    const [pa, pb] = peers.get(c.offload)!;
    const label = `${c.offload ? 'offload' : 'plain'} TUN, ${c.encrypted ? 'MPPE-128 stateless' : 'unencrypted'}`;
    const key = `o${i}`;
    const mppe = (send: number, receive: number): Record<string, unknown> =>
      c.encrypted ? { mppe: { module: NATIVE_MPPE, bits: 128, stateless: true, sendKey: Buffer.alloc(16, send).toString('hex'), receiveKey: Buffer.alloc(16, receive).toString('hex') } } : {};
    const common = { key, mtu: MTU, acfc: true, pfc: true };
    await pa.call('open', { ...common, localCallId: c.calls[0], peerCallId: c.calls[1], peerAddress: '198.18.40.2', tunName: `ofa${i}`, local: `10.4${i}.0.1`, peer: `10.4${i}.0.2`, ...mppe(1, 2) });
    await pb.call('open', { ...common, localCallId: c.calls[1], peerCallId: c.calls[0], peerAddress: '198.18.40.1', tunName: `ofb${i}`, local: `10.4${i}.0.2`, peer: `10.4${i}.0.1`, ...mppe(2, 1) });
    const info = (await pa.call('offload', { key })) as { stats: TunOffloadStats; workers: number };
    t.equal(info.workers, 2, `${label}: two packet threads`);
    t.equal(info.stats.offload, c.offload, c.offload ? `${label}: the kernel took IFF_VNET_HDR and TSO` : `${label}: plain TUN as asked`);

    const transfer = await tcpTransfer(a, b, `10.4${i}.0.2`, BYTES);
    t.equal(transfer.length, BYTES, `${label}: all bytes arrived`);
    t.equal(transfer.received, transfer.sent, `${label}: sha256 of the received stream matches what was sent`);
    t.comment(`${label}: ${((transfer.length * 8) / transfer.ms / 1000).toFixed(0)} Mbit/s (${transfer.ms} ms for ${BYTES >> 20} MiB)`);

    const sender = ((await pa.call('offload', { key })) as { stats: TunOffloadStats }).stats;
    const receiver = ((await pb.call('offload', { key })) as { stats: TunOffloadStats }).stats;
    const ca = ((await pa.call('counters', { key })) as { session: SessionCounters }).session;
    const cb = ((await pb.call('counters', { key })) as { session: SessionCounters }).session;
    t.comment(`sender ${JSON.stringify(sender)}; receiver ${JSON.stringify(receiver)}`);
    if (c.offload) {
      t.ok(sender.gsoReads > 0, `${label}: the kernel handed the sender large TCP segments`);
      t.ok(sender.segments > sender.gsoReads, `${label}: each was split into several packets`);
      t.ok(receiver.coalescedWrites > 0 && receiver.coalescedPackets > receiver.coalescedWrites, `${label}: the receiver coalesced segments into single TUN writes`);
    } else {
      t.equal(sender.gsoReads + receiver.coalescedWrites, 0, `${label}: no large segments, no coalescing`);
    }
    // Every packet that left was at most MTU-sized: the payload carried needs at least this many.
    t.ok(ca.txPackets >= BYTES / (MTU - 40), `${label}: at least one GRE packet per MSS of payload (${ca.txPackets})`);
    t.equal(ca.drops['internal-error'] + ca.drops['gre-send'], 0, `${label}: nothing dropped on the way out`);
    t.equal(cb.drops['tun-write'] + cb.drops['mppe-error'] + cb.drops['malformed-ppp'], 0, `${label}: nothing dropped on the way in`);
  }
  for (const [pa, pb] of peers.values()) {
    await pa.call('close');
    await pb.call('close');
  }
});
