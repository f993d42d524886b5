// What an unauthenticated peer may hold (issue 19 items 1 and 2), at the level of the pure parts:
// the per-address/total pools, and the server control machine's one call per connection, its
// no-call timer and its silence before Start-Control-Connection-Request.
import t from 'tap';
import { AddressQuota } from '../../src/pptp/address-quota.js';
import { CallTable } from '../../src/pptp/call-table.js';
import { ServerControlConnection } from '../../src/pptp/server-control.js';
import type { AdmissionRequest, ControlEvent } from '../../src/pptp/control-types.js';
import type { ControlMessage } from '../../src/wire/pptp-control.js';
import { local, ocrq, only, peer, sccrq, sent } from './fixtures.js';

const msg = (message: ControlMessage): ControlEvent => ({ kind: 'message', message });

t.test('a quota caps holdings per address and in total, and each release counts once', async (t) => {
  const q = new AddressQuota('pending calls', { perAddress: 2, total: 3 });
  const a1 = q.take('10.0.0.1');
  const a2 = q.take('10.0.0.1');
  t.ok(a1.ok && a2.ok, 'two from one address');
  const a3 = q.take('10.0.0.1');
  t.same(a3, { ok: false, reason: 'too many pending calls from 10.0.0.1 (at most 2)' }, 'a third from that address is refused');
  const b1 = q.take('10.0.0.2');
  t.ok(b1.ok, 'another address still gets one');
  t.same(q.take('10.0.0.3'), { ok: false, reason: 'too many pending calls (at most 3 in total)' }, 'the total is full');
  if (!a1.ok || !b1.ok) throw new Error('unreachable');
  a1.release();
  a1.release();
  t.equal(q.size, 2, 'a double release gives back one place only');
  t.equal(q.heldBy('10.0.0.1'), 1);
  t.ok(q.take('10.0.0.3').ok, 'the freed place is taken by someone else');
  b1.release();
  t.equal(q.heldBy('10.0.0.2'), 0, 'an address holding nothing is forgotten');
  t.throws(() => new AddressQuota('x', { perAddress: 0, total: 1 }), RangeError);
});

function established(calls = new CallTable(), requests: AdmissionRequest[] = []) {
  const m = new ServerControlConnection({
    peer, local, calls,
    admit: (r) => {
      requests.push(r);
      return { ok: true };
    },
  });
  m.handle({ kind: 'start' });
  m.handle(msg(sccrq()));
  return m;
}

t.test('one call per control connection: a second Outgoing-Call-Request is refused while the first is up', async (t) => {
  const calls = new CallTable();
  const requests: AdmissionRequest[] = [];
  const m = established(calls, requests);
  const first = m.handle(msg(ocrq(0x101)));
  const up = only(first, 'call-up')[0]!;
  t.equal(requests[0]!.callId, up.call.callId, 'the admission hook learns the call ID it admits');
  const second = m.handle(msg(ocrq(0x102)));
  t.match(sent(second)[0], { type: 8, callId: 0, peerCallId: 0x102, resultCode: 7 }, 'Outgoing-Call-Reply "do not accept"');
  t.same(only(second, 'call-up'), [], 'no second call');
  t.match(only(second, 'log').map((l) => l.message).join('\n'), /one call per connection/, 'the log says why');
  t.equal(calls.size, 1, 'no second call ID is held');
  t.equal(requests.length, 1, 'the refused request never reached admission');
  // Once the first call is cleared, the connection may place another (one at a time).
  m.handle(msg({ type: 12, callId: 0x101 }));
  t.equal(m.activeCalls.size, 0);
  t.equal(only(m.handle(msg(ocrq(0x103))), 'call-up').length, 1, 'a new call after the first is gone');
});

t.test('a connection that places no call is closed by the no-call timer', async (t) => {
  const m = new ServerControlConnection({ peer, local, calls: new CallTable(), timers: { noCallMs: 5000 } });
  const start = m.handle({ kind: 'start' });
  t.match(only(start, 'start-timer'), [{ timer: 'setup' }, { timer: 'no-call', ms: 5000 }], 'the no-call timer starts with the TCP connection');
  m.handle(msg(sccrq()));
  const fired = m.handle({ kind: 'timer', timer: 'no-call' });
  t.match(only(fired, 'close')[0], { reason: 'no call within 5 s', error: true });
  t.equal(m.state, 'closed');
});

t.test('a connection that says nothing is closed by the same timer, before the setup timer', async (t) => {
  const m = new ServerControlConnection({ peer, local, calls: new CallTable(), timers: { noCallMs: 5000 } });
  m.handle({ kind: 'start' });
  t.match(only(m.handle({ kind: 'timer', timer: 'no-call' }), 'close')[0], { reason: 'no call within 5 s' });
  t.equal(m.state, 'closed');
});

t.test('the no-call timer stops while a call is up and starts again when it goes', async (t) => {
  const m = established();
  const a = m.handle(msg(ocrq(0x201)));
  t.match(only(a, 'stop-timer'), [{ timer: 'no-call' }], 'a call stops it');
  t.same(only(m.handle({ kind: 'timer', timer: 'no-call' }), 'close'), [], 'a late expiry with a call up closes nothing');
  const cleared = m.handle(msg({ type: 12, callId: 0x201 }));
  t.match(only(cleared, 'start-timer').filter((x) => x.timer === 'no-call'), [{ timer: 'no-call' }], 'the call gone, the timer runs again');
  t.equal(only(m.handle({ kind: 'timer', timer: 'no-call' }), 'close').length, 1, 'and closes the idle connection');
});

t.test('nothing is answered before Start-Control-Connection-Request: an Echo-Request closes the connection', async (t) => {
  const m = new ServerControlConnection({ peer, local, calls: new CallTable() });
  m.handle({ kind: 'start' });
  const a = m.handle(msg({ type: 5, identifier: 9 }));
  t.same(sent(a), [], 'no Echo-Reply');
  t.match(only(a, 'close')[0], { reason: /Echo-Request before Start-Control-Connection-Request/, error: true });
  t.equal(m.state, 'closed');
});

t.test('after the exchange Echo-Requests are answered as before', async (t) => {
  const m = established();
  t.match(sent(m.handle(msg({ type: 5, identifier: 9 }))), [{ type: 6, identifier: 9, resultCode: 1 }]);
});

t.test('refusals a peer can cause at will are logged at most once a second, with a count of the rest', async (t) => {
  const { ThrottledLog } = await import('../../src/pptp/throttled-log.js');
  const lines: string[] = [];
  let now = 10_000;
  const log = new ThrottledLog((m) => lines.push(m), 1000, () => now);
  for (let i = 0; i < 50; i++) log.say(`refused ${i}`);
  now += 999;
  log.say('refused late');
  now += 1;
  log.say('refused next');
  log.say('refused again');
  now += 5000;
  log.say('refused later');
  t.same(lines, ['refused 0', 'refused next (50 similar lines left out)', 'refused later (1 similar line left out)']);
});
