// /system clock print, /system reboot and /system shutdown at the console (the daemon's power
// command itself: test/console/power.test.ts); dynamic /ip route rows refuse changes.
import t from 'tap';
import { clockRecord } from '../../src/config/clock.js';
import { LogBook } from '../../src/log.js';
import { WallClock } from '../../src/wall-clock.js';
import type { PowerAction } from '../../src/cli/power.js';
import type { DynamicEntry } from '../../src/config/runtime.js';
import { makeRouter } from './harness.js';

t.test('/system clock print: time and date as RouterOS prints them', async (t) => {
  const r = makeRouter();
  const out = await r.type('/system clock print');
  t.match(out, /^ +time: \d\d:\d\d:\d\d\n +date: (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\/\d\d\/\d{4}\n +time-zone-autodetect: no\n +time-zone-name: UTC\n +gmt-offset: \+00:00\n +dst-active: no\n$/);
  t.equal(await r.type('/system clock get time-zone-name'), 'UTC\n');
  t.match(await r.type('/system clock get gmt-offset'), '+00:00');
  t.match(await r.type('/system clock set time=12:00:00'), 'failure: not available on this system', 'no router clock: time is not set');
  t.match(await r.type('/system clock ?'), /print/);
});

t.test('/system clock set: time zone, time and date; bad input is one line and changes nothing', async (t) => {
  const clock = new WallClock();
  const r = makeRouter('MikroTik', { clock });
  t.equal(await r.type('/system clock set time-zone-name=Europe/Warsaw'), '');
  const utc = clockRecord(new Date(clock.now()), 'UTC');
  const warsaw = await r.type('/system clock print');
  t.match(warsaw, /time-zone-name: Europe\/Warsaw\n +gmt-offset: \+0[12]:00\n/);
  const hour = (s: string) => Number(/time: (\d\d)/.exec(s)?.[1]);
  t.ok([1, 2].includes((hour(warsaw) - Number(utc[0]![1].slice(0, 2)) + 24) % 24), `local time follows the zone\n${warsaw}`);
  t.match(await r.type('/system clock export'), /\n\/system clock\nset time-zone-name=Europe\/Warsaw\n$/, 'the zone is exported');

  for (const [line, error] of [
    ['/system clock set time-zone-name=Mars/Base', /unknown time zone Mars\/Base/],
    ['/system clock set time-zone-name=+01:00', /not a time zone name/],
    ['/system clock set time=25:00:00', /invalid value for argument time/],
    ['/system clock set date=feb/30/2026', /invalid value for argument date/],
    ['/system clock set time=10:00:00 time-zone-name=Nowhere/Land', /unknown time zone/],
  ] as const) {
    const before = clock.offset;
    const out = await r.type(line);
    t.match(out, error, line);
    t.equal(out.split('\n').length, 2, 'one line');
    t.equal(clock.offset, before, 'the clock did not move');
    t.equal(await r.type('/system clock get time-zone-name'), 'Europe/Warsaw\n', 'the zone did not change');
  }

  // 10:00 in Warsaw on 2 January 2020 is 09:00 UTC; the host's clock is untouched (only the offset moves).
  const host = Date.now();
  t.equal(await r.type('/system clock set time=10:00:00 date=jan/02/2020'), '');
  t.ok(Math.abs(clock.now() - Date.UTC(2020, 0, 2, 9, 0, 0)) < 2000, 'the router clock is at 09:00 UTC');
  t.ok(Math.abs(Date.now() - host) < 60_000, 'the host clock is where it was');
  t.match(await r.type('/system clock print'), /time: 10:00:0\d\n +date: jan\/02\/2020\n/);
  t.equal(await r.type('/system clock set date=2026-07-01 time-zone-name=UTC'), '', 'v7 dates; the zone set in the same command');
  t.match(await r.type('/system clock print'), /date: jul\/01\/2026\n/);
  t.notMatch(await r.type('/system clock export'), /time=|date=/, 'time and date are not configuration');
});

t.test('log entries carry the router clock, printed in its time zone', async (t) => {
  const clock = new WallClock();
  await clock.set(Date.UTC(2021, 5, 1, 8, 30, 0));
  const log = new LogBook(10, () => clock.now());
  const r = makeRouter('MikroTik', { clock, log });
  log.logger('system').info('hello');
  t.match(await r.type('/log print'), /^08:30:0\d system,info hello$/m);
  await r.type('/system clock set time-zone-name=Asia/Kolkata');
  t.match(await r.type('/log print'), /^14:00:0\d system,info hello$/m);
});

t.test('clock fields for a fixed instant and zone', async (t) => {
  const at = new Date(Date.UTC(2026, 11, 7, 12, 41, 7));
  t.same(clockRecord(at, 'UTC'), [['time', '12:41:07'], ['date', 'dec/07/2026'], ['time-zone-name', 'UTC'], ['gmt-offset', '+00:00'], ['dst-active', 'no']]);
  t.same(clockRecord(at, 'Europe/Warsaw').slice(0, 2), [['time', '13:41:07'], ['date', 'dec/07/2026']]);
  t.same(clockRecord(new Date(Date.UTC(2026, 6, 1, 23, 30, 0)), 'Europe/Warsaw'),
    [['time', '01:30:00'], ['date', 'jul/02/2026'], ['time-zone-name', 'Europe/Warsaw'], ['gmt-offset', '+02:00'], ['dst-active', 'yes']]);
  t.same(clockRecord(at, 'America/St_Johns')[3], ['gmt-offset', '-03:30']);
});

function powered() {
  const calls: PowerAction[] = [];
  const r = makeRouter('MikroTik', { power: async (a) => void calls.push(a) });
  return { r, calls };
}

t.test('reboot and shutdown ask y/N; only y runs the power action', async (t) => {
  const { r, calls } = powered();
  t.equal(await r.type('/system reboot'), '');
  t.equal(r.shell.prompt(), 'Reboot, yes? [y/N]: ');
  t.equal(await r.type('n'), 'action cancelled\n');
  t.same(calls, []);
  await r.type('/system shutdown');
  t.equal(r.shell.prompt(), 'Shutdown, yes? [y/N]: ');
  t.equal(await r.type('/system reboot'), 'action cancelled\n', 'a command is not a yes');
  t.same(calls, []);
  t.equal(await r.type('/system reboot'), '');
  t.equal(await r.type('y'), 'system will reboot shortly\n');
  await r.type('/system');
  await r.type('shutdown');
  t.equal(await r.type('Y'), 'system will shutdown shortly\n');
  t.same(calls, ['reboot', 'poweroff']);
  t.equal(r.shell.prompt(), '[admin@MikroTik] /system> ');
});

t.test('a failing power action is one line; no power command: not available, nothing asked', async (t) => {
  const failing = makeRouter('MikroTik', { power: async (a) => `failure: ${a} failed: denied` });
  await failing.type('/system reboot');
  t.equal(await failing.type('y'), 'failure: reboot failed: denied\n');
  const r = makeRouter();
  t.equal(await r.type('/system reboot'), 'failure: not available on this system\n');
  t.equal(await r.type('/system shutdown'), 'failure: not available on this system\n');
  t.equal(r.shell.prompt(), '[admin@MikroTik] > ');
  const { r: p, calls } = powered();
  t.equal(await p.type('/system reboot now'), 'expected end of command (line 1 column 16)\n');
  t.equal(p.shell.prompt(), '[admin@MikroTik] > ');
  t.same(calls, []);
});

t.test('a user without the reboot policy may not reboot', async (t) => {
  const calls: PowerAction[] = [];
  const op = makeRouter('MikroTik', { power: async (a) => void calls.push(a), user: 'op' });
  // RouterOS's read and write groups have reboot: a group made without it.
  t.notOk(op.model.add('/user group', { name: 'noreboot', policy: 'read,write,test' }) instanceof Error);
  t.notOk(op.model.add('/user', { name: 'op', group: 'noreboot', password: 'op' }) instanceof Error);
  t.match(await op.type('/system clock print'), /time: /, 'the clock is read');
  t.match(await op.type('/system reboot'), /not enough permissions/);
  t.match(await op.type('/system shutdown'), /not enough permissions/);
  t.equal(op.shell.prompt(), '[op@MikroTik] > ', 'nothing asked');
  t.same(calls, []);
});

t.test('dynamic routes: flags A D C S, static rows S, and no set or remove', async (t) => {
  const r = makeRouter();
  const entries: Record<string, DynamicEntry[]> = {
    '/ip route': [
      { values: { 'dst-address': '10.0.103.2/32', gateway: '<pptp-ex>', distance: '0' }, flags: 'AC' },
      { values: { 'dst-address': '10.150.1.0/24', gateway: '10.0.103.2', distance: '1' }, flags: 'AS' },
    ],
    '/ip address': [{ values: { address: '10.0.103.1/32', network: '10.0.103.2', interface: '<pptp-ex>' } }],
  };
  Object.assign(r.runtime, {
    dynamicEntries: (path: string) => entries[path] ?? [],
    routeActive: (id: number) => id === r.model.rows('/ip route')[0]?.id,
  });
  await r.type('/ip route add gateway=198.18.0.1');
  await r.type('/ip route add dst-address=10.9.0.0/16 gateway=198.18.0.7');
  const out = await r.type('/ip route print');
  t.match(out, /^Flags: X - disabled, A - active, D - dynamic, C - connect, S - static\n/);
  t.match(out, /\n 0 AS +0\.0\.0\.0\/0 +198\.18\.0\.1 +1\n/, 'a configured route on the host: A S');
  t.match(out, /\n 1 S +10\.9\.0\.0\/16 +198\.18\.0\.7 +1\n/, 'not on the host: S only');
  t.match(out, /\n 2 ADC 10\.0\.103\.2\/32 +<pptp-ex> +0\n/, "the tunnel peer's /32: connected");
  t.match(out, /\n 3 ADS 10\.150\.1\.0\/24 +10\.0\.103\.2 +1\n/, "the secret's routes=: dynamic static");
  t.equal(await r.type('/ip route set 2 distance=5'), 'failure: can not change dynamic entry\n');
  t.equal(await r.type('/ip route disable 3'), 'failure: can not change dynamic entry\n');
  t.equal(await r.type('/ip route remove 3'), 'failure: can not change dynamic entry\n');
  t.equal(await r.type('/ip route remove 1,3'), 'failure: can not change dynamic entry\n', 'nothing removed, the static one neither');
  t.equal(await r.type('/ip route unset 2 comment'), 'failure: can not change dynamic entry\n');
  t.equal(r.model.rows('/ip route').length, 2);
  const dynamicOnly = await r.type('/ip route print where dynamic');
  t.match(dynamicOnly, /\n 0 ADC 10\.0\.103\.2\/32[^]*\n 1 ADS 10\.150\.1\.0\/24/, 'where dynamic: the two tunnel routes, numbered as shown');
  t.equal(await r.type('/ip route remove 0'), 'failure: can not change dynamic entry\n');
  t.equal(await r.type('/ip route print count-only where !dynamic'), '2\n');
  t.equal(await r.type('/ip route print count-only where active'), '3\n', 'flags by their legend names: A');
  t.equal(await r.type('/ip route print count-only where connect'), '1\n', 'C');
  t.equal(await r.type('/ip route print count-only where static'), '3\n', 'S');
  t.equal(await r.type('/ip route print count-only where active=no'), '1\n', 'as a yes/no value too');
  t.notMatch(await r.type('/ip route export'), /10\.0\.103\.2|10\.150\.1\.0/, 'dynamic rows are not exported');
  t.match(await r.type('/ip address print'), /\n 0 D 10\.0\.103\.1\/32 +<pptp-ex>/);
  t.match(await r.type('/ip address print detail'), /D address=10\.0\.103\.1\/32 network=10\.0\.103\.2 interface=<pptp-ex>/);
  t.equal(await r.type('/ip address remove 0'), 'failure: can not change dynamic entry\n');
  t.equal(await r.type('/ip address set 0 comment=x'), 'failure: can not change dynamic entry\n');
  t.equal(await r.type('/ip address disable 0'), 'failure: can not change dynamic entry\n');
});

t.test('the network of an address (connected routes)', async (t) => {
  const { networkOf } = await import('../../src/router/host-config.js');
  t.equal(networkOf('192.168.88.1', 24), '192.168.88.0/24');
  t.equal(networkOf('198.18.18.130', 25), '198.18.18.128/25');
  t.equal(networkOf('10.1.2.3', 0), '0.0.0.0/0');
  t.equal(networkOf('10.255.255.254', 31), '10.255.255.254/31');
});

t.test('the RouterOS API lists dynamic routes with active, dynamic, connect and static', async (t) => {
  const { ApiSession } = await import('../../src/remote/api-session.js');
  const { ActiveUsers } = await import('../../src/remote/active-users.js');
  const { LoginThrottle } = await import('../../src/console/login-throttle.js');
  const { LogBook } = await import('../../src/log.js');
  const r = makeRouter();
  Object.assign(r.runtime, {
    dynamicEntries: (path: string) => (path === '/ip route' ? [{ values: { 'dst-address': '10.0.103.2/32', gateway: '<pptp-ex>', distance: '0' }, flags: 'AC' }] : []),
    routeActive: () => false,
  });
  await r.type('/ip route add gateway=198.18.0.1');
  const replies: string[][] = [];
  const s = new ApiSession(
    { model: r.model, runtime: r.runtime, log: new LogBook(), loginThrottle: new LoginThrottle(), activeUsers: new ActiveUsers() },
    { address: '10.0.0.2', via: 'api' },
    (w) => replies.push([...w]),
    () => {},
  );
  const run = async (...words: string[]): Promise<string[][]> => {
    replies.length = 0;
    s.sentence(words);
    for (let i = 0; i < 400 && !replies.some((w) => w[0] === '!done'); i++) await new Promise((res) => setTimeout(res, 5));
    return replies.map((w) => w);
  };
  await run('/login', '=name=admin', '=password=');
  const rows = await run('/ip/route/print', '=.proplist=dst-address,active,dynamic,connect,static');
  t.same(rows, [
    ['!re', '=dst-address=0.0.0.0/0', '=active=false', '=dynamic=false', '=connect=false', '=static=true'],
    ['!re', '=dst-address=10.0.103.2/32', '=active=true', '=dynamic=true', '=connect=true', '=static=false'],
    ['!done'],
  ]);
  s.end();
});

t.test('/system ntp client: settings, status lines, export round trip, bad values', async (t) => {
  const r = makeRouter();
  const before = await r.type('/system ntp client print');
  t.match(before, /^ +enabled: no\n +mode: unicast\n +servers: \n +dynamic-servers: \n +status: stopped\n$/);
  t.equal(await r.type('/system ntp client set enabled=yes servers=198.18.0.123,198.18.0.124'), '');
  t.match(await r.type('/system ntp client set mode=broadcast'), /mode/, 'only unicast');
  t.match(await r.type('/system ntp client set servers=pool.ntp.org'), /servers/, 'addresses only');
  t.equal(await r.type('/system ntp client get servers'), '198.18.0.123,198.18.0.124\n');
  const exported = await r.type('/system ntp client export');
  t.match(exported, /\n\/system ntp client\nset enabled=yes servers=198\.18\.0\.123,198\.18\.0\.124\n$/);
  const other = makeRouter();
  for (const line of exported.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) t.equal(await other.type(line), '', line);
  t.equal(await other.type('/system ntp client print'), await r.type('/system ntp client print'), 'the export applies to the same settings');
});

t.test('/system clock set completes time= and date= besides the stored properties', async (t) => {
  const r = makeRouter();
  t.same(r.shell.complete('/system clock set t')[0], ['time-zone-autodetect=', 'time-zone-name=', 'time=']);
  t.same(r.shell.complete('/system clock set d')[0], ['date=']);
});
