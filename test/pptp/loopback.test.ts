// Our client against our server over 127.0.0.1 on an ephemeral port.
import type { Test as TestBase } from 'tap';
import t from 'tap';
import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { LogBook, silentLogger } from '../../src/log.js';
import { PptpServer } from '../../src/pptp/server.js';
import { PptpClientConnection, PptpError } from '../../src/pptp/client.js';
import { CallTable } from '../../src/pptp/call-table.js';
import type { AdmissionHook, CallInfo } from '../../src/pptp/control-types.js';
import { emitControlMessage } from '../../src/wire/pptp-control.js';
import { readControlMessage } from '../../src/wire/pptp-stream.js';
import { sccrq } from './fixtures.js';

async function startServer(t: TestBase, opts: { admit?: AdmissionHook; log?: LogBook; echoIdleMs?: number; echoReplyMs?: number } = {}) {
  const server = new PptpServer({
    host: '127.0.0.1',
    port: 0,
    logger: opts.log ? opts.log.logger('pptp') : silentLogger,
    hostName: 'HomeOffice',
    admit: opts.admit,
    timers: { echoIdleMs: opts.echoIdleMs ?? 60_000, echoReplyMs: opts.echoReplyMs ?? 60_000 },
  });
  const address = await server.listen();
  t.teardown(() => server.close());
  return { server, port: address.port };
}

