// Accounting records past 4 GiB (RFC 2869 5.1, 5.2: the Gigawords carry what overflows 32 bits),
// which records carry totals and a terminate cause, and what an Access-Accept's reply attributes
// become for the PPP user: Framed-Route, Session-Timeout, Idle-Timeout, Framed-IP-Address.
import t from 'tap';
import { accountingRequest, terminateCause, type AccountedSession } from '../../src/radius/accounting.js';
import { verdictOf } from '../../src/radius/access.js';
import {
  ACCT_STATUS, ATTR, RADIUS_CODE, TERMINATE_CAUSE, attrAddress, attrInt, attrString, intValue, parseRadius,
  type RadiusAttribute, type RadiusPacket,
} from '../../src/wire/radius.js';
import { WireError } from '../../src/wire/error.js';

const secret = Buffer.from('acct-secret');
const session: AccountedSession = {
  sessionId: '00000000000000AB',
  user: 'big',
  framedAddress: '10.0.0.2',
  callingStation: '198.18.40.2',
  nasIdentifier: 'Server',
  classes: [Buffer.from('c1'), Buffer.from('c2')],
  startedAt: 1_000_000,
};

function attributesOf(packet: Buffer): readonly RadiusAttribute[] {
  const p = parseRadius(packet);
  if (p instanceof WireError) throw new Error(p.toString());
  if (p.code !== RADIUS_CODE.ACCOUNTING_REQUEST) throw new Error(`code ${p.code}`);
  return p.attributes;
}
const int = (attrs: readonly RadiusAttribute[], type: number): number | undefined => intValue(attrs.find((a) => a.type === type));

t.test('octets past 2^32 go into the Gigawords; Stop carries time and cause', async (t) => {
  const totals = { rxBytes: 3 * 2 ** 32 + 7, txBytes: 2 ** 32, rxPackets: 2 ** 32 + 1, txPackets: 9 };
  const build = accountingRequest(session, ACCT_STATUS.STOP, 1_000_000 + 61_500, totals, TERMINATE_CAUSE.IDLE_TIMEOUT);
  const a = attributesOf(build({ secret, srcAddress: '198.18.41.1' }, 4).packet);
  t.equal(a.find((x) => x.type === ATTR.NAS_IP_ADDRESS)?.value.join('.'), '198.18.41.1', 'NAS-IP-Address: the src-address');
  t.equal(int(a, ATTR.ACCT_INPUT_OCTETS), 7);
  t.equal(int(a, ATTR.ACCT_INPUT_GIGAWORDS), 3);
  t.equal(int(a, ATTR.ACCT_OUTPUT_OCTETS), 0);
  t.equal(int(a, ATTR.ACCT_OUTPUT_GIGAWORDS), 1);
  t.equal(int(a, ATTR.ACCT_INPUT_PACKETS), 1, 'packet counts wrap at 32 bits (no Gigawords for packets)');
  t.equal(int(a, ATTR.ACCT_OUTPUT_PACKETS), 9);
  t.equal(int(a, ATTR.ACCT_SESSION_TIME), 61, 'whole seconds');
  t.equal(int(a, ATTR.ACCT_TERMINATE_CAUSE), TERMINATE_CAUSE.IDLE_TIMEOUT);
  t.same(a.filter((x) => x.type === ATTR.CLASS).map((x) => x.value.toString()), ['c1', 'c2'], 'every Class echoed, in order');
});

t.test('Start has no totals; Interim-Update has totals and no cause', async (t) => {
  const totals = { rxBytes: 10, txBytes: 20, rxPackets: 1, txPackets: 2 };
  const start = attributesOf(accountingRequest(session, ACCT_STATUS.START, session.startedAt)({ secret }, 1).packet);
  t.equal(int(start, ATTR.ACCT_STATUS_TYPE), ACCT_STATUS.START);
  t.equal(int(start, ATTR.ACCT_INPUT_OCTETS), undefined);
  t.notOk(start.some((x) => x.type === ATTR.NAS_IP_ADDRESS), 'no NAS-IP-Address without src-address (routing picks the source)');
  const interim = attributesOf(accountingRequest(session, ACCT_STATUS.INTERIM_UPDATE, session.startedAt + 5000, totals)({ secret }, 2).packet);
  t.equal(int(interim, ATTR.ACCT_OUTPUT_OCTETS), 20);
  t.equal(int(interim, ATTR.ACCT_TERMINATE_CAUSE), undefined);
});

