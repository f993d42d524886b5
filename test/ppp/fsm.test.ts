import t from 'tap';
import { compileTable, Fsm, FSM_EVENTS, FSM_STATES, transition, type FsmEvent, type FsmOutput, type FsmState, type OptionHandler } from '../../src/ppp/fsm.js';

// RFC 1661 section 4.1, transcribed state by state (the source lays it out event by event):
// each entry is "event: actions/next-state" and an event not listed is "-" (cannot occur).
const RFC: Record<FsmState, Record<string, string>> = {
  initial: { up: '/closed', open: 'tls/starting', close: '/initial' },
  starting: { up: 'irc,scr/req-sent', open: '/starting', close: 'tlf/initial' },
  closed: {
    down: '/initial', open: 'irc,scr/req-sent', close: '/closed', 'rcr+': 'sta/closed', 'rcr-': 'sta/closed',
    rca: 'sta/closed', rcn: 'sta/closed', rtr: 'sta/closed', rta: '/closed', ruc: 'scj/closed', 'rxj+': '/closed',
    'rxj-': 'tlf/closed', rxr: '/closed',
  },
  stopped: {
    down: 'tls/starting', open: '/stopped', close: '/closed', 'rcr+': 'irc,scr,sca/ack-sent', 'rcr-': 'irc,scr,scn/req-sent',
    rca: 'sta/stopped', rcn: 'sta/stopped', rtr: 'sta/stopped', rta: '/stopped', ruc: 'scj/stopped', 'rxj+': '/stopped',
    'rxj-': 'tlf/stopped', rxr: '/stopped',
  },
  closing: {
    down: '/initial', open: '/stopping', close: '/closing', 'to+': 'str/closing', 'to-': 'tlf/closed', 'rcr+': '/closing',
    'rcr-': '/closing', rca: '/closing', rcn: '/closing', rtr: 'sta/closing', rta: 'tlf/closed', ruc: 'scj/closing',
    'rxj+': '/closing', 'rxj-': 'tlf/closed', rxr: '/closing',
  },
  stopping: {
    down: '/starting', open: '/stopping', close: '/closing', 'to+': 'str/stopping', 'to-': 'tlf/stopped', 'rcr+': '/stopping',
    'rcr-': '/stopping', rca: '/stopping', rcn: '/stopping', rtr: 'sta/stopping', rta: 'tlf/stopped', ruc: 'scj/stopping',
    'rxj+': '/stopping', 'rxj-': 'tlf/stopped', rxr: '/stopping',
  },
  'req-sent': {
    down: '/starting', open: '/req-sent', close: 'irc,str/closing', 'to+': 'scr/req-sent', 'to-': 'tlf/stopped',
    'rcr+': 'sca/ack-sent', 'rcr-': 'scn/req-sent', rca: 'irc/ack-rcvd', rcn: 'irc,scr/req-sent', rtr: 'sta/req-sent',
    rta: '/req-sent', ruc: 'scj/req-sent', 'rxj+': '/req-sent', 'rxj-': 'tlf/stopped', rxr: '/req-sent',
  },
  'ack-rcvd': {
    down: '/starting', open: '/ack-rcvd', close: 'irc,str/closing', 'to+': 'scr/req-sent', 'to-': 'tlf/stopped',
    'rcr+': 'sca,tlu/opened', 'rcr-': 'scn/ack-rcvd', rca: 'scr/req-sent', rcn: 'scr/req-sent', rtr: 'sta/req-sent',
    rta: '/req-sent', ruc: 'scj/ack-rcvd', 'rxj+': '/req-sent', 'rxj-': 'tlf/stopped', rxr: '/ack-rcvd',
  },
  'ack-sent': {
    down: '/starting', open: '/ack-sent', close: 'irc,str/closing', 'to+': 'scr/ack-sent', 'to-': 'tlf/stopped',
    'rcr+': 'sca/ack-sent', 'rcr-': 'scn/req-sent', rca: 'irc,tlu/opened', rcn: 'irc,scr/ack-sent', rtr: 'sta/req-sent',
    rta: '/ack-sent', ruc: 'scj/ack-sent', 'rxj+': '/ack-sent', 'rxj-': 'tlf/stopped', rxr: '/ack-sent',
  },
  opened: {
    down: 'tld/starting', open: '/opened', close: 'tld,irc,str/closing', 'rcr+': 'tld,scr,sca/ack-sent',
    'rcr-': 'tld,scr,scn/req-sent', rca: 'tld,scr/req-sent', rcn: 'tld,scr/req-sent', rtr: 'tld,zrc,sta/stopping',
    rta: 'tld,scr/req-sent', ruc: 'scj/opened', 'rxj+': '/opened', 'rxj-': 'tld,irc,str/stopping', rxr: 'ser/opened',
  },
};

