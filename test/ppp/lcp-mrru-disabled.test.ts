// Interop bug (issue 6): routerd's server offered `<mrru 0>` to pppd 2.4.9, because the
// configuration stores `mrru=disabled` as 0 and PPP took 0 for a size. Replays the frames of
// that call: our first Configure-Request must not carry MRRU, and a peer's MRRU must be
// Configure-Rejected, for an MRRU of 0 exactly as for an undefined one.
import t from 'tap';
import { FakeClock, secret, seededRandom } from './harness.js';
import { PppSession } from '../../src/ppp/session.js';
import { emitPppPacket, parsePppOptions, parsePppPacket, type PppPacket } from '../../src/wire/ppp-packet.js';
import { WireError } from '../../src/wire/error.js';
import { silentLogger } from '../../src/log.js';

const ex = secret('ex', 'lkjrht', { localAddress: '10.0.103.1', remoteAddress: '10.0.103.2' });

function server(mrru: number | undefined, role: 'server' | 'client' = 'server') {
  const sent: Array<{ protocol: number; packet: PppPacket }> = [];
  const events = {
    send: (protocol: number, information: Buffer) => {
      const p = parsePppPacket(information);
      if (!(p instanceof WireError)) sent.push({ protocol, packet: p });
    },
  };
  const common = { clock: new FakeClock(), events, log: silentLogger, random: seededRandom(3).bytes, mrru, maxMru: 1460, maxMtu: 1460 };
  const session =
    role === 'server'
      ? new PppSession({
          ...common, role, authentication: ['mschap2'], callerId: '198.18.44.2',
          lookupSecret: (n) => (n === 'ex' ? ex : undefined),
          authorize: () => ({ localAddress: '10.0.103.1', remoteAddress: '10.0.103.2', useEncryption: 'yes' }),
        })
      : new PppSession({ ...common, role, user: 'ex', password: 'lkjrht', allow: ['mschap2'], network: { useEncryption: 'yes' } });
  session.start();
  return { session, sent };
}

const optionTypes = (p: PppPacket): number[] => (parsePppOptions(p.data) as Array<{ type: number }>).map((o) => o.type);

for (const role of ['server', 'client'] as const) {
  t.test(`${role}: an MRRU of 0 (mrru=disabled) is never offered`, async (t) => {
    for (const mrru of [0, undefined]) {
      const s = server(mrru, role);
      const req = s.sent.find((f) => f.protocol === 0xc021 && f.packet.code === 1);
      t.ok(req, 'we sent a Configure-Request');
      t.notOk(optionTypes(req!.packet).includes(17), `mrru ${mrru}: no MRRU option (17) in ${req!.packet.data.toString('hex')}`);
    }
  });
}

t.test('server with MRRU 0: the peer\'s MRRU and Endpoint-Discriminator are Configure-Rejected', async (t) => {
  const s = server(0);
  // A Windows-style request: MRU 1400, magic, PFC, ACFC, MRRU 1614, Endpoint-Discriminator class 1.
  s.session.receive(0xc021, emitPppPacket({ code: 1, identifier: 1, data: Buffer.from('01040578050611223344070208021104064e13070101020304', 'hex') }));
  const reply = s.sent.find((f) => f.protocol === 0xc021 && f.packet.identifier === 1 && f.packet.code !== 1);
  t.equal(reply?.packet.code, 4, 'Configure-Reject');
  t.same(optionTypes(reply!.packet), [17, 19], 'of MRRU and Endpoint-Discriminator');
});

t.test('pppd\'s first request (asyncmap, magic, pcomp, accomp) is acknowledged as sent', async (t) => {
  const s = server(0);
  // From the capture: rcvd [LCP ConfReq id=0x1 <asyncmap 0x0> <magic 0xd582ae5a> <pcomp> <accomp>]
  s.session.receive(0xc021, emitPppPacket({ code: 1, identifier: 1, data: Buffer.from('020600000000' + '0506d582ae5a' + '0702' + '0802', 'hex') }));
  const reply = s.sent.find((f) => f.protocol === 0xc021 && f.packet.identifier === 1 && f.packet.code !== 1);
  t.equal(reply?.packet.code, 2, 'Configure-Ack');
});
