// Sending one RADIUS request to the configured servers in turn (RFC 2865 2.6 leaves retries and
// failover to the client). Each server gets its own socket and its `timeout`: the request is
// sent, sent once more half way through, and when no valid reply came by the end the next
// server is asked. Every request runs on its own socket and timers, so a dead server delays
// only the logins that are waiting on it.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { WireError } from '../wire/error.js';
import { checkResponse, parseRadius, type RadiusPacket } from '../wire/radius.js';

export interface RadiusServer {
  /** The /radius row's internal id (counters are kept per row). */
  readonly id: number;
  readonly address: string;
  readonly secret: Buffer;
  readonly authenticationPort: number;
  readonly accountingPort: number;
  readonly timeoutMs: number;
  readonly srcAddress: string | undefined;
}

export interface ServerCounters {
  pending: number;
  requests: number;
  accepts: number;
  rejects: number;
  resends: number;
  timeouts: number;
  badReplies: number;
  lastRttMs: number | undefined;
  acctRequests: number;
  acctResponses: number;
}

export function newCounters(): ServerCounters {
  return { pending: 0, requests: 0, accepts: 0, rejects: 0, resends: 0, timeouts: 0, badReplies: 0, lastRttMs: undefined, acctRequests: 0, acctResponses: 0 };
}

export type RequestKind = 'auth' | 'acct';

/** One request as sent to one server: its bytes and the authenticator the reply must match. */
export interface Built {
  readonly packet: Buffer;
  readonly authenticator: Buffer;
}

export interface Answer {
  readonly reply: RadiusPacket;
  readonly server: RadiusServer;
  /** The Request Authenticator of the request answered (MPPE keys are hidden with it). */
  readonly authenticator: Buffer;
}

/**
 * Asks `servers` in order; resolves with the first valid reply, or with the reason none came.
 * `build` makes the request for a server (its secret differs; so does a fresh authenticator).
 */
export async function ask(
  servers: readonly RadiusServer[],
  kind: RequestKind,
  build: (server: RadiusServer, identifier: number) => Built,
  counters: (id: number) => ServerCounters,
  log: Logger,
): Promise<Answer | string> {
  if (servers.length === 0) return 'no RADIUS server for ppp';
  for (const server of servers) {
    const answer = await askOne(server, kind, build, counters(server.id), log);
    if (typeof answer !== 'string') return answer;
    log.warning(`RADIUS server ${server.address}: ${answer}${server === servers[servers.length - 1] ? '' : ', trying the next'}`);
  }
  return `no answer from RADIUS server${servers.length > 1 ? 's' : ''} ${servers.map((s) => s.address).join(', ')}`;
}

function askOne(server: RadiusServer, kind: RequestKind, build: (server: RadiusServer, identifier: number) => Built, c: ServerCounters, log: Logger): Promise<Answer | string> {
  const identifier = randomBytes(1)[0]!;
  const request = build(server, identifier);
  const port = kind === 'auth' ? server.authenticationPort : server.accountingPort;
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const sentAt = Date.now();
    let resend: NodeJS.Timeout | undefined;
    let giveUp: NodeJS.Timeout | undefined;
    let done = false;
    c.pending++;
    if (kind === 'auth') c.requests++;
    else c.acctRequests++;
    const finish = (result: Answer | string): void => {
      if (done) return;
      done = true;
      c.pending--;
      clearTimeout(resend);
      clearTimeout(giveUp);
      socket.close();
      resolve(result);
    };
    const send = (): void => socket.send(request.packet, port, server.address, (e) => {
      if (e) log.debug(`RADIUS send to ${server.address}: ${e.message}`);
    });
    socket.on('error', (e) => finish(`socket error: ${e.message}`));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address !== server.address || rinfo.port !== port) return;
      const bad = msg.length < 20 || msg[1] !== identifier ? 'reply to another request' : checkResponse(msg, request.authenticator, server.secret);
      const reply = bad === undefined ? parseRadius(msg) : undefined;
      if (bad !== undefined || reply instanceof WireError || reply === undefined) {
        c.badReplies++;
        log.warning(`RADIUS reply from ${server.address} dropped: ${bad ?? String(reply)}`);
        return;
      }
      c.lastRttMs = Date.now() - sentAt;
      if (kind === 'acct') c.acctResponses++;
      finish({ reply, server, authenticator: request.authenticator });
    });
    socket.bind({ port: 0, address: server.srcAddress }, () => {
      send();
      resend = setTimeout(() => {
        c.resends++;
        send();
      }, server.timeoutMs / 2);
      giveUp = setTimeout(() => {
        c.timeouts++;
        finish(`no answer within ${server.timeoutMs} ms`);
      }, server.timeoutMs);
    });
  });
}
