// The Opened state answers a duplicate of the Configure-Request it acknowledged with another Ack
// and stays Opened (a copy delayed in the tunnel is no renegotiation). A peer that sends that
// same request yet again is retransmitting: it fell back to Req-Sent on a stale packet and
// waits for our request, which an Ack alone never gives it. Seen with CCP under loss and
// reordering (test/ppp/session-interop.test.ts seed 34 once IPCP waited for CCP): the peer sat in
// Ack-Rcvd, retransmitting every 3 s, and our side Acked each copy forever.
import t from 'tap';
import { Fsm, type FsmOutput, type OptionHandler } from '../../src/ppp/fsm.js';

class AckAll implements OptionHandler {
  resetci(): void {}
  addci() { return [{ type: 18, data: Buffer.from([0, 0, 0, 0x40]) }]; }
  ackci(): void {}
  nakci(): boolean { return true; }
  rejci(): boolean { return true; }
  reqci() { return { kind: 'ack' as const, options: [] }; }
}

const sends = (out: FsmOutput[]): number[] => out.flatMap((o) => (o.kind === 'send' ? [o.code] : []));

t.test('an Opened automaton Acks one copy of the acknowledged request, and renegotiates on the next', async (t) => {
  const fsm = new Fsm('CCP', new AckAll(), { restartMs: 3000, maxConfigure: 10, maxTerminate: 2, maxFailure: 5 });
  fsm.up();
  const first = fsm.open();
  const ours = first.find((o) => o.kind === 'send' && o.code === 1) as { identifier: number; data: Buffer };
  const peerRequest = Buffer.from('120600000040', 'hex');
  t.same(sends(fsm.receive(1, 1, peerRequest)), [2], 'the peer\'s request (id 1) is acknowledged');
  fsm.receive(2, ours.identifier, ours.data);
  t.equal(fsm.state, 'opened');

  t.same(sends(fsm.receive(1, 1, peerRequest)), [2], 'a delayed copy: Ack again');
  t.equal(fsm.state, 'opened', 'still Opened, no renegotiation (MPPE keys stay)');

  const again = fsm.receive(1, 1, peerRequest);
  t.same(sends(again), [1, 2], 'the same request once more: our own Configure-Request, then the Ack (RFC 1661 Opened + RCR+)');
  t.ok(again.some((o) => o.kind === 'this-layer-down'), 'the layer goes down for the renegotiation');
  t.equal(fsm.state, 'ack-sent');
});
