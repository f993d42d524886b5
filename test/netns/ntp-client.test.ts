// Issue 16's clock, typed at the console against real peers: the router's NTP client takes its
// server from the ISP's DHCP lease (dnsmasq, option 42) and synchronizes with Debian's chronyd;
// a server that answers with a client's mode or a wrong origin timestamp is refused and moves
// nothing; a stopped server turns the status to error. routerd runs without
// --set-system-clock, so only its own clock moves: the host's is never touched.
import t from 'tap';
import { ispDnsmasq } from '../lib/dhcp-peers.js';
import { createNetns, createVethPair } from '../lib/netns.js';
import { badNtpServer, chronyServer } from '../lib/ntp-peers.js';
import { startRouter } from '../lib/routers.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const field = (out: string, key: string): string => new RegExp(`^ *${key}: (.*)$`, 'm').exec(out)?.[1] ?? '';

t.test('the NTP client syncs with chronyd, refuses bad answers and notices a stopped server', async (t) => {
  const [isp, routerNs] = [await createNetns(t, 'ntp-isp'), await createNetns(t, 'ntp-rtr')];
  await createVethPair(isp, routerNs, { nameA: 'isp', nameB: 'ether1', addrA: '198.18.19.1/24' });
  await isp.run(['ip', 'addr', 'add', '198.18.19.3/24', 'dev', 'isp']);
  await ispDnsmasq(t, isp, '198.18.19.1', [
    'dhcp-range=198.18.19.100,198.18.19.150,255.255.255.0,10m',
    'dhcp-option=option:router,198.18.19.1',
    'dhcp-option=option:ntp-server,198.18.19.1',
    'port=0',
  ]);
  const chrony = await chronyServer(t, isp, '198.18.19.1');
  await badNtpServer(t, isp, '198.18.19.3');

  const hostBefore = Date.now();
  const { routerd } = await startRouter(t, routerNs, ['ether1']);
  await routerd.configure('/ip address add address=198.18.19.2/24 interface=ether1');
  t.equal(await routerd.command('/system clock set date=jan/01/2020 time=00:00:00'), '');

  // A server whose answers are no answers: refused, the clock stays where it was set.
  await routerd.configure('/system ntp client set enabled=yes servers=198.18.19.3');
  const refused = await routerd.poll('/system ntp client print', (o) => field(o, 'status') === 'error', 30_000);
  t.equal(field(refused, 'status'), 'error', `three refused answers: error\n${refused}`);
  t.match(field(refused, 'last-error'), /^198\.18\.19\.3: reply rejected: origin timestamp does not match/);
  const log = await routerd.command('/log print');
  t.match(log, /reply rejected: reply has mode 3, not 4/, 'the client-mode answer was refused');
  t.match(log, /reply rejected: origin timestamp does not match/, 'and the answer to some other query');
  t.match(field(await routerd.command('/system clock print'), 'date'), /^jan\/01\/2020$/, 'the clock did not move');

  // The ISP's DHCP lease names an NTP server (use-peer-ntp): chronyd. Without static servers
  // only that one is asked.
  await routerd.configure('/ip dhcp-client add interface=ether1 disabled=no');
  await routerd.poll('/ip dhcp-client print', (o) => /bound/.test(o), 60_000);
  await routerd.configure('/system ntp client set servers=""');
  const synced = await routerd.poll('/system ntp client print', (o) => field(o, 'status') === 'synchronized', 30_000);
  t.equal(field(synced, 'synced-server'), '198.18.19.1', `synchronized with chronyd\n${synced}`);
  t.equal(field(synced, 'synced-stratum'), '8');
  t.equal(field(synced, 'dynamic-servers'), '198.18.19.1', 'the server came from the lease');
  t.equal(field(synced, 'servers'), '');
  const offset = Number(/^(-?[\d.]+) ms$/.exec(field(synced, 'system-offset'))?.[1]);
  t.ok(Math.abs(offset) < 128, `the offset after the step is small (${offset} ms)`);
  const clock = await routerd.command('/system clock print');
  const today = new Date();
  t.equal(field(clock, 'date'), `${MONTHS[today.getUTCMonth()]}/${String(today.getUTCDate()).padStart(2, '0')}/${today.getUTCFullYear()}`, 'the router clock has today\'s date again');
  t.match(await routerd.command('/log print'), /clock stepped by [\d.]+ s to 198\.18\.19\.1's time/);
  t.ok(Date.now() - hostBefore < 10 * 60_000 && Date.now() >= hostBefore, 'the host clock was never set');

  // The server goes away: the next poll (16 s after synchronizing) and the two retries fail.
  await chrony.stop();
  const lost = await routerd.poll('/system ntp client print', (o) => field(o, 'status') === 'error', 45_000);
  t.equal(field(lost, 'status'), 'error', `the status follows a stopped server\n${lost}`);
  t.match(field(lost, 'last-error'), /^198\.18\.19\.1: (refused|no answer)/);
  t.equal(field(lost, 'synced-server'), '', 'no longer synchronized with it');
});
