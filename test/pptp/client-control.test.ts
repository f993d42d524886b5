import t from 'tap';
import { ClientControlConnection } from '../../src/pptp/client-control.js';
import { CallTable } from '../../src/pptp/call-table.js';
import type { ControlEvent } from '../../src/pptp/control-types.js';
import type { ControlMessage } from '../../src/wire/pptp-control.js';
import { peer, local, sccrp, ocrp, sent, kinds, only } from './fixtures.js';

const msg = (message: ControlMessage): ControlEvent => ({ kind: 'message', message });

function client(calls = new CallTable()) {
  return new ClientControlConnection({ peer, local, calls, hostName: 'RemoteOffice', vendor: 'test' });
}
function established(calls?: CallTable) {
  const m = client(calls);
  m.handle({ kind: 'start' });
  m.handle(msg(sccrp()));
  return m;
}
function withCall(calls?: CallTable) {
  const m = established(calls);
  const callId = only(m.handle({ kind: 'open-call' }), 'call-pending')[0]!.callId;
  m.handle(msg(ocrp(0x900, callId)));
  return { m, callId };
}

t.test('start sends SCCRQ with version 1.0, host name and vendor, and arms the setup timer', async (t) => {
  const m = client();
  const a = m.handle({ kind: 'start' });
  t.match(sent(a)[0], { type: 1, protocolVersion: 0x100, hostName: 'RemoteOffice', vendorString: 'test' });
  t.match(only(a, 'start-timer')[0], { timer: 'setup' });
  t.equal(m.state, 'wait-start');
});

const refusals: Array<[string, ControlMessage, RegExp]> = [
  ['general error with its error code', sccrp(2, 4), /general error \(error: no resource\)/],
  ['command channel already exists', sccrp(3), /command channel already exists/],
  ['not authorized', sccrp(4), /not authorized/],
  ['protocol version not supported', sccrp(5), /protocol version not supported/],
];
for (const [what, reply, reason] of refusals) {
  t.test(`SCCRP "${what}" closes with that reason`, async (t) => {
    const m = client();
    m.handle({ kind: 'start' });
    const a = m.handle(msg(reply));
    t.match(only(a, 'close')[0], { reason, error: true });
    t.equal(m.state, 'closed');
  });
}

t.test('SCCRP success establishes the connection', async (t) => {
  const m = client();
  m.handle({ kind: 'start' });
  const a = m.handle(msg(sccrp()));
  t.match(only(a, 'connected')[0], { peerHostName: 'HomeOffice', peerVendor: 'MikroTik' });
  t.equal(m.state, 'established');
});

t.test('no SCCRP within the setup time closes with a reason', async (t) => {
  const m = client();
  m.handle({ kind: 'start' });
  t.match(only(m.handle({ kind: 'timer', timer: 'setup' }), 'close')[0], { reason: /not established within 60 s/ });
});

t.test('open-call sends OCRQ with our call ID; OCRP Connected raises call-up with both IDs', async (t) => {
  const calls = new CallTable(100, 100);
  const m = established(calls);
  const a = m.handle({ kind: 'open-call' });
  const callId = only(a, 'call-pending')[0]!.callId;
  t.equal(callId, 100);
  t.match(sent(a)[0], { type: 7, callId: 100, packetReceiveWindowSize: 64 });
  t.match(only(a, 'start-timer')[0], { timer: 'call-100' });
  const b = m.handle(msg(ocrp(0x900, 100)));
  t.same({ ...only(b, 'call-up')[0]!.call }, { callId: 100, peerCallId: 0x900, peer, local, peerReceiveWindow: 32, peerProcessingDelay: 0, connectSpeed: 64000 });
  t.ok(only(b, 'stop-timer').some((s) => s.timer === 'call-100'));
});

const ocrpResults: Array<[2 | 3 | 4 | 5 | 6 | 7, RegExp]> = [
  [2, /general error \(result 2\) \(error: no resource\)/],
  [3, /no carrier/],
  [4, /busy/],
  [5, /no dial tone/],
  [6, /time-out/],
  [7, /do not accept \(result 7\)/],
];
for (const [code, reason] of ocrpResults) {
  t.test(`OCRP result ${code} fails the call with its meaning and frees the ID`, async (t) => {
    const calls = new CallTable();
    const m = established(calls);
    const callId = only(m.handle({ kind: 'open-call' }), 'call-pending')[0]!.callId;
    const a = m.handle(msg(ocrp(0, callId, code, code === 2 ? 4 : 0)));
    t.match(only(a, 'call-failed')[0], { callId, reason });
    t.equal(calls.size, 0);
    t.equal(m.state, 'established');
  });
}

