// The control-frame budget (issue 15): a burst of 64 frames, then 32 a second, never more than
// the burst saved up however long the session was quiet.
import t from 'tap';
import { CONTROL_BURST, CONTROL_PER_SECOND, ControlBudget } from '../../src/dataplane/control-budget.js';

t.test('a burst passes, the excess is refused, the refill is paced', async (t) => {
  const b = new ControlBudget();
  let passed = 0;
  for (let i = 0; i < 1000; i++) if (b.take(1000)) passed++;
  t.equal(passed, CONTROL_BURST, 'a storm at one instant gets the burst only');
  t.notOk(b.take(1000 + 1000 / CONTROL_PER_SECOND / 2), 'half a refill is not a frame');
  t.ok(b.take(1000 + 1000 / CONTROL_PER_SECOND), 'one refill interval later, one frame');
  while (b.take(2000)); // drained again
  passed = 0;
  for (let ms = 2001; ms <= 12_000; ms += 1) if (b.take(ms)) passed++;
  t.ok(Math.abs(passed - 10 * CONTROL_PER_SECOND) <= 1, `a steady storm gets ${CONTROL_PER_SECOND} a second (${passed} in 10 s)`);
});

t.test('a long quiet time saves up no more than the burst', async (t) => {
  const b = new ControlBudget();
  b.take(0);
  let passed = 0;
  for (let i = 0; i < 1000; i++) if (b.take(3_600_000)) passed++;
  t.equal(passed, CONTROL_BURST);
});

t.test('a genuine negotiation and keepalive never meet the limit', async (t) => {
  const b = new ControlBudget();
  // About 30 frames at once (LCP, MS-CHAPv2, CCP, IPCP, with retries), then an echo every second.
  let refused = 0;
  for (let i = 0; i < 30; i++) if (!b.take(0)) refused++;
  for (let s = 1; s < 600; s++) if (!b.take(s * 1000)) refused++;
  t.equal(refused, 0, 'ten minutes of one echo a second pass');
});
