// /ping prints RouterOS's pong lines and summary (loopback only).
import t from 'tap';
import { makeRouter } from './harness.js';

t.test('/ping 127.0.0.1 count=2 answers with pong lines and a summary', async (t) => {
  const r = makeRouter();
  const out = await r.typeAndWait('/ping 127.0.0.1 count=2 interval=0.2');
  t.match(out, /^127\.0\.0\.1 pong: ttl=\d+ time=\d+ ms\n127\.0\.0\.1 pong: ttl=\d+ time=\d+ ms\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min\/avg\/max = \d+\/\d+\.\d\/\d+ ms\n$/);
});

t.test('a key press interrupts a ping without count', async (t) => {
  const r = makeRouter();
  const out = await r.type('/ping 127.0.0.1');
  t.match(out, /ping interrupted\n\d+ packets transmitted/);
});

t.test('bad ping arguments are one line', async (t) => {
  const r = makeRouter();
  t.equal(await r.type('/ping 10.0.0.256'), 'invalid value for argument address\n');
  t.equal(await r.type('/ping 127.0.0.1 size=10'), 'value of size out of range (28..65535)\n');
});

t.test('ping interval is checked against RouterOS bounds (10ms..5s) before anything runs', async (t) => {
  const started: unknown[] = [];
  const r = makeRouter('MikroTik', { ping: async (opts) => void started.push(opts) });
  for (const bad of ['0', '0.001', '9ms', '5.5', '6s', '1000000', 'fast', '-1', '1e-9', '0x10', '']) {
    t.equal(await r.type(`/ping 127.0.0.1 interval=${bad}`), bad === 'fast' || bad === '-1' || bad === '1e-9' || bad === '0x10' || bad === ''
      ? 'invalid value for argument interval\n'
      : 'value of interval out of range (10ms..5s)\n', `interval=${bad} refused with one line`);
  }
  t.same(started, [], 'no ping was started for a bad interval');
  await r.type('/ping 127.0.0.1 count=1 interval=10ms');
  await r.type('/ping 127.0.0.1 count=1 interval=5s');
  await r.type('/ping 127.0.0.1 count=1 interval=0.25');
  t.same(started.map((o) => (o as { intervalMs: number }).intervalMs), [10, 5000, 250], 'the bounds and a bare seconds value are accepted');
});

t.test('runPing itself refuses an interval out of range, whoever calls it', async (t) => {
  const { runPing } = await import('../../src/cli/ping.js');
  const lines: string[] = [];
  t.equal(await runPing({ address: '127.0.0.1', count: 1, intervalMs: 1 }, (s) => lines.push(s), new AbortController().signal), 'value of interval out of range (10ms..5s)');
  t.same(lines, []);
});