t.test('the link\'s reason becomes Acct-Terminate-Cause', async (t) => {
  for (const [reason, cause] of [
    ['session timeout', TERMINATE_CAUSE.SESSION_TIMEOUT],
    ['idle timeout', TERMINATE_CAUSE.IDLE_TIMEOUT],
    ['PPTP call ended: cleared by peer (Call-Clear-Request)', TERMINATE_CAUSE.USER_REQUEST],
    ['PPTP call ended: control connection closed', TERMINATE_CAUSE.LOST_CARRIER],
    ['peer sent Terminate-Request', TERMINATE_CAUSE.USER_REQUEST],
    ['keepalive timeout', TERMINATE_CAUSE.LOST_CARRIER],
  ] as const) t.equal(terminateCause(reason), cause, reason);
});

t.test('an Access-Accept\'s reply attributes become the user\'s addresses, routes and limits', async (t) => {
  const reply = (attributes: RadiusAttribute[]): RadiusPacket => ({
    code: RADIUS_CODE.ACCESS_ACCEPT, identifier: 1, authenticator: Buffer.alloc(16), attributes,
  });
  const v = verdictOf('u', { method: 'pap', password: 'p' }, reply([
    attrAddress(ATTR.FRAMED_IP_ADDRESS, '10.0.0.7'),
    attrString(ATTR.FRAMED_ROUTE, '10.9.9.0/24'),
    attrString(ATTR.FRAMED_ROUTE, '10.9.8.0/24 10.0.0.7 5'),
    attrString(ATTR.FRAMED_ROUTE, '192.168.5.0/24 0.0.0.0 1'),
    attrString(ATTR.FRAMED_ROUTE, 'garbage'),
    attrInt(ATTR.SESSION_TIMEOUT, 3600),
    attrInt(ATTR.IDLE_TIMEOUT, 300),
    attrInt(ATTR.ACCT_INTERIM_INTERVAL, 60),
  ]), secret, Buffer.alloc(16), '198.18.41.2', 'default');
  if (!v.ok) throw new Error(v.reason);
  t.equal(v.secret.remoteAddress, '10.0.0.7');
  t.equal(v.secret.routes, '10.9.9.0/24, 10.9.8.0/24 10.0.0.7 5, 192.168.5.0/24', 'gateway 0.0.0.0 is the tunnel itself; garbage is skipped');
  t.equal(v.secret.remote?.sessionTimeout, 3600);
  t.equal(v.secret.remote?.idleTimeout, 300);
  t.equal(v.secret.remote?.interimInterval, 60);
  t.equal(v.secret.profile, 'default', 'the server\'s default-profile');

  const pool = verdictOf('u', { method: 'pap', password: 'p' }, reply([attrAddress(ATTR.FRAMED_IP_ADDRESS, '255.255.255.254')]), secret, Buffer.alloc(16), 's', 'default');
  t.equal(pool.ok && pool.secret.remoteAddress, undefined, '255.255.255.254 leaves the address to the profile (RFC 2865 5.8)');

  const mschap2 = verdictOf('u', { method: 'mschap2', identifier: 1, challenge: Buffer.alloc(16), response: Buffer.alloc(50) }, reply([]), secret, Buffer.alloc(16), 's', 'default');
  t.match(mschap2, { ok: false, reason: /sent no MS-CHAP2-Success/ }, 'an MS-CHAPv2 Accept without MS-CHAP2-Success is refused: the client could not check the server');
});
