// RFC 1661 section 4.1, state Opened, events RCR+ and RCR-: a Configure-Request received in
// Opened takes the layer down (tld), sends our own Configure-Request (scr) and answers the
// peer's (sca/scn), whether or not it repeats the one we acknowledged (pppd fsm_rconfreq does
// the same). A delayed copy of an old request therefore renegotiates; it does not get a second Ack.
import t from 'tap';
import { Fsm, type FsmOutput, type OptionHandler } from '../../src/ppp/fsm.js';

class Judge implements OptionHandler {
  verdict: 'ack' | 'nak' = 'ack';
  resetci(): void {}
  addci() { return [{ type: 18, data: Buffer.from([0, 0, 0, 0x40]) }]; }
  ackci(): void {}
  nakci(): boolean { return true; }
  rejci(): boolean { return true; }
  reqci() {
    return this.verdict === 'ack' ? { kind: 'ack' as const, options: [] } : { kind: 'nak' as const, options: [{ type: 18, data: Buffer.from([0, 0, 0, 0x40]) }] };
  }
}

const sends = (out: FsmOutput[]): number[] => out.flatMap((o) => (o.kind === 'send' ? [o.code] : []));
const cfg = { restartMs: 3000, maxConfigure: 10, maxTerminate: 2, maxFailure: 5 };

function opened(judge = new Judge()) {
  const fsm = new Fsm('CCP', judge, cfg);
  fsm.up();
  const ours = fsm.open().find((o) => o.kind === 'send' && o.code === 1) as { identifier: number; data: Buffer };
  const peerRequest = Buffer.from('120600000040', 'hex');
  fsm.receive(1, 1, peerRequest);
  fsm.receive(2, ours.identifier, ours.data);
  return { fsm, ours, peerRequest, judge };
}

t.test('Opened + RCR+ (even a copy of the acknowledged request): tld, scr, sca -> Ack-Sent', async (t) => {
  const { fsm, peerRequest } = opened();
  t.equal(fsm.state, 'opened');
  const out = fsm.receive(1, 1, peerRequest);
  t.same(sends(out), [1, 2], 'our Configure-Request, then the Configure-Ack');
  t.equal(out[0]?.kind, 'this-layer-down', 'this-layer-down comes first');
  t.equal(fsm.state, 'ack-sent');
  t.ok(out.some((o) => o.kind === 'timer' && o.ms === 3000), 'the restart timer runs again');
});

t.test('Opened + RCR-: tld, scr, scn -> Req-Sent', async (t) => {
  const { fsm, judge } = opened();
  judge.verdict = 'nak';
  const out = fsm.receive(1, 7, Buffer.from('120600000020', 'hex'));
  t.same(sends(out), [1, 3], 'our Configure-Request, then the Configure-Nak');
  t.equal(out[0]?.kind, 'this-layer-down');
  t.equal(fsm.state, 'req-sent');
});

t.test('the renegotiation completes: the peer Acks our new request, the layer is up again', async (t) => {
  const { fsm, peerRequest } = opened();
  const out = fsm.receive(1, 2, peerRequest);
  const again = out.find((o) => o.kind === 'send' && o.code === 1) as { identifier: number; data: Buffer };
  const up = fsm.receive(2, again.identifier, again.data);
  t.ok(up.some((o) => o.kind === 'this-layer-up'));
  t.equal(fsm.state, 'opened');
});
