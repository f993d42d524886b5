// Multilink over one link in the data plane (issue 14 section 2), between two namespaces with real
// TUN devices and raw GRE: the link MTU is 1450 (and 1460), the TUN devices take 1500, MPPE-128 is on. A
// 1500-byte packet with DF crosses as MP fragments (encrypted whole, then fragmented; reassembled,
// then decrypted), small packets go unfragmented, and nothing is dropped; on both data planes
// (native: native/src/dataplane/multilink.c inside the packet thread).
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair } from '../lib/netns.js';
import { Peer } from './fixtures/peer-driver.js';
import type { SessionCounters } from '../../src/dataplane/dataplane.js';

const reference = fileURLToPath(new URL('../../src/crypto/mppe-reference.ts', import.meta.url));

for (const kind of ['reference', 'native'] as const) {
  // The seed's promise names link MTUs of 1450 and 1460: both still need 2 fragments for 1500.
  const variants = [{ shortSequence: false, linkMtu: 1450 }, { shortSequence: true, linkMtu: 1450 }, { shortSequence: false, linkMtu: 1460 }];
  for (const { shortSequence, linkMtu } of variants) {
    t.test(`${kind}: MP with ${shortSequence ? '12' : '24'}-bit sequence numbers carries 1500-byte packets over a ${linkMtu}-byte link`, async (t) => {
      const a = await createNetns(t, 'mpa');
      const b = await createNetns(t, 'mpb');
      await createVethPair(a, b, { addrA: '198.18.0.1/24', addrB: '198.18.0.2/24' });
      const pa = new Peer(a, kind);
      const pb = new Peer(b, kind);
      const kAB = Buffer.alloc(16, 0x3c).toString('hex');
      const kBA = Buffer.alloc(16, 0xa5).toString('hex');
      const multilink = { linkMtu, mrru: 1600, shortSequence };
      const mppe = (send: string, receive: string) => ({ module: reference, bits: 128, stateless: true, sendKey: send, receiveKey: receive });
      await pa.call('open', {
        key: 'mp', localCallId: 700, peerCallId: 800, peerAddress: '198.18.0.2', tunName: 'tunmpa',
        local: '10.90.0.1', peer: '10.90.0.2', mtu: 1500, pfc: true, acfc: true, mppe: mppe(kAB, kBA), multilink,
      });
      await pb.call('open', {
        key: 'mp', localCallId: 800, peerCallId: 700, peerAddress: '198.18.0.1', tunName: 'tunmpb',
        local: '10.90.0.2', peer: '10.90.0.1', mtu: 1500, mppe: mppe(kBA, kAB), multilink,
      });
      const ping = await a.exec(['ping', '-c', '4', '-i', '0.2', '-W', '3', '-M', 'do', '-s', '1472', '10.90.0.2']);
      t.equal(ping.code, 0, `ping -M do -s 1472 across the ${linkMtu} link\n${ping.stdout}${ping.stderr}`);
      const small = await a.exec(['ping', '-c', '2', '-i', '0.2', '-W', '3', '10.90.0.2']);
      t.equal(small.code, 0, 'small packets too');
      const ca = ((await pa.call('counters', { key: 'mp' })) as unknown as { session: SessionCounters }).session;
      const cb = ((await pb.call('counters', { key: 'mp' })) as unknown as { session: SessionCounters }).session;
      t.ok(ca.multilink && cb.multilink, 'both sessions speak MP');
      t.equal(ca.multilink!.fragmentsTx, 8, 'A sent each of the 4 big echo requests as 2 fragments (the small ones whole)');
      t.equal(cb.multilink!.reassembled, 4, 'B reassembled 4 packets');
      t.equal(cb.multilink!.fragmentsTx, 8, 'B fragmented its 4 big replies');
      t.equal(ca.multilink!.reassembled, 4);
      for (const c of [ca, cb]) {
        t.same(c.multilink!.drops, { 'lost-fragment': 0, 'too-long': 0, timeout: 0, malformed: 0 }, 'no MP drops');
        t.equal(c.drops['mppe-error'] + c.drops['malformed-ppp'] + c.drops.unencrypted, 0, 'decrypted after reassembly');
      }
      t.end();
    });
  }
}
