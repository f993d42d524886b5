// /radius and /ppp aaa typed at the console: the shared secret is sensitive as a PPP password is
// (issue 12: hidden from groups without the `sensitive` policy and from `export` unless
// show-sensitive), the export pastes back to the same configuration, and bad input is one
// clear line that changes nothing.
import t from 'tap';
import { makeRouter } from '../cli/harness.js';

const DENIED = 'not enough permissions (9)\n';
const SETUP = [
  '/radius add service=ppp address=198.18.41.2 secret=rad-Secret-1 timeout=1s500ms src-address=198.18.41.1',
  '/radius add service=ppp address=198.18.41.3 secret="two words" authentication-port=11812 accounting-port=11813 disabled=yes',
  '/ppp aaa set use-radius=yes accounting=no interim-update=5m',
];

t.test('a group without sensitive never sees the RADIUS secret', async (t) => {
  const admin = makeRouter();
  await admin.type('/user group add name=nosens policy=local,read,test');
  await admin.type('/user add name=peek group=nosens password=pw');
  for (const line of SETUP) t.equal(await admin.type(line), '', line);
  const r = makeRouter('MikroTik', { user: 'peek', model: admin.model });
  for (const line of ['/radius print', '/radius print detail', '/radius export', '/export', '/radius print terse']) {
    const out = await r.type(line);
    t.notMatch(out, /rad-Secret-1|two words/, line);
  }
  t.match(await r.type('/radius print detail'), /198\.18\.41\.2/, 'the rest of the row is shown');
  t.equal(await r.type('/radius get 0 secret'), DENIED);
  t.equal(await r.type('/radius export show-sensitive'), DENIED);
  t.equal(await r.type('/radius find where secret=rad-Secret-1'), '\n', 'find cannot probe the hidden value');
});

t.test('with sensitive: shown in print, exported only with show-sensitive', async (t) => {
  const r = makeRouter();
  for (const line of SETUP) await r.type(line);
  t.match(await r.type('/radius print detail'), /secret="rad-Secret-1"/);
  t.equal(await r.type('/radius get 0 secret'), 'rad-Secret-1\n');
  const hidden = await r.type('/export');
  t.match(hidden, /\/radius\nadd service=ppp address=198\.18\.41\.2/, 'the servers are exported');
  t.notMatch(hidden, /rad-Secret-1|two words/, 'without their secrets by default (v7)');
  t.notMatch(await r.type('/export hide-sensitive'), /rad-Secret-1/);
  const shown = await r.type('/export show-sensitive');
  t.match(shown, /secret=rad-Secret-1/);
  t.match(shown, /secret="two words"/);
});

t.test('the export pastes back to the same /radius and /ppp aaa', async (t) => {
  const a = makeRouter();
  for (const line of SETUP) await a.type(line);
  const script = await a.type('/export show-sensitive');
  const b = makeRouter();
  for (const line of script.split('\n')) t.equal(await b.type(line), '', `paste: ${line}`);
  const strip = (r: ReturnType<typeof makeRouter>): unknown => ({
    radius: r.model.rows('/radius').map((row) => row.values),
    aaa: r.model.snapshot().settings['/ppp aaa'],
  });
  t.same(strip(b), strip(a));
  t.equal(b.model.rows('/radius').length, 2);
  t.match(await b.type('/ppp aaa print'), /use-radius: yes\n\s+accounting: no\n\s+interim-update: 300\n/);
});

t.test('bad input: one line, nothing changed', async (t) => {
  const r = makeRouter();
  await r.type(SETUP[0]!);
  const before = JSON.stringify(r.model.snapshot());
  for (const [line, want] of [
    ['/radius add service=login address=198.18.41.9', /service/],
    ['/radius add address=198.18.41.9 timeout=61s', /^value of timeout out of range \(10ms\.\.60s\)\n$/],
    ['/radius add address=198.18.41.9 timeout=5ms', /^value of timeout out of range \(10ms\.\.60s\)\n$/],
    ['/radius add address=198.18.41.9 timeout=abc', /^invalid value for argument timeout\n$/],
    ['/radius add address=not-an-ip', /address/],
    ['/radius set 0 authentication-port=70000', /authentication-port/],
    ['/ppp aaa set use-radius=maybe', /use-radius/],
  ] as const) {
    const out = await r.type(line);
    t.match(out, want, line);
    t.equal(out.split('\n').filter(Boolean).length, 1, `${line}: one line`);
  }
  t.equal(JSON.stringify(r.model.snapshot()), before, 'nothing changed');
});
