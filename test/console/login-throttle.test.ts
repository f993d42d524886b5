// The login throttle's arithmetic: three free failures, then a doubling wait up to the cap, per
// source, cleared by a successful login.
import t from 'tap';
import { LoginThrottle } from '../../src/console/login-throttle.js';

t.test('waits grow after the free failures, up to the cap, per source', async (t) => {
  const th = new LoginThrottle({ free: 3, firstDelayMs: 1000, maxDelayMs: 8000 });
  const waits = Array.from({ length: 8 }, () => th.failed('stdio'));
  t.same(waits, [0, 0, 0, 1000, 2000, 4000, 8000, 8000]);
  t.equal(th.failed('serial /dev/ttyS1'), 0, 'another console has its own count');
  th.succeeded('stdio');
  t.equal(th.count('stdio'), 0);
  t.equal(th.failed('stdio'), 0, 'a successful login starts the count again');
  for (let i = 0; i < 2000; i++) th.failed('stdio');
  t.equal(th.failed('stdio'), 8000, 'no overflow after many failures');
});
