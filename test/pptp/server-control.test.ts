import t from 'tap';
import { ServerControlConnection } from '../../src/pptp/server-control.js';
import { CallTable } from '../../src/pptp/call-table.js';
import type { AdmissionHook, ControlAction, ControlEvent } from '../../src/pptp/control-types.js';
import { WireError } from '../../src/wire/error.js';
import type { ControlMessage } from '../../src/wire/pptp-control.js';
import { peer, local, sccrq, ocrq, sent, kinds, only } from './fixtures.js';

function server(admit?: AdmissionHook, calls = new CallTable()) {
  const m = new ServerControlConnection({ peer, local, calls, hostName: 'HomeOffice', vendor: 'test', admit });
  m.handle({ kind: 'start' });
  return m;
}
const msg = (message: ControlMessage): ControlEvent => ({ kind: 'message', message });

function established(admit?: AdmissionHook, calls?: CallTable) {
  const m = server(admit, calls);
  m.handle(msg(sccrq()));
  return m;
}

// [name, setup, event, expected non-log actions, state after]
const table: Array<[string, () => ServerControlConnection, ControlEvent, string[], string]> = [
  ['start waits for SCCRQ with the setup timer', () => new ServerControlConnection({ peer, local, calls: new CallTable() }), { kind: 'start' }, ['start-timer', 'start-timer'], 'wait-start'],
  ['SCCRQ is answered with SCCRP and starts the echo timer', server, msg(sccrq()), ['send 2', 'stop-timer', 'start-timer', 'connected'], 'established'],
  ['SCCRQ of version 2.0 gets result 5 and a close', server, msg(sccrq(0x200)), ['send 2', 'stop-timer', 'stop-timer', 'stop-timer', 'stop-timer', 'close'], 'closed'],
  ['a call request before SCCRQ closes the connection', server, msg(ocrq(9)), ['stop-timer', 'stop-timer', 'stop-timer', 'stop-timer', 'close'], 'closed'],
  ['no SCCRQ within the setup time closes the connection', server, { kind: 'timer', timer: 'setup' }, ['stop-timer', 'stop-timer', 'stop-timer', 'stop-timer', 'close'], 'closed'],
  ['Echo-Request is answered with Echo-Reply', () => established(), msg({ type: 5, identifier: 77 }), ['start-timer', 'send 6'], 'established'],
  ['idle time sends an Echo-Request and waits for the reply', () => established(), { kind: 'timer', timer: 'echo-idle' }, ['send 5', 'start-timer'], 'established'],
  ['Set-Link-Info is accepted silently', () => established(), msg({ type: 15, peerCallId: 1, sendAccm: 0xffffffff, receiveAccm: 0xffffffff }), ['start-timer'], 'established'],
  ['Incoming-Call-Request is refused with Do Not Accept', () => established(), msg({ type: 9, callId: 4, callSerialNumber: 1, callBearerType: 1, physicalChannelId: 0, dialedNumberLength: 0, dialingNumberLength: 0, dialedNumber: '', dialingNumber: '', subaddress: '' }), ['start-timer', 'send 10'], 'established'],
  ['a second SCCRQ gets "command channel already exists"', () => established(), msg(sccrq()), ['start-timer', 'send 2'], 'established'],
  ['Stop-Control-Connection-Request is answered and the connection closed', () => established(), msg({ type: 3, reason: 1 }), ['start-timer', 'send 4', 'stop-timer', 'stop-timer', 'stop-timer', 'stop-timer', 'close'], 'closed'],
  ['a local stop sends Stop-Control-Connection-Request and waits', () => established(), { kind: 'stop', reason: 3 }, ['send 3', 'stop-timer', 'stop-timer', 'start-timer'], 'stopping'],
  ['a wire error closes the connection', () => established(), { kind: 'wire-error', error: new WireError('PPTP control header', 'Magic Cookie', 4, 'bad') }, ['stop-timer', 'stop-timer', 'stop-timer', 'stop-timer', 'close'], 'closed'],
  ['nothing happens once closed', () => { const m = established(); m.handle({ kind: 'peer-closed' }); return m; }, msg(sccrq()), [], 'closed'],
];

for (const [name, setup, event, expected, state] of table) {
  t.test(name, async (t) => {
    const m = setup();
    const actions = m.handle(event);
    t.same(kinds(actions), expected);
    t.equal(m.state, state);
  });
}

t.test('SCCRP carries protocol 1.0, result 1, our capabilities, host name and vendor', async (t) => {
  const m = server();
  const [reply] = sent(m.handle(msg(sccrq())));
  t.match(reply, { type: 2, protocolVersion: 0x100, resultCode: 1, errorCode: 0, framingCapabilities: 3, bearerCapabilities: 3, hostName: 'HomeOffice', vendorString: 'test' });
});

t.test('SCCRQ of another version is refused with result 5 (protocol version not supported)', async (t) => {
  const m = server();
  const actions = m.handle(msg(sccrq(0x200)));
  t.match(sent(actions)[0], { type: 2, resultCode: 5 });
  t.match(only(actions, 'close')[0], { reason: /version 2.0/, error: true });
});

t.test('Outgoing-Call-Request gets Connected with a fresh call ID and raises call-up', async (t) => {
  const calls = new CallTable();
  const m = established(undefined, calls);
  const a = m.handle(msg(ocrq(0x4001, 16)));
  const reply = sent(a)[0];
  t.match(reply, { type: 8, peerCallId: 0x4001, resultCode: 1, errorCode: 0 });
  const up = only(a, 'call-up')[0]!;
  t.equal(up.call.callId, (reply as { callId: number }).callId);
  t.not(up.call.callId, 0);
  t.same({ ...up.call }, { callId: up.call.callId, peerCallId: 0x4001, peer, local, peerReceiveWindow: 16, peerProcessingDelay: 0, connectSpeed: 100000000 });
  t.ok(calls.has(up.call.callId));
  const other = established(undefined, calls);
  const b = other.handle(msg(ocrq(0x4002)));
  t.not(only(b, 'call-up')[0]!.call.callId, up.call.callId, 'a call on another connection gets another ID');
  t.equal(m.activeCalls.size, 1);
});

