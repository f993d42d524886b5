// The PPTP server's caps on peers that have not authenticated, and its bound on output a peer
// does not read (issue 19 items 1 and 2), with raw control messages over real loopback sockets
// from several source addresses (127.0.0.0/8 is all loopback).
import type { Test as TestBase } from 'tap';
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { LogBook } from '../../src/log.js';
import { PptpServer, type AdmissionLimits } from '../../src/pptp/server.js';
import { emitControlMessage, type ControlMessage } from '../../src/wire/pptp-control.js';
import { readControlMessage } from '../../src/wire/pptp-stream.js';
import { WireError } from '../../src/wire/error.js';
import { MAX_UNSENT_BYTES } from '../../src/pptp/control-socket.js';
import { ocrq, sccrq } from './fixtures.js';

async function startServer(t: TestBase, limits: Partial<AdmissionLimits>) {
  const log = new LogBook();
  // No closing for want of a call here: each test closes connections for its own reason.
  const server = new PptpServer({ host: '127.0.0.1', port: 0, logger: log.logger('pptp'), limits, timers: { noCallMs: 600_000 } });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  return { server, port, log };
}

const logText = (log: LogBook) => log.list().map((e) => e.message).join('\n');

/** A raw peer: sends messages, collects parsed replies, notes when the server hangs up. */
class RawPeer {
  readonly received: ControlMessage[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const r = readControlMessage(this.buffer);
        if (r instanceof WireError || r.kind === 'need-more') break;
        this.buffer = this.buffer.subarray(r.consumed);
        this.received.push(r.message);
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(t: TestBase, port: number, from: string): Promise<RawPeer> {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    t.teardown(() => socket.destroy());
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  send(message: ControlMessage): void {
    this.socket.write(emitControlMessage(message));
  }

  /** Waits until cond holds (a reply came, the server closed ...). */
  async until(cond: () => boolean, ms = 3000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  reply(type: number): ControlMessage | undefined {
    return this.received.find((m) => m.type === type);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

async function placeCall(peer: RawPeer, peerCallId: number): Promise<{ resultCode: number; callId: number }> {
  if (!peer.reply(2)) {
    peer.send(sccrq());
    await peer.until(() => peer.reply(2) !== undefined);
  }
  const before = peer.received.length;
  peer.send(ocrq(peerCallId));
  await peer.until(() => peer.received.slice(before).some((m) => m.type === 8));
  const r = peer.received.slice(before).find((m) => m.type === 8) as { resultCode: number; callId: number };
  return { resultCode: r.resultCode, callId: r.callId };
}

t.test('control connections without an authenticated call are capped per address and in total', async (t) => {
  const { server, port, log } = await startServer(t, { connections: { perAddress: 2, total: 3 } });
  const a1 = await RawPeer.open(t, port, '127.0.0.2');
  const a2 = await RawPeer.open(t, port, '127.0.0.2');
  const a3 = await RawPeer.open(t, port, '127.0.0.2');
  await a3.until(() => a3.closed);
  t.same(a3.received, [], 'the third connection from one address is closed unanswered');
  t.match(logText(log), /control connection from 127\.0\.0\.2:\d+ refused: too many control connections without an authenticated call from 127\.0\.0\.2 \(at most 2\)/);
  const b1 = await RawPeer.open(t, port, '127.0.0.3');
  t.equal((await placeCall(b1, 1)).resultCode, 1, 'another address still connects and places a call');
  // The pool is full: the server stops listening, so the kernel refuses what comes next and no
  // attempt costs the server anything; it says so (at most once a second).
  t.equal(server.accepting, false, 'not accepting while the pool is full');
  await t.rejects(RawPeer.open(t, port, '127.0.0.4'), { code: 'ECONNREFUSED' }, 'a fourth address is refused by the kernel');
  t.match(logText(log), /3 control connections without an authenticated call \(the most allowed\); not accepting new ones until one goes/, 'the log says why');

  // The call on a1 authenticates: that connection stops counting, so its address may connect again.
  const call = await placeCall(a1, 7);
  t.equal(call.resultCode, 1);
  server.authenticated(call.callId);
  t.same(server.unauthenticated, { connections: 2, pendingCalls: 1 }, 'a1 and its call left both pools');
  await new Promise((r) => setTimeout(r, 100));
  t.equal(server.accepting, true, 'a place is free: listening again');
  t.match(logText(log), /accepting control connections again/);
  const a4 = await RawPeer.open(t, port, '127.0.0.2');
  t.equal((await placeCall(a4, 8)).resultCode, 1, 'a new connection from the same address is accepted');
  t.notOk(a2.closed, 'the connections already held stay open');
});

t.test('calls waiting for authentication are capped per address and in total; authentication or hang-up frees the place', async (t) => {
  const { server, port, log } = await startServer(t, { pendingCalls: { perAddress: 1, total: 2 } });
  const a1 = await RawPeer.open(t, port, '127.0.0.2');
  const a2 = await RawPeer.open(t, port, '127.0.0.2');
  const first = await placeCall(a1, 1);
  t.equal(first.resultCode, 1, 'the first pending call of an address is connected');
  t.same(await placeCall(a2, 2), { resultCode: 4, callId: 0 }, 'the second is refused "busy"');
  t.match(logText(log), /call from 127\.0\.0\.2:\d+ \(peer call 2\) refused: too many calls waiting for authentication from 127\.0\.0\.2 \(at most 1\)/);
  const b1 = await RawPeer.open(t, port, '127.0.0.3');
  t.equal((await placeCall(b1, 3)).resultCode, 1, 'another address has its own place');
  const c1 = await RawPeer.open(t, port, '127.0.0.4');
  t.equal((await placeCall(c1, 4)).resultCode, 4, 'the pool is full in total');
  t.match(logText(log), /\(at most 2 in total\)/);

  server.authenticated(first.callId);
  t.equal((await placeCall(a2, 5)).resultCode, 1, 'once the first has authenticated, its address may place another');
  t.equal(server.calls.size, 3, 'the authenticated call is still up');
  // A pending call that is hung up frees its place too.
  t.ok(server.clearCall([...server.calls.values()].find((c) => c.peer.address === '127.0.0.3')!.callId));
  await new Promise((r) => setTimeout(r, 100));
  t.equal((await placeCall(c1, 6)).resultCode, 1, 'a cleared pending call gives its place back');
});

t.test('a peer sending Echo-Requests without reading is cut off at a bounded backlog', async (t) => {
  const { server, port, log } = await startServer(t, {});
  const peer = await RawPeer.open(t, port, '127.0.0.5');
  peer.send(sccrq());
  await peer.until(() => peer.reply(2) !== undefined);
  peer.socket.pause(); // read nothing more
  const echo = emitControlMessage({ type: 5, identifier: 1 });
  const burst = Buffer.concat(Array.from({ length: 4096 }, () => echo)); // 64 KiB of requests
  let sentBytes = 0;
  const limit = 256 * 1024 * 1024;
  const before = process.memoryUsage().rss;
  while (!peer.closed && sentBytes < limit) {
    // A reset from the server shows up as an error here; `closed` is what the loop looks at.
    if (!peer.socket.write(burst)) await Promise.race([once(peer.socket, 'drain'), once(peer.socket, 'close')]).catch(() => undefined);
    sentBytes += burst.length;
  }
  t.ok(peer.closed, `the server closed the connection after ${(sentBytes / 1024 / 1024).toFixed(1)} MB of Echo-Requests`);
  t.ok(sentBytes < limit, 'well before the sender gave up');
  await peer.until(() => server.connectionCount === 0);
  t.match(logText(log), new RegExp(`peer does not read: more than ${MAX_UNSENT_BYTES / 1024} KiB of unsent output, closing`), 'the log says why');
  const grown = (process.memoryUsage().rss - before) / 1024 / 1024;
  t.ok(grown < 64, `memory grew ${grown.toFixed(1)} MB (bounded, not with the bytes sent)`);
});
