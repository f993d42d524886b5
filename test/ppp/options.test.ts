import t from 'tap';
import { CcpHandler, describeEncoding, mppeBits } from '../../src/ppp/ccp.js';
import { IpcpHandler } from '../../src/ppp/ipcp.js';
import { LcpHandler } from '../../src/ppp/lcp.js';
import { decodeCcpOption, encodeCcpOption, MPPE_BIT } from '../../src/wire/ccp-options.js';
import { decodeIpcpOption, encodeIpcpOption } from '../../src/wire/ipcp-options.js';
import { decodeLcpOption, encodeLcpOption } from '../../src/wire/lcp-options.js';
import { backToBack, secret } from './harness.js';

t.test('encoding strings: one direction, both alike, directions differing', async (t) => {
  t.equal(describeEncoding(undefined, undefined), '');
  t.equal(describeEncoding({ bits: 128, stateless: true }, { bits: 128, stateless: true }), 'MPPE128 stateless');
  t.equal(describeEncoding({ bits: 128, stateless: true }, { bits: 40, stateless: false }), 'MPPE128 stateless/MPPE40 stateful');
});

t.test('CCP: an offer of several key lengths is Nak-ed down to the strongest allowed one with H', async (t) => {
  const ccp = new CcpHandler({ keyLengths: [128, 40], mode: 'stateless' });
  ccp.resetci();
  const offer = encodeCcpOption({ kind: 'mppe', bits: MPPE_BIT.S | MPPE_BIT.M | MPPE_BIT.L | MPPE_BIT.C });
  const r = ccp.reqci([offer]);
  t.equal(r.kind, 'nak');
  t.same(decodeCcpOption(r.options[0]!), { kind: 'mppe', bits: mppeBits([128], true) });
  t.equal(ccp.reqci([encodeCcpOption({ kind: 'mppe', bits: MPPE_BIT.S | MPPE_BIT.H })]).kind, 'ack');
  t.same(ccp.result().send, { bits: 128, stateless: true });
  t.equal(ccp.reqci([{ type: 17, data: Buffer.from([1, 2]) }]).kind, 'reject', 'Stac LZS and friends are rejected');
});

t.test('IPCP authenticator: 0.0.0.0 and a wrong address are Nak-ed to the remote address, DNS handed out', async (t) => {
  const ip = new IpcpHandler({ role: 'authenticator', localNetworks: [], localAddress: '10.0.103.1', remoteAddress: '10.0.103.2', dnsServers: ['10.0.0.53'], requestDns: false });
  ip.resetci();
  const ask = (a: string, dns?: string) => [encodeIpcpOption({ kind: 'ip-address', address: a }), ...(dns ? [encodeIpcpOption({ kind: 'primary-dns', address: dns })] : [])];
  let r = ip.reqci(ask('0.0.0.0', '0.0.0.0'));
  t.equal(r.kind, 'nak');
  t.same(r.options.map((o) => decodeIpcpOption(o)), [{ kind: 'ip-address', address: '10.0.103.2' }, { kind: 'primary-dns', address: '10.0.0.53' }]);
  r = ip.reqci(ask('10.9.9.9'));
  t.same(decodeIpcpOption(r.options[0]!), { kind: 'ip-address', address: '10.0.103.2' });
  t.equal(ip.reqci([...ask('10.0.103.2', '10.0.0.53'), encodeIpcpOption({ kind: 'secondary-dns', address: '0.0.0.0' })]).kind, 'reject', 'no secondary DNS configured');
  t.equal(ip.reqci(ask('10.0.103.2', '10.0.0.53')).kind, 'ack');
  t.equal(ip.reqci([{ type: 2, data: Buffer.from('002d0f01', 'hex') }]).kind, 'reject', 'VJ compression rejected');
});

t.test('LCP peer: an authentication method outside allow is Nak-ed with the strongest allowed one', async (t) => {
  const lcp = new LcpHandler({ role: 'peer', methods: ['pap', 'mschap1'], maxMru: 1460, maxMtu: 1460, mrru: undefined, magic: () => 7 });
  lcp.resetci();
  const r = lcp.reqci([encodeLcpOption({ kind: 'auth-protocol', protocol: 0xc223, data: Buffer.from([0x81]) })]);
  t.equal(r.kind, 'nak');
  t.same(decodeLcpOption(r.options[0]!), { kind: 'auth-protocol', protocol: 0xc223, data: Buffer.from([0x80]) });
  t.equal(lcp.reqci([encodeLcpOption({ kind: 'auth-protocol', protocol: 0xc023, data: Buffer.alloc(0) })]).kind, 'ack');
  const loop = lcp.reqci([encodeLcpOption({ kind: 'magic-number', magic: 7 })]);
  t.equal(loop.kind, 'nak', 'our own magic number comes back: Nak with another');
});

t.test('MRU/MTU: each side sends no more than the other receives, within max-mtu', async (t) => {
  const ex = secret('ex', 'pw');
  const b = backToBack(
    { authentication: ['mschap2'], lookupSecret: () => ex, callerId: '', maxMru: 1460, maxMtu: 1460,
      authorize: () => ({ useEncryption: 'yes', localAddress: '10.0.0.1', remoteAddress: '10.0.0.2' }) },
    { user: 'ex', password: 'pw', allow: ['mschap2'], maxMru: 1400, maxMtu: 1300, network: { useEncryption: 'yes' } },
  );
  b.start();
  b.settle();
  t.equal(b.server.up?.mtu, 1400, 'server sends at most the client MRU');
  t.equal(b.server.up?.mru, 1460);
  t.equal(b.client.up?.mtu, 1300, 'client capped by its max-mtu');
  t.equal(b.client.up?.mru, 1400);
  t.same(b.client.up?.framing, { pfc: true, acfc: true });
});

t.test('a failed login is logged RouterOS style with the user name', async (t) => {
  const { LogBook } = await import('../../src/log.js');
  const book = new LogBook();
  const b = backToBack(
    { authentication: ['mschap2'], lookupSecret: (n) => (n === 'ex' ? secret('ex', 'pw') : undefined), callerId: '', log: book.logger('pptp'),
      authorize: () => ({ useEncryption: 'yes' }) },
    { user: 'ex', password: 'bad', allow: ['mschap2'], network: { useEncryption: 'yes' } },
  );
  b.start();
  b.settle();
  t.ok(book.list().some((e) => e.message === 'user ex authentication failed: wrong password'));
});
