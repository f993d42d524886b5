// What the console's /interface pptp-server pending shows comes from PptpServer.holdings(): the
// connections without an authenticated call, per source address and in total, against their
// caps; and a connection that never says anything leaves them after the server's no-call time
// (15 s by default, counted from the TCP connection), as one that never places a call does.
import type { Test as TestBase } from 'tap';
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { LogBook } from '../../src/log.js';
import { PptpServer } from '../../src/pptp/server.js';
import { emitControlMessage } from '../../src/wire/pptp-control.js';
import { sccrq } from './fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function open(t: TestBase, port: number, from: string): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from });
  socket.on('error', () => {});
  socket.resume(); // replies are read and dropped, so the server's FIN is seen
  t.teardown(() => socket.destroy());
  await once(socket, 'connect');
  return socket;
}

t.test('holdings count connections per address and in total against the caps', async (t) => {
  const log = new LogBook();
  const server = new PptpServer({ host: '127.0.0.1', port: 0, logger: log.logger('pptp'), limits: { connections: { perAddress: 2, total: 3 } } });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  t.equal(server.connectionTimeoutMs, 15_000, 'by default a connection without a call is held 15 s at most');
  const a = [await open(t, port, '127.0.0.2'), await open(t, port, '127.0.0.2'), await open(t, port, '127.0.0.2')];
  await open(t, port, '127.0.0.3');
  await sleep(200);
  // The pool is full: the server no longer listens, the kernel refuses the next one.
  await t.rejects(open(t, port, '127.0.0.4'), { code: 'ECONNREFUSED' });
  const h = server.holdings().connections;
  t.same(h.limits, { perAddress: 2, total: 3 });
  t.equal(h.total, 3, 'the total cap holds');
  t.same(Object.fromEntries(h.byAddress), { '127.0.0.2': 2, '127.0.0.3': 1 }, 'per address, the cap held for the first one');
  a[0]!.destroy();
  a[1]!.destroy();
  await sleep(200);
  t.same(Object.fromEntries(server.holdings().connections.byAddress), { '127.0.0.3': 1 }, 'an address that closed its connections is forgotten');
  t.equal(server.holdings().pendingCalls.total, 0);
});

t.test('connections that send nothing, or only Start-Control-Connection-Request, leave the pool after the no-call time', async (t) => {
  const log = new LogBook();
  const server = new PptpServer({ host: '127.0.0.1', port: 0, logger: log.logger('pptp'), timers: { noCallMs: 400 } });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  t.equal(server.connectionTimeoutMs, 400);
  const silent = await open(t, port, '127.0.0.5');
  const hello = await open(t, port, '127.0.0.6');
  hello.write(emitControlMessage(sccrq()));
  await sleep(100);
  t.equal(server.holdings().connections.total, 2, 'both are held at first');
  await Promise.all([once(silent, 'close'), once(hello, 'close')]);
  await sleep(50);
  t.equal(server.holdings().connections.total, 0, 'both were closed and their places given back');
  t.equal(server.holdings().connections.byAddress.length, 0);
  t.match(log.list().map((e) => e.message).join('\n'), /placed no call within 0\.4 s/);
});