t.test('a call asked for before SCCRP is placed once the connection is up', async (t) => {
  const m = client();
  m.handle({ kind: 'start' });
  const a = m.handle({ kind: 'open-call' });
  t.same(sent(a), [], 'nothing sent yet');
  t.match(sent(m.handle(msg(sccrp()))), [{ type: 7 }]);
});

t.test('no OCRP in time: call-failed, and a Call-Clear-Request so the server forgets it', async (t) => {
  const m = established();
  const callId = only(m.handle({ kind: 'open-call' }), 'call-pending')[0]!.callId;
  const a = m.handle({ kind: 'timer', timer: `call-${callId}` });
  t.match(sent(a)[0], { type: 12, callId });
  t.match(only(a, 'call-failed')[0], { reason: /no Outgoing-Call-Reply/ });
});

t.test('clearing sends CCRQ with our call ID and the call goes down on CDN', async (t) => {
  const { m, callId } = withCall();
  const a = m.handle({ kind: 'clear-call', callId });
  t.match(sent(a)[0], { type: 12, callId });
  t.same(only(a, 'call-down'), [], 'still up until CDN');
  const b = m.handle(msg({ type: 13, callId: 0x900, resultCode: 4, errorCode: 0, causeCode: 0, callStatistics: '' }));
  t.match(only(b, 'call-down')[0], { call: { callId }, reason: 'cleared' });
  t.equal(m.activeCalls.size, 0);
});

t.test('no CDN after CCRQ: the call is dropped when the timer runs out', async (t) => {
  const { m, callId } = withCall();
  m.handle({ kind: 'clear-call', callId });
  t.match(only(m.handle({ kind: 'timer', timer: `call-${callId}` }), 'call-down')[0], { reason: /no Call-Disconnect-Notify/ });
});

t.test('a CDN from the server brings the call down with the server reason', async (t) => {
  const { m } = withCall();
  const a = m.handle(msg({ type: 13, callId: 0x900, resultCode: 3, errorCode: 0, causeCode: 0, callStatistics: 'rx 1' }));
  t.match(only(a, 'call-down')[0], { reason: 'server disconnected the call: admin shutdown' });
});

t.test('Set-Link-Info and WAN-Error-Notify are accepted; Incoming-Call-Request is refused', async (t) => {
  const { m } = withCall();
  t.same(kinds(m.handle(msg({ type: 15, peerCallId: 1, sendAccm: 0, receiveAccm: 0 }))), ['start-timer']);
  const w = m.handle(msg({ type: 14, peerCallId: 1, crcErrors: 3, framingErrors: 0, hardwareOverruns: 0, bufferOverruns: 0, timeoutErrors: 0, alignmentErrors: 0 }));
  t.same(kinds(w), ['start-timer']);
  t.match(only(w, 'log')[0]!.message, /CRC 3/);
  const i = m.handle(msg({ type: 9, callId: 8, callSerialNumber: 0, callBearerType: 1, physicalChannelId: 0, dialedNumberLength: 0, dialingNumberLength: 0, dialedNumber: '', dialingNumber: '', subaddress: '' }));
  t.match(sent(i)[0], { type: 10, peerCallId: 8, resultCode: 3 });
  t.equal(m.state, 'established');
});

t.test('stop clears calls with CCRQ, then sends StopCCRQ and closes on the reply', async (t) => {
  const { m, callId } = withCall();
  const a = m.handle({ kind: 'stop' });
  t.same(sent(a).map((s) => s.type), [12, 3]);
  t.match(only(a, 'call-down')[0], { call: { callId } });
  t.equal(m.state, 'stopping');
  t.same(kinds(m.handle(msg({ type: 13, callId: 0x900, resultCode: 4, errorCode: 0, causeCode: 0, callStatistics: '' }))), [], 'late CDN ignored');
  t.equal(kinds(m.handle(msg({ type: 4, resultCode: 1, errorCode: 0 }))).at(-1), 'close');
});

t.test('stop without a reply closes when the stop timer runs out', async (t) => {
  const m = established();
  m.handle({ kind: 'stop' });
  t.match(only(m.handle({ kind: 'timer', timer: 'stop-reply' }), 'close')[0], { error: false });
});

t.test('the server stopping the connection brings every call down', async (t) => {
  const { m } = withCall();
  const a = m.handle(msg({ type: 3, reason: 3 }));
  t.match(sent(a)[0], { type: 4, resultCode: 1 });
  t.match(only(a, 'call-down')[0], { reason: /stopped by peer \(stop-local-shutdown\)/ });
  t.equal(m.state, 'closed');
});

t.test('the client answers echo and keeps its own keepalive', async (t) => {
  const m = established();
  t.match(sent(m.handle(msg({ type: 5, identifier: 1 })))[0], { type: 6, identifier: 1, resultCode: 1 });
  t.match(sent(m.handle({ kind: 'timer', timer: 'echo-idle' }))[0], { type: 5 });
});