function client(t: TestBase, port: number, extra: { log?: LogBook; echoIdleMs?: number; callTable?: CallTable } = {}) {
  const c = new PptpClientConnection({
    host: '127.0.0.1',
    port,
    logger: extra.log ? extra.log.logger('pptp-client') : silentLogger,
    hostName: `client-${process.pid}`,
    connectTimeoutMs: 3000,
    callTable: extra.callTable,
    timers: { echoIdleMs: extra.echoIdleMs ?? 60_000 },
  });
  t.teardown(() => c.stop());
  return c;
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

t.test('client sets up a call, both sides agree on the call IDs, then clears it', async (t) => {
  const { server, port } = await startServer(t);
  const serverUp: CallInfo[] = [];
  const serverDown: string[] = [];
  server.on('call-up', (c) => serverUp.push(c));
  server.on('call-down', (_c, reason) => serverDown.push(reason));
  const c = client(t, port);
  const info = await c.connect();
  t.equal(info.peerHostName, 'HomeOffice');
  const call = await c.openCall();
  await until(() => serverUp.length === 1);
  const s = serverUp[0]!;
  t.equal(s.callId, call.peerCallId, "server's call ID is the client's peer call ID");
  t.equal(s.peerCallId, call.callId, "client's call ID is the server's peer call ID");
  t.equal(s.peer.address, '127.0.0.1');
  t.equal(call.peer.port, port);
  t.ok(server.calls.has(s.callId));
  const reason = await c.clearCall(call.callId);
  t.equal(reason, 'cleared');
  await until(() => serverDown.length === 1);
  t.match(serverDown[0], /Call-Clear-Request/);
  t.equal(server.calls.size, 0);
  t.equal(c.calls.size, 0);
});

for (const side of ['server', 'client'] as const) {
  t.test(`echo keepalive: the ${side} sends Echo-Request when idle, the reply keeps the connection up`, async (t) => {
    const log = new LogBook();
    const { server, port } = await startServer(t, { log, echoIdleMs: side === 'server' ? 100 : 60_000, echoReplyMs: 500 });
    const c = client(t, port, { log, echoIdleMs: side === 'client' ? 100 : 60_000 });
    await c.connect();
    await c.openCall();
    await new Promise((r) => setTimeout(r, 700));
    const lines = log.list().map((e) => `${e.topics[0]} ${e.message}`);
    const [me, other] = side === 'server' ? ['pptp', 'pptp-client'] : ['pptp-client', 'pptp'];
    t.ok(lines.filter((l) => l === `${me} sending Echo-Request`).length >= 3, `${side} sent several Echo-Requests`);
    t.ok(lines.includes(`${other} received Echo-Request`), 'the peer received them');
    t.ok(lines.includes(`${other} sending Echo-Reply`), 'the peer answered');
    t.ok(lines.includes(`${me} received Echo-Reply`), `${side} got the replies`);
    t.equal(server.calls.size, 1, 'call still up');
    t.equal(c.state, 'established');
  });
}

t.test('stop clears the call and closes both ends cleanly', async (t) => {
  const { server, port } = await startServer(t);
  const down: string[] = [];
  const connDown: Array<[string, boolean]> = [];
  server.on('call-down', (_c, r) => down.push(r));
  server.on('connection-down', (_c, r, e) => connDown.push([r, e]));
  const c = client(t, port);
  await c.connect();
  await c.openCall();
  const closed = once(c, 'closed');
  await c.stop();
  const [reason, error] = (await closed) as [string, boolean];
  t.equal(reason, 'control connection stopped');
  t.equal(error, false);
  await until(() => connDown.length === 1);
  t.match(down[0], /Call-Clear-Request/, 'the call was cleared before the stop');
  t.match(connDown[0], [/stopped by peer/, false]);
  t.equal(server.connectionCount, 0);
});

t.test('server shutdown stops its control connections and the client sees why', async (t) => {
  const { server, port } = await startServer(t);
  const c = client(t, port);
  await c.connect();
  await c.openCall();
  const down = once(c, 'call-down');
  const closed = once(c, 'closed');
  await server.close();
  t.match((await down)[1], /admin shutdown/);
  t.match((await closed)[0], /stopped by peer \(stop-local-shutdown\)/);
});

t.test('a server-side clear (e.g. /ppp active remove) reaches the client as Call-Disconnect-Notify', async (t) => {
  const { server, port } = await startServer(t);
  const c = client(t, port);
  await c.connect();
  const call = await c.openCall();
  const down = once(c, 'call-down');
  t.ok(server.clearCall(call.peerCallId));
  t.match((await down)[1], 'server disconnected the call: admin shutdown');
  t.equal(c.state, 'established', 'control connection stays up');
});

t.test('garbage from a raw socket closes only that connection, with a logged reason', async (t) => {
  const log = new LogBook();
  const { server, port } = await startServer(t, { log });
  const c = client(t, port);
  await c.connect();
  await c.openCall();
  const raw = connect(port, '127.0.0.1');
  t.teardown(() => raw.destroy());
  await once(raw, 'connect');
  const rawClosed = once(raw, 'close');
  raw.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  await rawClosed;
  await until(() => log.list().some((e) => /closed: bad control message/.test(e.message)));
  const line = log.list().find((e) => /closed: bad control message/.test(e.message))!;
  t.match(line.message, /PPTP control header: bad (Length|PPTP Message Type)/);
  t.equal(line.level, 'warning');
  t.equal(server.calls.size, 1, 'the other call is untouched');
  t.equal(c.state, 'established');
  await c.clearCall([...c.calls.keys()][0]!);
});

t.test('a peer that never answers Echo-Request is disconnected', async (t) => {
  const log = new LogBook();
  const { server, port } = await startServer(t, { log, echoIdleMs: 50, echoReplyMs: 150 });
  const raw: Socket = connect(port, '127.0.0.1');
  t.teardown(() => raw.destroy());
  await once(raw, 'connect');
  raw.write(emitControlMessage(sccrq()));
  const reason = await new Promise<string>((resolve) => server.once('connection-down', (_c, r) => resolve(r)));
  t.match(reason, /did not answer Echo-Request/);
});

t.test('the admission hook refusing over the limit: exactly N of many simultaneous calls are admitted', async (t) => {
  const limit = 3;
  let inUse = 0;
  let released = 0;
  const admit: AdmissionHook = () => {
    if (inUse >= limit) return { ok: false, reason: `licence allows ${limit} tunnels`, resultCode: 7 };
    inUse++;
    return { ok: true, release: () => (inUse--, released++) };
  };
  const { server, port } = await startServer(t, { admit });
  const refused: string[] = [];
  server.on('call-refused', (_id, reason) => refused.push(reason));
  const n = 12;
  const clients = Array.from({ length: n }, () => client(t, port));
  await Promise.all(clients.map((c) => c.connect()));
  const results = await Promise.allSettled(clients.map((c) => c.openCall()));
  const ok = results.filter((r) => r.status === 'fulfilled');
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.equal(ok.length, limit, `exactly ${limit} admitted`);
  t.equal(server.calls.size, limit);
  t.equal(failed.length, n - limit);
  for (const f of failed) {
    t.ok(f.reason instanceof PptpError);
    t.match((f.reason as Error).message, 'server refused the call: do not accept (result 7)');
  }
  t.equal(refused.length, n - limit);
  t.match(refused[0], `licence allows ${limit} tunnels`);
  await Promise.all(clients.map((c) => c.stop()));
  await until(() => released === limit);
  t.equal(inUse, 0, 'every slot released when the calls ended');
});

t.test('dialing a port nobody listens on fails with the reason', async (t) => {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const c = client(t, port);
  await t.rejects(c.connect(), { name: 'PptpError', message: /cannot connect to 127.0.0.1:\d+: .*ECONNREFUSED/ });
});

t.test('a server that never answers SCCRQ makes connect time out', async (t) => {
  const silent = createServer((s) => s.on('data', () => {}));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.teardown(() => new Promise((r) => silent.close(r)));
  const sockets: Socket[] = [];
  silent.on('connection', (s) => sockets.push(s));
  t.teardown(() => sockets.forEach((s) => s.destroy()));
  const c = new PptpClientConnection({ host: '127.0.0.1', port: (silent.address() as { port: number }).port, logger: silentLogger, connectTimeoutMs: 300 });
  const started = Date.now();
  await t.rejects(c.connect(), { name: 'PptpError' });
  t.ok(Date.now() - started < 2000);
});

t.test('a server reply is parsed from a TCP stream split into single bytes', async (t) => {
  const { port } = await startServer(t);
  const raw = connect(port, '127.0.0.1');
  t.teardown(() => raw.destroy());
  await once(raw, 'connect');
  raw.setNoDelay(true);
  for (const b of emitControlMessage(sccrq())) {
    raw.write(Buffer.from([b]));
    await new Promise((r) => setImmediate(r));
  }
  const [data] = (await once(raw, 'data')) as [Buffer];
  const r = readControlMessage(data);
  t.match(r, { kind: 'message', message: { type: 2, resultCode: 1 } });
});
