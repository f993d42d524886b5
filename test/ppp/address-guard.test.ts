// Which tunnel addresses the other end may not make us use (src/ppp/address-guard.ts).
import t from 'tap';
import { refusedAddress, type AddressPolicy } from '../../src/ppp/address-guard.js';

const nets = [
  { address: '192.168.88.1', prefixLength: 24 },
  { address: '198.18.0.2', prefixLength: 31 },
  { address: '10.0.103.1', prefixLength: 32, peer: '10.0.103.2' },
  { address: '127.0.0.1', prefixLength: 8 },
];
const server: AddressPolicy = { localNetworks: nets, refuseConnectedSubnets: true };
const client: AddressPolicy = { localNetworks: nets, refuseConnectedSubnets: false };

t.test('special addresses are refused in both roles', async (t) => {
  for (const [a, why] of [['0.0.0.0', /unspecified/], ['0.9.9.9', /unspecified/], ['127.0.0.53', /loopback/], ['224.0.0.1', /multicast/], ['239.1.2.3', /multicast/], ['240.0.0.1', /reserved/], ['255.255.255.255', /broadcast/], ['10.0.0', /not an IPv4/]] as const) {
    t.match(refusedAddress(a, server), why, `server: ${a}`);
    t.match(refusedAddress(a, client), why, `client: ${a}`);
  }
});

t.test('our own addresses are refused in both roles', async (t) => {
  for (const a of ['192.168.88.1', '198.18.0.2', '10.0.103.1']) {
    t.equal(refusedAddress(a, server), 'one of our own addresses');
    t.equal(refusedAddress(a, client), 'one of our own addresses');
  }
});

t.test('connected subnets and other links\' far ends: refused for a server, allowed for a client', async (t) => {
  t.equal(refusedAddress('192.168.88.10', server), 'inside our connected subnet 192.168.88.0/24');
  t.equal(refusedAddress('192.168.88.255', server), 'inside our connected subnet 192.168.88.0/24', 'the subnet broadcast too');
  t.equal(refusedAddress('198.18.0.3', server), 'inside our connected subnet 198.18.0.2/31', 'the other end of a /31');
  t.equal(refusedAddress('10.0.103.2', server), 'the far end of another of our links');
  for (const a of ['192.168.88.10', '198.18.0.3', '10.0.103.2']) t.equal(refusedAddress(a, client), undefined, `client: ${a}`);
});

t.test('ordinary addresses elsewhere are fine', async (t) => {
  for (const a of ['10.0.103.3', '192.168.89.1', '198.18.0.4', '1.1.1.1']) {
    t.equal(refusedAddress(a, server), undefined, a);
    t.equal(refusedAddress(a, client), undefined, a);
  }
  t.equal(refusedAddress('192.168.88.10', { localNetworks: [], refuseConnectedSubnets: true }), undefined, 'nothing known, nothing refused but special addresses');
});
