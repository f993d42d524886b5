// Reading dnsmasq's cache dump (src/system/dnsmasq-cache.ts) from lines dnsmasq 2.90 printed on
// SIGUSR1 with --log-queries (captured on this machine, TZ=UTC).
import t from 'tap';
import { DnsCacheReader, parseCacheRow, type DnsCacheEntry } from '../../src/system/dnsmasq-cache.js';

const dump = (time: number) => [
  `dnsmasq[28729]: time ${time}`,
  'dnsmasq[28729]: cache size 100, 0/0 cache insertions re-used unexpired cache entries.',
  'dnsmasq[28729]: queries forwarded 2, queries answered locally 0',
  'dnsmasq[28729]: server 127.0.0.2#53: queries sent 1, retried 0, failed 0, nxdomain replies 0, avg. latency 1ms',
  'dnsmasq[28729]: Host                           Address                                  Flags      Expires                  Source',
  'dnsmasq[28729]: ------------------------------ ---------------------------------------- ---------- ------------------------ ------------',
  'dnsmasq[28729]: a-very-long-host-name-for-the- 198.18.18.2                              4F         Mon Dec  7 15:00:32 2026',
  'dnsmasq[28729]: bind                                                                    !F I    C',
  'dnsmasq[28729]: v6.example.test                2001:db8::1                              6F         Mon Dec  7 15:00:32 2026',
  `dnsmasq[28729]: ${'www.example.test'.padEnd(30)} ${''.padEnd(40)} 4F   N     Mon Dec  7 15:00:32 2026`,
  'dnsmasq[28729]: alias.example.test             www.example.test                         CF         Mon Dec  7 15:00:32 2026',
];
const EXPIRES = Date.UTC(2026, 11, 7, 15, 0, 32) / 1000;

t.test('rows: A, AAAA and CNAME records with their time left; negative, immortal and CHAOS rows are not listed', async (t) => {
  const rows = dump(EXPIRES - 300).slice(6).map((l) => parseCacheRow(l.replace(/^dnsmasq\[\d+\]: /, ''), EXPIRES - 300));
  t.same(rows, [
    { name: 'a-very-long-host-name-for-the-', type: 'A', data: '198.18.18.2', ttl: 300 },
    undefined,
    { name: 'v6.example.test', type: 'AAAA', data: '2001:db8::1', ttl: 300 },
    undefined,
    { name: 'alias.example.test', type: 'CNAME', data: 'www.example.test', ttl: 300 },
  ]);
});

t.test('the dump asked for ends where the next one starts; its lines and query logging stay out of the log', async (t) => {
  const got: DnsCacheEntry[][] = [];
  let asked = 0;
  const reader = new DnsCacheReader({ started: () => asked++, finished: (e) => got.push(e) });
  t.equal(reader.feed('dnsmasq[1]: query[A] www.example.test from 192.168.88.10'), true, 'query lines are not logged');
  t.equal(reader.feed('dnsmasq[1]: forwarded www.example.test to 198.18.18.1'), true);
  t.equal(reader.feed('dnsmasq[1]: reply www.example.test is 198.18.18.1'), true);
  t.equal(reader.feed('dnsmasq[1]: using nameserver 198.18.18.1#53'), false, 'other lines are');
  // A dump nobody asked for (an operator's kill -USR1) is kept out of the log but not collected.
  for (const l of dump(EXPIRES - 10)) t.equal(reader.feed(l), true);
  t.equal(asked, 0);
  reader.want();
  for (const l of dump(EXPIRES - 60)) reader.feed(l);
  t.equal(asked, 1, 'the start of our dump asks for the next one');
  t.same(got, [], 'not finished before the next dump starts');
  t.equal(reader.feed('dnsmasq[1]: time 1'), true);
  t.equal(got.length, 1);
  t.same(got[0]!.map((e) => `${e.name} ${e.type} ${e.data} ${e.ttl}`), [
    'a-very-long-host-name-for-the- A 198.18.18.2 60',
    'v6.example.test AAAA 2001:db8::1 60',
    'alias.example.test CNAME www.example.test 60',
  ]);
  t.equal(reader.feed('dnsmasq[1]: cache size 100, 0/0 cache insertions re-used unexpired cache entries.'), true);
  t.equal(reader.feed('dnsmasq[1]: Host                           Address                                  Flags      Expires                  Source'), true);
  t.equal(reader.feed('dnsmasq[1]: read /etc/hosts - 0 names'), false, 'the first line that is no row ends the dump');
});

t.test('dnsmasq saying "cleared cache" (after SIGHUP) is reported: flush waits for it', async (t) => {
  let cleared = 0;
  const reader = new DnsCacheReader({ started: () => {}, finished: () => {}, cleared: () => cleared++ });
  t.equal(reader.feed('dnsmasq[1]: cleared cache'), false, 'and it stays in the log');
  t.equal(cleared, 1);
});