t.test('admission refusal is a proper Outgoing-Call-Reply with the hook result code, and frees the ID', async (t) => {
  const calls = new CallTable();
  const m = established(() => ({ ok: false, reason: 'licence level 1 allows 1 tunnel', resultCode: 7 }), calls);
  const a = m.handle(msg(ocrq(5)));
  t.match(sent(a)[0], { type: 8, callId: 0, peerCallId: 5, resultCode: 7 });
  t.match(only(a, 'call-failed')[0], { peerCallId: 5, reason: 'licence level 1 allows 1 tunnel' });
  t.match(only(a, 'log').map((l) => l.message).join('\n'), /refused: licence level 1 allows 1 tunnel/);
  t.equal(calls.size, 0);
  t.equal(m.state, 'established', 'the control connection stays up');
});

t.test('no free call ID is refused with General Error / No-Resource', async (t) => {
  const calls = new CallTable(1, 1);
  calls.allocate();
  const m = established(undefined, calls);
  t.match(sent(m.handle(msg(ocrq(5))))[0], { type: 8, resultCode: 2, errorCode: 4 });
});

t.test('an admitted slot is released exactly once, whichever way the call ends', async (t) => {
  const endings: Array<[string, (m: ServerControlConnection, callId: number) => ControlAction[]]> = [
    ['Call-Clear-Request', (m) => m.handle(msg({ type: 12, callId: 5 }))],
    ['local clear', (m, id) => m.handle({ kind: 'clear-call', callId: id })],
    ['peer closed TCP', (m) => m.handle({ kind: 'peer-closed' })],
    ['peer stop', (m) => m.handle(msg({ type: 3, reason: 1 }))],
    ['local stop', (m) => m.handle({ kind: 'stop' })],
    ['echo time-out', (m) => (m.handle({ kind: 'timer', timer: 'echo-idle' }), m.handle({ kind: 'timer', timer: 'echo-reply' }))],
  ];
  for (const [how, end] of endings) {
    let released = 0;
    const calls = new CallTable();
    const m = established(() => ({ ok: true, release: () => released++ }), calls);
    const id = only(m.handle(msg(ocrq(5))), 'call-up')[0]!.call.callId;
    const a = end(m, id);
    t.equal(only(a, 'call-down').length, 1, `${how}: one call-down`);
    m.handle({ kind: 'peer-closed' });
    t.equal(released, 1, `${how}: released once`);
    t.equal(calls.size, 0, `${how}: call ID freed`);
  }
});

t.test('Call-Clear-Request is answered with Call-Disconnect-Notify carrying our call ID', async (t) => {
  const m = established();
  const id = only(m.handle(msg(ocrq(0x77))), 'call-up')[0]!.call.callId;
  const a = m.handle(msg({ type: 12, callId: 0x77 }));
  t.match(sent(a)[0], { type: 13, callId: id, resultCode: 4 });
  t.match(only(a, 'call-down')[0], { reason: /Call-Clear-Request/ });
  t.same(kinds(m.handle(msg({ type: 12, callId: 0x77 }))), ['start-timer'], 'a second clear for the same call is ignored');
});

t.test('a local clear sends Call-Disconnect-Notify (Admin Shutdown)', async (t) => {
  const m = established();
  const id = only(m.handle(msg(ocrq(1))), 'call-up')[0]!.call.callId;
  t.match(sent(m.handle({ kind: 'clear-call', callId: id }))[0], { type: 13, callId: id, resultCode: 3 });
});

t.test('a local stop clears calls with Call-Disconnect-Notify before Stop-Control-Connection-Request', async (t) => {
  const m = established();
  m.handle(msg(ocrq(1)));
  const a = m.handle({ kind: 'stop', reason: 3 });
  t.same(sent(a).map((s) => s.type), [13, 3]);
  t.same(kinds(m.handle(msg({ type: 4, resultCode: 1, errorCode: 0 }))).at(-1), 'close');
  t.equal(m.state, 'closed');
});

t.test('an unanswered Echo-Request closes the connection; an answered one does not', async (t) => {
  const m = established();
  const req = sent(m.handle({ kind: 'timer', timer: 'echo-idle' }))[0] as { identifier: number };
  t.same(kinds(m.handle({ kind: 'timer', timer: 'echo-idle' })), [], 'no second request while one is outstanding');
  t.same(kinds(m.handle(msg({ type: 6, identifier: req.identifier, resultCode: 1, errorCode: 0 }))), ['start-timer', 'stop-timer']);
  t.same(kinds(m.handle({ kind: 'timer', timer: 'echo-reply' })), [], 'stale reply timer does nothing');
  m.handle({ kind: 'timer', timer: 'echo-idle' });
  const a = m.handle({ kind: 'timer', timer: 'echo-reply' });
  t.match(only(a, 'close')[0], { reason: /Echo-Request/, error: true });
});

t.test('every received message restarts the echo idle timer', async (t) => {
  const m = established();
  const a = m.handle(msg({ type: 15, peerCallId: 1, sendAccm: 0, receiveAccm: 0 }));
  t.match(only(a, 'start-timer')[0], { timer: 'echo-idle', ms: 60000 });
});
