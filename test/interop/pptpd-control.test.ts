// The harness against the real pptpd (poptop 1.4.0, Debian bookworm) in a QEMU guest: a control
// connection spoken by hand from the test's namespace with our codec (src/wire/pptp-control.ts),
// checked against RFC 2637, captured on the bridge and run through the wire check.
import t from 'tap';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WireError } from '../../src/wire/error.js';
import {
  Bearer,
  ControlMessageType,
  DisconnectResult,
  Framing,
  GeneralError,
  OkResult,
  OutgoingCallResult,
  PPTP_PROTOCOL_VERSION,
  PPTP_TCP_PORT,
  StartControlResult,
  StopReason,
} from '../../src/wire/pptp-codes.js';
import { emitControlMessage, type ControlMessage } from '../../src/wire/pptp-control.js';
import { readControlMessage } from '../../src/wire/pptp-stream.js';
import { countPackets, startCapture, tsharkFields, wireCheck } from './capture.js';
import { bootGuest, createInteropNet } from './guest.js';
import { NetnsTcp } from './netns-tcp.js';

/** Cuts one control message off the stream; a WireError fails the test with its text. */
function cutControl(buf: Buffer): { value: ControlMessage; consumed: number } | undefined {
  const r = readControlMessage(buf);
  if (r instanceof WireError) throw new Error(`pptpd sent bytes our codec refuses: ${r.toString()}`);
  if (r.kind === 'need-more') return undefined;
  return { value: r.message, consumed: r.consumed };
}

function expectType<T extends ControlMessage['type']>(
  m: ControlMessage,
  type: T,
): Extract<ControlMessage, { type: T }> {
  if (m.type !== type) throw new Error(`expected control message type ${type}, got ${m.type}: ${JSON.stringify(m)}`);
  return m as Extract<ControlMessage, { type: T }>;
}

const START_REQUEST: ControlMessage = {
  type: ControlMessageType.StartControlConnectionRequest,
  protocolVersion: PPTP_PROTOCOL_VERSION,
  framingCapabilities: Framing.Asynchronous,
  bearerCapabilities: Bearer.Analog,
  maximumChannels: 0,
  firmwareRevision: 1,
  hostName: 'interop-test',
  vendorString: 'pptp-router',
};

