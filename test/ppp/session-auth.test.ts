import t from 'tap';
import { backToBack, secret, type ClientConfig, type ServerConfig } from './harness.js';
import { AUTH_STRENGTH_ORDER, type AuthMethod } from '../../src/ppp/auth/method.js';
import type { PppSecret } from '../../src/ppp/secrets.js';
import type { NetworkSettings } from '../../src/ppp/session.js';

function subsets(): AuthMethod[][] {
  const out: AuthMethod[][] = [];
  for (let mask = 1; mask < 16; mask++) out.push(AUTH_STRENGTH_ORDER.filter((_, i) => mask & (1 << i)));
  return out;
}

function server(secrets: PppSecret[], authentication: AuthMethod[], net: Partial<NetworkSettings> = {}, extra: Partial<ServerConfig> = {}): ServerConfig {
  const table = new Map(secrets.map((s) => [s.name, s]));
  return {
    authentication,
    lookupSecret: (n) => table.get(n),
    callerId: '198.18.0.2',
    authorize: (w) => ({
      localAddress: w.secret?.localAddress ?? '10.0.0.1',
      remoteAddress: w.secret?.remoteAddress ?? '10.0.0.200',
      dnsServers: ['10.0.0.53', '10.0.0.54'],
      useEncryption: 'yes',
      ...net,
    }),
    ...extra,
  };
}

function client(user: string, password: string, allow: AuthMethod[], net: Partial<NetworkSettings> = {}): ClientConfig {
  return { user, password, allow, network: { useEncryption: 'yes', ...net } };
}

const ex = secret('ex', 'lkjrht', { localAddress: '10.0.103.1', remoteAddress: '10.0.103.2' });

t.test('every client allow set against every server authentication set: strongest common method or a clean failure', async (t) => {
  let runs = 0;
  for (const auth of subsets()) {
    for (const allow of subsets()) {
      const common = AUTH_STRENGTH_ORDER.find((m) => auth.includes(m) && allow.includes(m));
      const b = backToBack(server([ex], auth), client('ex', 'lkjrht', allow), { seed: runs + 1 });
      b.start();
      b.settle();
      const label = `authentication=${auth} allow=${allow}`;
      if (common) {
        if (!b.server.up || !b.client.up) {
          t.fail(`${label}: did not connect (${b.server.down} / ${b.client.down})`);
          continue;
        }
        const encrypted = common === 'mschap2' || common === 'mschap1';
        const ok = b.server.up.method === common && b.client.up.method === common
          && b.client.up.localAddress === '10.0.103.2' && b.client.up.remoteAddress === '10.0.103.1'
          && b.server.up.remoteAddress === '10.0.103.2'
          && b.client.up.encoding === (encrypted ? 'MPPE128 stateless' : '') && b.server.up.encoding === b.client.up.encoding;
        if (!ok) t.fail(`${label}: wrong outcome ${JSON.stringify({ m: b.server.up.method, e: b.client.up.encoding })}`);
      } else if (b.server.up || b.client.up || !b.server.down || !b.client.down) {
        t.fail(`${label}: connected without a common method`);
      } else if (!/authentication/.test(b.server.down)) {
        t.fail(`${label}: server reason ${b.server.down}`);
      }
      if (common) {
        const w = backToBack(server([ex], auth), client('ex', 'not-lkjrht', allow), { seed: runs + 1000 });
        w.start();
        w.settle();
        if (w.server.up || w.client.up || !/authentication failed/.test(w.client.down ?? '')) {
          t.fail(`${label}: wrong password was not refused (${w.server.down} / ${w.client.down})`);
        }
      }
      runs++;
    }
  }
  t.equal(runs, 225, 'all 225 combinations ran with the right and the wrong password');
});

for (const m of AUTH_STRENGTH_ORDER) {
  t.test(`${m}: a wrong password fails on both sides and never connects`, async (t) => {
    const b = backToBack(server([ex], [m]), client('ex', 'wrong', [m]));
    b.start();
    b.settle();
    t.equal(b.server.up, undefined);
    t.equal(b.client.up, undefined);
    t.match(b.server.down, /authentication failed: wrong password/);
    t.match(b.client.down, /authentication failed/);
    t.same(b.client.statuses, ['dialing', 'verifying password...', 'terminated']);
  });
}