t.test('every cell of the RFC 1661 state transition table', async (t) => {
  let cells = 0;
  for (const state of FSM_STATES) {
    for (const event of FSM_EVENTS) {
      const got = transition(state, event);
      const want = RFC[state][event];
      if (want === undefined) {
        t.ok(got.illegal, `${event} cannot occur in ${state}`);
      } else {
        const [actions, next] = want.split('/') as [string, FsmState];
        t.same({ actions: got.actions.join(','), next: got.next, illegal: got.illegal }, { actions, next, illegal: false }, `${state} + ${event}`);
      }
      cells++;
    }
  }
  t.equal(cells, 160);
});

class AckAll implements OptionHandler {
  requests = 0;
  constructor(private readonly verdict: 'ack' | 'nak' = 'ack') {}
  resetci(): void {}
  addci() { return [{ type: 1, data: Buffer.from([5, 220]) }]; }
  ackci(): void {}
  nakci(): boolean { return true; }
  rejci(): boolean { return true; }
  reqci() {
    this.requests++;
    if (this.verdict === 'nak') return { kind: 'nak' as const, options: [{ type: 1, data: Buffer.from([1, 0]) }] };
    return { kind: 'ack' as const, options: [] };
  }
}

const cfg = { restartMs: 1000, maxConfigure: 4, maxTerminate: 2, maxFailure: 3 };
const sends = (o: FsmOutput[]) => o.filter((x): x is Extract<FsmOutput, { kind: 'send' }> => x.kind === 'send');

t.test('an unanswered Configure-Request is retried Max-Configure times, then the layer finishes', async (t) => {
  const fsm = new Fsm('LCP', new AckAll(), cfg);
  let out = [...fsm.up(), ...fsm.open()];
  t.equal(sends(out).length, 1);
  t.same(out.find((o) => o.kind === 'timer'), { kind: 'timer', ms: 1000 });
  let requests = 1;
  for (let i = 0; i < 10 && fsm.state === 'req-sent'; i++) {
    out = fsm.timeout();
    requests += sends(out).length;
  }
  t.equal(requests, 4);
  t.equal(fsm.state, 'stopped');
  t.match(out.find((o) => o.kind === 'this-layer-finished'), { reason: /timed out/ });
});

function wire(a: Fsm, b: Fsm): { up: string[] } {
  const log = { up: [] as string[] };
  const queue: Array<[Fsm, FsmOutput[]]> = [];
  const pump = () => {
    while (queue.length) {
      const [from, outs] = queue.shift()!;
      const to = from === a ? b : a;
      for (const o of outs) {
        if (o.kind === 'send') queue.push([to, to.receive(o.code, o.identifier, o.data)]);
        if (o.kind === 'this-layer-up') log.up.push(from.name);
      }
    }
  };
  queue.push([a, [...a.up(), ...a.open()]], [b, [...b.up(), ...b.open()]]);
  pump();
  return log;
}

t.test('two automata that accept each other reach Opened and both report this-layer-up', async (t) => {
  const a = new Fsm('A', new AckAll(), cfg);
  const b = new Fsm('B', new AckAll(), cfg);
  const log = wire(a, b);
  t.equal(a.state, 'opened');
  t.equal(b.state, 'opened');
  t.same(log.up.sort(), ['A', 'B']);
});

t.test('after Max-Failure Naks the automaton rejects instead of Nak-ing (RFC 1661 4.6)', async (t) => {
  const fsm = new Fsm('A', new AckAll('nak'), cfg);
  fsm.up();
  fsm.open();
  const request = Buffer.from('0104' + '05dc', 'hex');
  const codes: number[] = [];
  for (let id = 1; id <= cfg.maxFailure + 2; id++) codes.push(...sends(fsm.receive(1, id, request)).map((o) => o.code));
  t.same(codes, [3, 3, 3, 4, 4], `${cfg.maxFailure} Naks, then the Nak'ed option is Configure-Rejected`);
});

t.test('a Nak that only suggests options the request lacks becomes an Ack after Max-Failure', async (t) => {
  const fsm = new Fsm('A', new AckAll('nak'), cfg);
  fsm.up();
  fsm.open();
  const codes: number[] = [];
  for (let id = 1; id <= cfg.maxFailure + 1; id++) codes.push(...sends(fsm.receive(1, id, Buffer.alloc(0))).map((o) => o.code));
  t.same(codes, [3, 3, 3, 2], 'nothing to reject: acknowledged');
});

