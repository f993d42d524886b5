// Random event sequences against both machines: they never throw, every call that comes up
// goes down exactly once, every admitted slot is released once, and nothing is left in the
// call table after the connection closes.
import t from 'tap';
import fc from 'fast-check';
import { ServerControlConnection } from '../../src/pptp/server-control.js';
import { ClientControlConnection } from '../../src/pptp/client-control.js';
import { CallTable } from '../../src/pptp/call-table.js';
import type { ControlEvent, TimerId } from '../../src/pptp/control-types.js';
import { WireError } from '../../src/wire/error.js';
import type { ControlMessage } from '../../src/wire/pptp-control.js';
import { peer, local, sccrq, sccrp, ocrq, ocrp } from './fixtures.js';

const id = fc.integer({ min: 0, max: 6 });
const arbMessage: fc.Arbitrary<ControlMessage> = fc.oneof(
  fc.constant(sccrq()),
  fc.constantFrom(sccrp(), sccrp(4)),
  fc.constant<ControlMessage>({ type: 3, reason: 1 }),
  fc.constant<ControlMessage>({ type: 4, resultCode: 1, errorCode: 0 }),
  fc.nat(3).map((identifier): ControlMessage => ({ type: 5, identifier })),
  fc.nat(3).map((identifier): ControlMessage => ({ type: 6, identifier, resultCode: 1, errorCode: 0 })),
  id.map((c) => ocrq(c)),
  fc.tuple(id, id, fc.constantFrom(1, 1, 7)).map(([c, p, r]) => ocrp(c, p, r as 1 | 7)),
  id.map((callId): ControlMessage => ({ type: 12, callId })),
  id.map((callId): ControlMessage => ({ type: 13, callId, resultCode: 3, errorCode: 0, causeCode: 0, callStatistics: '' })),
  id.map((peerCallId): ControlMessage => ({ type: 15, peerCallId, sendAccm: 0, receiveAccm: 0 })),
);
const timers: TimerId[] = ['setup', 'echo-idle', 'echo-reply', 'stop-reply', 'call-1', 'call-2', 'call-3'];
const arbEvent: fc.Arbitrary<ControlEvent> = fc.oneof(
  { weight: 6, arbitrary: arbMessage.map((message): ControlEvent => ({ kind: 'message', message })) },
  { weight: 2, arbitrary: fc.constantFrom(...timers).map((timer): ControlEvent => ({ kind: 'timer', timer })) },
  { weight: 2, arbitrary: fc.constant<ControlEvent>({ kind: 'open-call' }) },
  { weight: 1, arbitrary: id.map((callId): ControlEvent => ({ kind: 'clear-call', callId })) },
  { weight: 1, arbitrary: fc.constant<ControlEvent>({ kind: 'stop' }) },
  { weight: 1, arbitrary: fc.constant<ControlEvent>({ kind: 'start' }) },
  { weight: 1, arbitrary: fc.constant<ControlEvent>({ kind: 'wire-error', error: new WireError('x', 'y', 0, 'z') }) },
);

for (const role of ['server', 'client'] as const) {
  t.test(`${role}: any event sequence keeps calls, IDs and admission slots balanced`, async (t) => {
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 40 }), fc.nat(4), (events, limit) => {
        const calls = new CallTable(1, 3);
        let inUse = 0;
        const admit = () => (inUse < limit ? (inUse++, { ok: true as const, release: () => void inUse-- }) : { ok: false as const, reason: 'full', resultCode: 7 as const });
        const m = role === 'server' ? new ServerControlConnection({ peer, local, calls, admit }) : new ClientControlConnection({ peer, local, calls });
        const up = new Set<number>();
        m.handle({ kind: 'start' });
        for (const e of [...events, { kind: 'peer-closed' } as ControlEvent]) {
          for (const a of m.handle(e)) {
            if (a.kind === 'call-up') {
              if (up.has(a.call.callId)) return false;
              up.add(a.call.callId);
            }
            if (a.kind === 'call-down' && !up.delete(a.call.callId)) return false;
          }
          if (inUse > limit) return false;
        }
        return m.state === 'closed' && up.size === 0 && calls.size === 0 && inUse === 0 && m.activeCalls.size === 0;
      }),
      { numRuns: 3000 },
    );
    t.pass('balanced');
  });
}
