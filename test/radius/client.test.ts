// The RADIUS client's retries and failover over real UDP on loopback: a silent server gets the
// request, one resend half way, then its timeout, and the next server answers; another login
// asking only the live server meanwhile is not held up by the dead one; a reply without a
// Message-Authenticator is dropped and counted, never believed.
import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { createHash } from 'node:crypto';
import { ask, newCounters, type RadiusServer, type ServerCounters } from '../../src/radius/client.js';
import { LogBook } from '../../src/log.js';
import { ATTR, RADIUS_CODE, attrString, emitAccessRequest, emitResponse, parseRadius, randomAuthenticator } from '../../src/wire/radius.js';
import { WireError } from '../../src/wire/error.js';

const secret = Buffer.from('loop-secret');

/** A UDP server on 127.0.0.1 that records requests and answers them with `reply` (or not). */
async function udpServer(t: { teardown(fn: () => void): void }, reply: (request: Buffer) => Buffer | undefined): Promise<{ port: number; received: Buffer[] }> {
  const socket: Socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (msg, rinfo) => {
    received.push(msg);
    const answer = reply(msg);
    if (answer) socket.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind({ port: 0, address: '127.0.0.1' }, resolve));
  t.teardown(() => socket.close());
  return { port: socket.address().port, received };
}

function server(id: number, port: number, timeoutMs: number): RadiusServer {
  return { id, address: '127.0.0.1', secret, authenticationPort: port, accountingPort: port, timeoutMs, srcAddress: undefined };
}

const accept = (request: Buffer): Buffer => {
  const p = parseRadius(request);
  if (p instanceof WireError) throw new Error(p.toString());
  return emitResponse(RADIUS_CODE.ACCESS_ACCEPT, p.identifier, p.authenticator, [], secret);
};

const build = (_: RadiusServer, identifier: number) => {
  const authenticator = randomAuthenticator();
  return { packet: emitAccessRequest(identifier, authenticator, [attrString(ATTR.USER_NAME, 'u')], secret), authenticator };
};

t.test('a dead first server costs its timeout; other logins go on meanwhile', async (t) => {
  const dead = await udpServer(t, () => undefined);
  const live = await udpServer(t, accept);
  const counters = new Map<number, ServerCounters>([[1, newCounters()], [2, newCounters()]]);
  const log = new LogBook();
  const began = Date.now();
  let firstDone = false;
  const first = ask([server(1, dead.port, 2000), server(2, live.port, 2000)], 'auth', build, (id) => counters.get(id)!, log.logger())
    .then((a) => ((firstDone = true), a));
  const other = await ask([server(2, live.port, 2000)], 'auth', build, (id) => counters.get(id)!, log.logger());
  t.type(other, 'object', 'a login asking only the live server is answered');
  t.notOk(firstDone, 'while the first login still waits on the dead server');
  const answer = await first;
  t.ok(typeof answer === 'object' && answer.server.id === 2, 'the second server answered the first login');
  t.ok(Date.now() - began >= 1990, 'after the dead server\'s whole timeout');
  t.equal(dead.received.length, 2, 'the dead server got the request and one resend');
  t.match(counters.get(1), { requests: 1, resends: 1, timeouts: 1, pending: 0 });
  t.match(counters.get(2), { requests: 2, resends: 0, timeouts: 0, pending: 0 });
  t.match(log.list().map((e) => e.message).join('\n'), /RADIUS server 127\.0\.0\.1: no answer within 2000 ms, trying the next/);
});

t.test('a reply without Message-Authenticator is dropped (Blast-RADIUS); all silent is a clear failure', async (t) => {
  // A correct Response Authenticator, but unsigned: what a forger who can compute MD5 collisions needs.
  const unsigned = await udpServer(t, (request) => {
    const p = parseRadius(request);
    if (p instanceof WireError) return undefined;
    const reply = Buffer.from([RADIUS_CODE.ACCESS_ACCEPT, p.identifier, 0, 20, ...p.authenticator]);
    createHash('md5').update(reply).update(secret).digest().copy(reply, 4);
    return reply;
  });
  const c = newCounters();
  const answer = await ask([server(1, unsigned.port, 400)], 'auth', build, () => c, new LogBook().logger());
  t.equal(answer, 'no answer from RADIUS server 127.0.0.1');
  t.ok(c.badReplies >= 1, `counted as bad replies (${c.badReplies})`);
  t.equal(c.timeouts, 1);
});