t.test('the peer\'s Naks are counted against Max-Failure (not Max-Configure): past it the layer gives up', async (t) => {
  let naks = 0;
  const handler: OptionHandler = {
    resetci() {}, ackci() {}, rejci: () => true, reqci: () => ({ kind: 'ack', options: [] }),
    addci: () => [{ type: 1, data: Buffer.from([5, 220]) }],
    nakci: () => { naks++; return true; },
  };
  const fsm = new Fsm('A', handler, { ...cfg, maxConfigure: 10 });
  let out = [...fsm.up(), ...fsm.open()];
  for (let i = 0; i < 10 && fsm.state === 'req-sent'; i++) {
    const req = sends(out).find((o) => o.code === 1)!;
    out = fsm.receive(3, req.identifier, Buffer.from('010405dc', 'hex'));
  }
  t.equal(naks, cfg.maxFailure + 1, 'Max-Failure Naks taken, the next one ends it');
  t.same(sends(out).map((o) => o.code), [5], 'Terminate-Request');
  t.equal(fsm.state, 'closing');
});

t.test('the state table is compiled and checked when the module loads: a typo throws', async (t) => {
  const row = (cell: string) => FSM_STATES.map(() => cell);
  const good = Object.fromEntries(FSM_EVENTS.map((e) => [e, row('-')])) as Record<FsmEvent, string[]>;
  t.equal(compileTable(good).size, 160);
  t.throws(() => compileTable({ ...good, rca: row('irc,tul/9') }), /unknown action "tul"/);
  t.throws(() => compileTable({ ...good, rca: row('irc/12') }), /malformed cell|no state/);
  t.throws(() => compileTable({ ...good, rca: row('scr6') }), /malformed cell/);
  t.throws(() => compileTable({ ...good, rca: ['-'] }), /1 cells, not 10/);
});

t.test('a Configure-Ack with the wrong identifier or altered options is discarded', async (t) => {
  const fsm = new Fsm('LCP', new AckAll(), cfg);
  const out = [...fsm.up(), ...fsm.open()];
  const req = sends(out)[0]!;
  t.match(fsm.receive(2, (req.identifier + 1) & 0xff, req.data), [{ kind: 'discarded' }]);
  t.match(fsm.receive(2, req.identifier, Buffer.from([1, 4, 5, 219])), [{ kind: 'discarded' }]);
  t.equal(fsm.state, 'req-sent');
  fsm.receive(2, req.identifier, req.data);
  t.equal(fsm.state, 'ack-rcvd');
});

t.test('Code-Reject of Configure-Request is catastrophic; of an extension code it is not', async (t) => {
  const a = new Fsm('A', new AckAll(), cfg);
  const b = new Fsm('B', new AckAll(), cfg);
  wire(a, b);
  t.same(a.receive(7, 9, Buffer.from([9, 1, 0, 4])), []);
  t.equal(a.state, 'opened');
  const out = a.receive(7, 10, Buffer.from([1, 1, 0, 4]));
  t.equal(a.state, 'stopping');
  t.ok(out.some((o) => o.kind === 'this-layer-down'));
  t.equal(sends(out)[0]!.code, 5, 'sends Terminate-Request');
});

t.test('Terminate-Request in Opened: layer down, Terminate-Ack, then finished after the restart timer', async (t) => {
  const a = new Fsm('A', new AckAll(), cfg);
  const b = new Fsm('B', new AckAll(), cfg);
  wire(a, b);
  const out = a.receive(5, 42, Buffer.from('bye'));
  t.same(sends(out).map((s) => [s.code, s.identifier]), [[6, 42]]);
  t.equal(a.state, 'stopping');
  const fin = a.timeout();
  t.equal(a.state, 'stopped');
  t.match(fin.find((o) => o.kind === 'this-layer-finished'), { reason: /terminated by peer/ });
});

t.test('garbage Configure-Request options and unknown events never throw', async (t) => {
  const fsm = new Fsm('LCP', new AckAll(), cfg);
  fsm.up(); fsm.open();
  t.match(fsm.receive(1, 1, Buffer.from([1, 9, 9])), [{ kind: 'discarded' }]);
  for (const e of ['rxr', 'ruc'] as FsmEvent[]) t.ok(Array.isArray(e === 'rxr' ? fsm.receivedEcho(1, Buffer.alloc(4), true) : fsm.unknownCode(Buffer.from([99, 1, 0, 4]))));
});