t.test('pptpd answers Start-Control-Connection, Echo and Outgoing-Call as RFC 2637 says, and the wire check passes', async (t) => {
  const started = Date.now();
  const net = await createInteropNet(t, 40);
  const dir = mkdtempSync(join(tmpdir(), `interop-${process.pid}-control-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const capture = await startCapture(t, net.ns, net.bridge, join(dir, 'control.pcap'));
  // A raw GRE socket in the namespace, as a real PNS has: without one the namespace answers
  // pptpd's GRE with ICMP protocol-unreachable, and pptpctrl ends the call at once ("GRE read
  // ... failed: Protocol not available").
  net.ns.spawn('socat', ['-u', 'IP4-RECV:47', '/dev/null']);

  const server = await bootGuest(t, net, {
    name: 'pptpd',
    address: net.guestAddress(2),
    role: {
      kind: 'pptpd',
      users: [{ name: 'ex', password: 'lkjrht' }],
      localIp: '10.0.0.1',
      remoteIp: '10.0.0.2-20',
      pppdOptions: ['refuse-pap', 'refuse-chap', 'refuse-mschap', 'require-mschap-v2', 'require-mppe-128'],
    },
  });
  t.comment(`pptpd ready ${((Date.now() - started) / 1000).toFixed(1)} s after the test started`);
  t.match(server.logText('pptpd'), /MGR: Manager process started/, 'pptpd manager started');

  // First control connection: start, echo, one call, then Call-Clear-Request.
  const c = await NetnsTcp.connect(t, net.ns, server.address, PPTP_TCP_PORT);
  c.write(emitControlMessage(START_REQUEST));
  const reply = expectType(await c.take(cutControl), ControlMessageType.StartControlConnectionReply);
  t.equal(reply.protocolVersion, PPTP_PROTOCOL_VERSION, 'SCCRP: protocol version 1.0 (RFC 2637 2.2)');
  t.equal(reply.resultCode, StartControlResult.Success, 'SCCRP: result 1, channel established');
  t.equal(reply.errorCode, GeneralError.None, 'SCCRP: no general error');
  // pptpd 1.4.0 states Framing and Bearer Capabilities 0, Maximum Channels 1, host "local",
  // vendor "linux": a client must not refuse a reply for capability bits.
  t.comment(`SCCRP: ${JSON.stringify(reply)}`);

  c.write(emitControlMessage({ type: ControlMessageType.EchoRequest, identifier: 0x5eed1234 }));
  const echo = expectType(await c.take(cutControl), ControlMessageType.EchoReply);
  t.equal(echo.identifier, 0x5eed1234, 'Echo-Reply carries the request identifier (RFC 2637 2.6)');
  t.equal(echo.resultCode, OkResult.Ok, 'Echo-Reply: result 1, OK');

  // A call ID whose two bytes differ shows a byte-order mistake on either side.
  const ourCallId = 0x4a5b;
  c.write(
    emitControlMessage({
      type: ControlMessageType.OutgoingCallRequest,
      callId: ourCallId,
      callSerialNumber: 7,
      minimumBps: 2400,
      maximumBps: 10_000_000,
      bearerType: Bearer.Either,
      framingType: Framing.Either,
      packetReceiveWindowSize: 64,
      packetProcessingDelay: 0,
      phoneNumberLength: 0,
      phoneNumber: '',
      subaddress: '',
    }),
  );
  const call = expectType(await c.take(cutControl), ControlMessageType.OutgoingCallReply);
  t.equal(call.peerCallId, ourCallId, 'OCRP: Peer\'s Call ID is our Call ID (RFC 2637 2.8)');
  t.equal(call.resultCode, OutgoingCallResult.Connected, 'OCRP: result 1, connected');
  t.equal(call.errorCode, GeneralError.None, 'OCRP: no general error');
  t.ok(call.packetReceiveWindowSize > 0, 'OCRP: a receive window');
  t.comment(`OCRP: ${JSON.stringify(call)}`);

  // pptpd has launched pppd for the call, which now sends LCP Configure-Requests in GRE to us;
  // after its first retransmission (3 s) at least one has certainly crossed the wire.
  await server.waitForConsole(/sent \[LCP ConfReq[^]*sent \[LCP ConfReq/, 30_000);

  c.write(emitControlMessage({ type: ControlMessageType.CallClearRequest, callId: ourCallId }));
  // RFC 2637 2.12/2.13: the PAC answers Call-Clear-Request with Call-Disconnect-Notify. pptpd
  // 1.4.0 instead drops the whole control connection ("violating RFC" in pptpctrl.c); our
  // client must accept either.
  let afterClear: string;
  try {
    const notify = expectType(await c.take(cutControl, 15_000), ControlMessageType.CallDisconnectNotify);
    t.equal(notify.callId, call.callId, 'CDN names pptpd\'s Call ID');
    t.equal(notify.resultCode, DisconnectResult.Request, 'CDN: result 4, call cleared by request');
    afterClear = 'Call-Disconnect-Notify';
  } catch (e) {
    t.match(String(e), /closed by the peer/, 'without Call-Disconnect-Notify, pptpd closes the connection');
    afterClear = 'connection closed';
  }
  t.comment(`pptpd's answer to Call-Clear-Request: ${afterClear}`);
  await c.destroy();
  const exit = await server.waitForExit('pppd', 30_000);
  t.not(exit.status, 0, `the call's pppd ended without a link (exit ${exit.status})`);

  // Second control connection: start, then an orderly stop.
  const d = await NetnsTcp.connect(t, net.ns, server.address, PPTP_TCP_PORT);
  d.write(emitControlMessage(START_REQUEST));
  expectType(await d.take(cutControl), ControlMessageType.StartControlConnectionReply);
  d.write(emitControlMessage({ type: ControlMessageType.StopControlConnectionRequest, reason: StopReason.None }));
  const stop = expectType(await d.take(cutControl), ControlMessageType.StopControlConnectionReply);
  t.equal(stop.resultCode, OkResult.Ok, 'StopCCRP: result 1, OK (RFC 2637 2.4)');
  await Promise.race([d.closed, new Promise((r) => setTimeout(r, 10_000))]);
  t.ok(d.drained, 'pptpd closes the TCP connection after Stop-Control-Connection-Reply');

  t.ok(await server.shutdown(), 'the guest powers off cleanly');
  await capture.stop();
  if (process.env.INTEROP_KEEP) copyFileSync(capture.file, join(process.env.INTEROP_KEEP, 'pptpd-control.pcap'));

  const problems = await wireCheck(capture.file);
  t.same(problems, [], 'Wireshark finds nothing malformed in PPTP, GRE or PPP');
  const types = (await tsharkFields(capture.file, 'pptp', ['pptp.control_message_type'])).map((r) => Number(r[0]));
  t.same(
    [...new Set(types)].sort((a, b) => a - b),
    afterClear === 'Call-Disconnect-Notify' ? [1, 2, 3, 4, 5, 6, 7, 8, 12, 13] : [1, 2, 3, 4, 5, 6, 7, 8, 12],
    'the capture holds every control message of the exchange',
  );
  const greToUs = await countPackets(capture.file, `gre.key.call_id == ${ourCallId} && ip.src == ${server.address} && lcp && !icmp`);
  t.ok(greToUs > 0, `pptpd's pppd sent LCP in enhanced GRE with our Call ID 0x${ourCallId.toString(16)} (${greToUs} packets)`);
  t.comment(`test time ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
