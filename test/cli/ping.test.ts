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
