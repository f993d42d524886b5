// RADIUS for PPP (issue 14 section 4): logins of users /ppp secret does not hold go to the
// /radius servers with service=ppp when /ppp aaa use-radius=yes; sessions are accounted to them
// when accounting=yes. The servers and their counters are read from, and kept per, /radius row.
import { pppAaa, radius, systemIdentity } from '../config/menus/index.js';
import type { ConfigModel } from '../config/model.js';
import type { Logger } from '../log.js';
import type { Credential, RemoteVerdict } from '../ppp/auth/outcome.js';
import { ACCT_STATUS } from '../wire/radius.js';
import { accessRequest, verdictOf } from './access.js';
import { accountingRequest, newSessionId, terminateCause, type AccountedSession, type SessionTotals } from './accounting.js';
import { ask, newCounters, type RadiusServer, type ServerCounters } from './client.js';

export interface AccountingStart {
  readonly user: string;
  readonly framedAddress: string;
  readonly callingStation: string;
  readonly classes: readonly Buffer[];
  /** Seconds between Interim-Updates the server asked for (Acct-Interim-Interval). */
  readonly interimInterval: number | undefined;
  readonly totals: () => SessionTotals;
}

export interface Accounting {
  readonly sessionId: string;
  stop(reason: string): void;
}

export class Radius {
  private readonly counters = new Map<number, ServerCounters>();

  constructor(private readonly model: ConfigModel, private readonly log: Logger) {}

  private servers(): RadiusServer[] {
    return this.model.list(radius)
      .filter((r) => !r.disabled && r.service.includes('ppp'))
      .map((r) => ({
        id: r.id,
        address: r.address,
        secret: Buffer.from(r.secret, 'utf8'),
        authenticationPort: r['authentication-port'],
        accountingPort: r['accounting-port'],
        timeoutMs: r.timeout,
        srcAddress: r['src-address'] || undefined,
      }));
  }

  private countersOf = (id: number): ServerCounters => {
    let c = this.counters.get(id);
    if (!c) this.counters.set(id, (c = newCounters()));
    return c;
  };

  /** `/radius monitor` values. */
  monitor(id: number): Record<string, string> {
    const c = this.countersOf(id);
    return {
      pending: String(c.pending),
      requests: String(c.requests),
      accepts: String(c.accepts),
      rejects: String(c.rejects),
      resends: String(c.resends),
      timeouts: String(c.timeouts),
      'bad-replies': String(c.badReplies),
      'last-request-rtt': c.lastRttMs === undefined ? '0ms' : `${c.lastRttMs}ms`,
      'acct-requests': String(c.acctRequests),
      'acct-responses': String(c.acctResponses),
    };
  }

  /** The PPP engine's remote verifier; undefined when RADIUS is not to be asked. */
  verify(name: string, credential: Credential, callingStation: string, defaultProfile: string): Promise<RemoteVerdict> | undefined {
    if (!this.model.settings(pppAaa)['use-radius']) return undefined;
    const servers = this.servers();
    if (servers.length === 0) return undefined;
    const nas = { identifier: this.model.settings(systemIdentity).name, callingStation };
    const began = Date.now();
    return ask(servers, 'auth', accessRequest(name, credential, nas, (s) => s.srcAddress), this.countersOf, this.log).then((answer) => {
      if (typeof answer === 'string') return { ok: false, reason: answer };
      const v = verdictOf(name, credential, answer.reply, answer.server.secret, answer.authenticator, answer.server.address, defaultProfile);
      const c = this.countersOf(answer.server.id);
      if (v.ok) c.accepts++;
      else c.rejects++;
      this.log.info(`${name}: ${v.ok ? 'accepted' : 'rejected'} by RADIUS server ${answer.server.address} after ${Date.now() - began} ms`);
      return v;
    });
  }

  /** Sends Accounting Start now and Interim-Updates while it runs; undefined when not accounting. */
  account(start: AccountingStart): Accounting | undefined {
    const aaa = this.model.settings(pppAaa);
    if (!aaa.accounting || this.servers().length === 0) return undefined;
    const session: AccountedSession = {
      sessionId: newSessionId(),
      user: start.user,
      framedAddress: start.framedAddress,
      callingStation: start.callingStation,
      nasIdentifier: this.model.settings(systemIdentity).name,
      classes: start.classes,
      startedAt: Date.now(),
    };
    const send = (what: string, build: ReturnType<typeof accountingRequest>): void => {
      void ask(this.servers(), 'acct', build, this.countersOf, this.log).then((a) => {
        if (typeof a === 'string') this.log.warning(`RADIUS accounting ${what} for ${start.user} lost: ${a}`);
      });
    };
    send('start', accountingRequest(session, ACCT_STATUS.START, Date.now()));
    const interval = start.interimInterval || aaa['interim-update'];
    const interim = interval > 0
      ? setInterval(() => send('interim-update', accountingRequest(session, ACCT_STATUS.INTERIM_UPDATE, Date.now(), start.totals())), interval * 1000)
      : undefined;
    interim?.unref();
    let stopped = false;
    return {
      sessionId: session.sessionId,
      stop: (reason) => {
        if (stopped) return;
        stopped = true;
        clearInterval(interim);
        send('stop', accountingRequest(session, ACCT_STATUS.STOP, Date.now(), start.totals(), terminateCause(reason)));
      },
    };
  }
}
