// The NTP client's polling decisions (src/router/ntp-machine.ts) and its judgement of a reply:
// every path the real client takes, without sockets or timers.
import t from 'tap';
import {
  initialNtpState, judgeReply, ntpStep, type NtpEvent, type NtpState,
} from '../../src/router/ntp-machine.js';
import { clientRequest, timestampFromMs, type NtpPacket } from '../../src/wire/ntp.js';

function run(events: readonly NtpEvent[], state: NtpState = initialNtpState) {
  const actions = [];
  for (const e of events) {
    const r = ntpStep(state, e);
    state = r.state;
    actions.push(...r.actions);
  }
  return { state, actions };
}

const on = { kind: 'configure', enabled: true, servers: ['198.18.19.1', '198.18.19.2'] } as const;
const sample = (offsetMs: number, server = '198.18.19.1') => ({ kind: 'sample', server, sample: { offsetMs, delayMs: 1, stratum: 8 } }) as const;
const failure = (server = '198.18.19.1') => ({ kind: 'failure', server, reason: 'no answer' }) as const;

t.test('enabling asks the first server at once; disabled it is stopped and asks nothing', async (t) => {
  const r = run([on]);
  t.equal(r.state.status, 'waiting');
  t.same(r.actions, [{ kind: 'cancel' }, { kind: 'query', server: '198.18.19.1' }]);
  t.same(run([on, on]).actions.length, 2, 'the same configuration again changes nothing');
  const off = run([on, { kind: 'configure', enabled: false, servers: ['198.18.19.1'] }]);
  t.equal(off.state.status, 'stopped');
  t.same(run([{ kind: 'configure', enabled: true, servers: [] }]).actions, [{ kind: 'cancel' }], 'no servers: waiting, nothing asked');
});

t.test('a small offset synchronizes; the poll interval starts at 16 s and doubles to 1024 s', async (t) => {
  let r = run([on, sample(3.5)]);
  t.match(r.state, { status: 'synchronized', syncedServer: '198.18.19.1', syncedStratum: 8, offsetMs: 3.5 });
  t.match(r.actions.at(-1), { kind: 'schedule', inMs: 16_000 });
  t.notOk(r.actions.some((a) => a.kind === 'step'), 'below 128 ms the clock is not stepped');
  const intervals = [];
  for (let i = 0; i < 8; i++) {
    r = run([{ kind: 'due' }, sample(1)], r.state);
    intervals.push((r.actions.at(-1) as { inMs: number }).inMs);
  }
  t.same(intervals, [32_000, 64_000, 128_000, 256_000, 512_000, 1_024_000, 1_024_000, 1_024_000]);
});

t.test('a large offset steps the clock and is checked again 2 s later', async (t) => {
  const r = run([on, sample(-5_000_000)]);
  t.equal(r.state.status, 'waiting');
  t.match(r.actions, [{}, {}, { kind: 'step', offsetMs: -5_000_000 }, { kind: 'log' }, { kind: 'schedule', inMs: 2_000 }]);
  t.equal(run([sample(0.2)], r.state).state.status, 'synchronized');
});

t.test('failures: the next server is tried, 2 s apart for a burst of 3, then error and a slower poll', async (t) => {
  let r = run([on, sample(1)]);
  r = run([{ kind: 'due' }, failure()], r.state);
  t.equal(r.state.status, 'synchronized', 'one lost answer is not an error');
  t.match(r.actions.at(-1), { kind: 'schedule', inMs: 2_000 });
  r = run([{ kind: 'due' }], r.state);
  t.same(r.actions, [{ kind: 'query', server: '198.18.19.2' }], 'the other server is asked');
  r = run([failure('198.18.19.2'), { kind: 'due' }, failure()], r.state);
  t.match(r.state, { status: 'error', lastError: '198.18.19.1: no answer', syncedServer: undefined, offsetMs: undefined });
  t.match(r.actions.at(-1), { kind: 'schedule', inMs: 16_000 });
  r = run([{ kind: 'due' }, failure('198.18.19.2')], r.state);
  t.match(r.actions.at(-1), { kind: 'schedule', inMs: 32_000 }, 'backing off');
  t.equal(run([{ kind: 'due' }, sample(2, '198.18.19.2')], r.state).state.status, 'synchronized', 'an answer ends the error');
});

const T1 = Date.UTC(2026, 11, 7, 12, 0, 0);
const sent = timestampFromMs(T1);
function reply(fields: Partial<NtpPacket> = {}, serverAheadMs = 1000): NtpPacket {
  return {
    ...clientRequest(timestampFromMs(T1 + serverAheadMs + 5)),
    mode: 4,
    stratum: 8,
    origin: sent,
    receive: timestampFromMs(T1 + serverAheadMs + 4),
    ...fields,
  };
}

t.test('a reply gives offset and delay (RFC 5905 section 8)', async (t) => {
  const s = judgeReply(reply(), sent, T1, T1 + 10);
  if (typeof s === 'string') return t.fail(s);
  t.ok(Math.abs(s.offsetMs - 999.5) < 0.01, `offset ${s.offsetMs}`);
  t.ok(Math.abs(s.delayMs - 9) < 0.01, `delay ${s.delayMs}`);
});

t.test('replies that are no answer to our query, or from an unsynchronized server, are rejected', async (t) => {
  t.match(judgeReply(reply({ mode: 3 }), sent, T1, T1 + 10), /mode 3, not 4/);
  t.match(judgeReply(reply({ origin: timestampFromMs(T1 - 1) }), sent, T1, T1 + 10), /origin timestamp does not match/);
  t.match(judgeReply(reply({ stratum: 0, referenceId: Buffer.from('RATE') }), sent, T1, T1 + 10), /kiss-o'-death RATE/);
  t.match(judgeReply(reply({ stratum: 16 }), sent, T1, T1 + 10), /stratum 16/);
  t.match(judgeReply(reply({ leap: 3 }), sent, T1, T1 + 10), /leap indicator 3/);
  t.match(judgeReply(reply({ transmit: { seconds: 0, fraction: 0 } }), sent, T1, T1 + 10), /zero/);
});
