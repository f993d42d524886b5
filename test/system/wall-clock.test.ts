// The router's clock (src/wall-clock.ts): steps move only its own offset unless routerd was
// started with --set-system-clock, whose setter (here a stand-in that records what it was asked;
// the real one runs `date -s`, which no test may do to the host) then takes the offset over.
import t from 'tap';
import { WallClock } from '../../src/wall-clock.js';

t.test('without a setter the offset moves and the host clock is not asked', async (t) => {
  const clock = new WallClock();
  await clock.step(-3_600_000);
  t.ok(Math.abs(clock.now() - (Date.now() - 3_600_000)) < 1000);
  t.equal(clock.offset, -3_600_000);
  await clock.set(Date.UTC(2030, 0, 1));
  t.ok(Math.abs(clock.now() - Date.UTC(2030, 0, 1)) < 1000, 'set puts it at an instant');
});

t.test('with a setter: the host clock is set to the router time and the offset folds back to 0', async (t) => {
  const asked: number[] = [];
  const clock = new WallClock(async (target) => void asked.push(target));
  await clock.step(86_400_000);
  t.equal(asked.length, 1);
  t.ok(Math.abs(asked[0]! - (Date.now() + 86_400_000)) < 1000, 'asked for the stepped time');
  t.equal(clock.offset, 0, 'the host clock carries the step now');
});

t.test('a setter that fails keeps the offset and reports once per step', async (t) => {
  const errors: string[] = [];
  const clock = new WallClock(async () => 'date: cannot set date: Operation not permitted', (m) => errors.push(m));
  await clock.step(5000);
  t.equal(clock.offset, 5000, 'the router keeps its own time anyway');
  t.same(errors, ['date: cannot set date: Operation not permitted']);
});