t.test('unknown user, disabled secret, wrong service and wrong caller-id each fail with their reason', async (t) => {
  const cases: Array<[PppSecret[], string, RegExp]> = [
    [[ex], 'nobody', /user unknown/],
    [[secret('ex', 'lkjrht', { disabled: true })], 'ex', /user disabled/],
    [[secret('ex', 'lkjrht', { service: 'pppoe' })], 'ex', /service pptp not allowed/],
    [[secret('ex', 'lkjrht', { callerId: '198.18.0.99' })], 'ex', /caller-id mismatch/],
  ];
  for (const [secrets, user, reason] of cases) {
    for (const m of ['mschap2', 'pap'] as AuthMethod[]) {
      const b = backToBack(server(secrets, [m]), client(user, 'lkjrht', [m]));
      b.start();
      b.settle();
      t.match(b.server.down, reason, `${m}: ${reason}`);
      t.match(b.client.down, /authentication failed/);
    }
  }
});

t.test('DOMAIN\\user logs in as user when no secret has the full name (MS-CHAPv2 and PAP)', async (t) => {
  for (const m of ['mschap2', 'mschap1', 'pap'] as AuthMethod[]) {
    const b = backToBack(server([ex], [m]), client('OFFICE\\ex', 'lkjrht', [m]));
    b.start();
    b.settle();
    t.equal(b.server.up?.secret?.name, 'ex', m);
    t.equal(b.client.up?.user, 'OFFICE\\ex');
  }
});

t.test('an asynchronous secret lookup (RADIUS-shaped) works', async (t) => {
  const cfg = server([ex], ['mschap2']);
  const b = backToBack({ ...cfg, lookupSecret: (n) => Promise.resolve(n === 'ex' ? ex : undefined) }, client('ex', 'lkjrht', ['mschap2']));
  b.start();
  for (let i = 0; i < 50 && !b.client.up; i++) {
    b.clock.advance(100);
    await new Promise((r) => setImmediate(r));
  }
  t.equal(b.client.up?.encoding, 'MPPE128 stateless');
});

t.test('the MS-CHAPv2 client hangs up when the server\'s S= does not prove it knows the password', async (t) => {
  // A server whose secret holds another password but which still says Success: simulate by
  // rewriting the Success message in flight.
  const b = backToBack(server([ex], ['mschap2']), client('ex', 'lkjrht', ['mschap2']));
  const orig = b.client.session.receive.bind(b.client.session);
  b.client.session.receive = (protocol: number, info: Buffer) => {
    if (protocol === 0xc223 && info[0] === 3) {
      const forged = Buffer.from(info);
      forged[6] = forged[6] === 0x30 ? 0x31 : 0x30; // first hex digit after "S="
      return orig(protocol, forged);
    }
    return orig(protocol, info);
  };
  b.start();
  b.settle();
  t.equal(b.client.up, undefined);
  t.match(b.client.down, /authenticator response mismatch/);
});

t.test('status goes verifying password... then connected, and MS-CHAPv2 start keys cross over', async (t) => {
  const b = backToBack(server([ex], ['mschap2']), client('ex', 'lkjrht', ['mschap2']));
  b.start();
  b.settle();
  t.same(b.client.statuses, ['dialing', 'verifying password...', 'connected']);
  t.equal(b.client.session.status, 'connected');
  const s = b.server.up!.mppe, c = b.client.up!.mppe;
  t.ok(s.send!.startKey.equals(c.receive!.startKey));
  t.ok(s.receive!.startKey.equals(c.send!.startKey));
  t.notOk(s.send!.startKey.equals(s.receive!.startKey));
  t.same(b.client.up!.dnsServers, ['10.0.0.53', '10.0.0.54']);
  t.equal(b.client.session.mtu, 1460);
  t.equal(b.client.session.mru, 1460);
});

t.test('the router can refuse an authenticated user (e.g. only-one) and the link ends with its reason', async (t) => {
  const b = backToBack({ ...server([ex], ['mschap2']), authorize: () => 'user ex already connected (only-one)' }, client('ex', 'lkjrht', ['mschap2']));
  b.start();
  b.settle();
  t.equal(b.server.down, 'user ex already connected (only-one)');
  t.ok(b.client.down);
  t.equal(b.client.up, undefined);
});
