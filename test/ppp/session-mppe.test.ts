import t from 'tap';
import { backToBack, secret } from './harness.js';
import type { NetworkSettings, UseEncryption } from '../../src/ppp/session.js';
import type { MppeKeyBits } from '../../src/crypto/mppe.js';
import type { MppeMode } from '../../src/ppp/ccp.js';
import type { AuthMethod } from '../../src/ppp/auth/method.js';

const ex = secret('ex', 'lkjrht', { localAddress: '10.0.103.1', remoteAddress: '10.0.103.2' });

function run(method: AuthMethod, srv: Partial<NetworkSettings> & { useEncryption: UseEncryption }, cli: Partial<NetworkSettings> & { useEncryption: UseEncryption }) {
  const b = backToBack(
    { authentication: [method], lookupSecret: (n) => (n === 'ex' ? ex : undefined), callerId: '198.18.0.2',
      authorize: () => ({ localAddress: '10.0.103.1', remoteAddress: '10.0.103.2', ...srv }) },
    { user: 'ex', password: 'lkjrht', allow: [method], network: cli },
  );
  b.start();
  b.settle();
  return b;
}

const USE: UseEncryption[] = ['no', 'yes', 'required'];

t.test('use-encryption on both sides, for MS-CHAPv2, MS-CHAPv1 and CHAP', async (t) => {
  for (const method of ['mschap2', 'mschap1', 'chap'] as AuthMethod[]) {
    for (const s of USE) {
      for (const c of USE) {
        const b = run(method, { useEncryption: s }, { useEncryption: c });
        const keys = method !== 'chap';
        const label = `${method} server=${s} client=${c}`;
        if (s === 'no' || c === 'no' || !keys) {
          if (s === 'required' || c === 'required') {
            t.ok(b.server.down !== undefined && b.client.down !== undefined, `${label}: link fails`);
            const reason = `${b.server.down} | ${b.client.down}`;
            t.match(reason, /encryption required/, `${label}: says why`);
          } else {
            t.equal(b.client.up?.encoding, '', `${label}: connected unencrypted`);
            t.equal(b.server.up?.encoding, '');
            t.equal(b.server.up?.mppe.send, undefined);
          }
        } else {
          t.equal(b.client.up?.encoding, 'MPPE128 stateless', `${label}: MPPE128 stateless`);
          t.equal(b.server.up?.encoding, 'MPPE128 stateless');
        }
      }
    }
  }
});

t.test('each MPPE key length and mode, with the strongest common length chosen', async (t) => {
  const lengths: MppeKeyBits[][] = [[40], [56], [128], [40, 128], [40, 56, 128]];
  const modes: MppeMode[] = ['stateless', 'stateful', 'either'];
  for (const method of ['mschap2', 'mschap1'] as AuthMethod[]) {
    for (const sl of lengths) {
      for (const cl of lengths) {
        for (const sm of modes) {
          for (const cm of modes) {
            const common = ([128, 56, 40] as MppeKeyBits[]).find((l) => sl.includes(l) && cl.includes(l));
            const clash = (sm === 'stateless' && cm === 'stateful') || (sm === 'stateful' && cm === 'stateless');
            const b = run(method, { useEncryption: 'required', mppeKeyLengths: sl, mppeMode: sm }, { useEncryption: 'required', mppeKeyLengths: cl, mppeMode: cm });
            const label = `${method} server ${sl}/${sm} client ${cl}/${cm}`;
            if (!common || clash) {
              if (b.client.up || b.server.up) t.fail(`${label}: connected though MPPE cannot agree`);
              continue;
            }
            const stateless = sm === 'stateless' || cm === 'stateless' || (sm === 'either' && cm === 'either');
            const want = `MPPE${common} ${stateless ? 'stateless' : 'stateful'}`;
            if (b.client.up?.encoding !== want || b.server.up?.encoding !== want) {
              t.fail(`${label}: got ${b.client.up?.encoding ?? b.client.down} / ${b.server.up?.encoding ?? b.server.down}, want ${want}`);
              continue;
            }
            const sk = b.server.up.mppe, ck = b.client.up.mppe;
            const len = common === 128 ? 16 : 8;
            if (!(sk.send!.startKey.length === len && sk.send!.startKey.equals(ck.receive!.startKey) && sk.receive!.startKey.equals(ck.send!.startKey)
              && sk.send!.bits === common && ck.send!.stateless === stateless)) t.fail(`${label}: keys/params do not match`);
          }
        }
      }
    }
  }
  t.pass('matrix ran');
});

t.test('with use-encryption=yes and no common key length the link comes up unencrypted', async (t) => {
  const b = run('mschap2', { useEncryption: 'yes', mppeKeyLengths: [128] }, { useEncryption: 'yes', mppeKeyLengths: [40] });
  t.equal(b.client.up?.encoding, '');
  t.equal(b.server.up?.encoding, '');
});

t.test('a CCP Reset-Request from the peer resets our encrypter and is answered with Reset-Ack', async (t) => {
  const b = run('mschap2', { useEncryption: 'required', mppeMode: 'stateful' }, { useEncryption: 'required', mppeMode: 'stateful' });
  t.equal(b.client.up?.encoding, 'MPPE128 stateful');
  const before = b.server.sent.length;
  b.client.session.requestCcpReset();
  b.clock.advance(100);
  t.equal(b.server.resets, 1);
  const ack = b.server.sent.slice(before).find((f) => f.protocol === 0x80fd);
  t.equal(ack?.information[0], 15, 'Reset-Ack sent');
  t.equal(b.client.resets, 0);
});
