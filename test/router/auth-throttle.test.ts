import t from 'tap';
import { AuthThrottle } from '../../src/router/auth-throttle.js';

const opts = { free: 3, firstDelayMs: 1000, maxDelayMs: 8000, forgetMs: 60_000, maxEntries: 4 };

t.test('three failures are free, then each one doubles the back-off up to the cap', async (t) => {
  const th = new AuthThrottle(opts);
  const delays = Array.from({ length: 7 }, (_, i) => th.failed('198.18.0.2', 'ex', i * 10_000));
  t.same(delays, [0, 0, 0, 1000, 2000, 4000, 8000]);
});

t.test('a back-off blocks the address and the user until it ends, then a try is allowed', async (t) => {
  const th = new AuthThrottle(opts);
  for (let i = 0; i < 4; i++) th.failed('198.18.0.2', 'ex', 0);
  t.same(th.blocked('198.18.0.2', 'someone', 500), { kind: 'address', waitMs: 500 }, 'the address, whatever the user');
  t.same(th.blocked('198.18.0.9', 'ex', 500), { kind: 'user', waitMs: 500 }, 'the user, from any address');
  t.same(th.blocked('198.18.0.9', 'DOMAIN\\ex', 500), { kind: 'user', waitMs: 500 }, 'DOMAIN\\user is the same user');
  t.equal(th.blocked('198.18.0.2', 'ex', 1000), undefined, 'free once the back-off ended');
  t.equal(th.blocked('198.18.0.3', 'other', 500), undefined, 'others are not affected');
});

t.test('a success clears both counts', async (t) => {
  const th = new AuthThrottle(opts);
  for (let i = 0; i < 5; i++) th.failed('198.18.0.2', 'ex', 0);
  th.succeeded('198.18.0.2', 'ex');
  t.same(th.rows(0), []);
  t.equal(th.failed('198.18.0.2', 'ex', 0), 0, 'the next failure is free again');
});

t.test('memory is bounded: old entries are forgotten, and the oldest go first when full', async (t) => {
  const th = new AuthThrottle(opts);
  th.failed('198.18.0.1', 'a', 0);
  th.failed('198.18.0.2', 'b', 1);
  th.failed('198.18.0.3', 'c', 2);
  const names = th.rows(2).map((r) => r.name);
  t.same(names, ['198.18.0.2', 'b', '198.18.0.3', 'c'], 'four entries at most, the oldest dropped');
  t.same(th.rows(2 + 60_001), [], 'forgotten a while after their last failure');
});

t.test('rows show failures and the back-off left', async (t) => {
  const th = new AuthThrottle(opts);
  for (let i = 0; i < 5; i++) th.failed('198.18.0.2', undefined, 0);
  t.same(th.rows(500), [{ kind: 'address', name: '198.18.0.2', failures: 5, waitMs: 1500 }]);
});
