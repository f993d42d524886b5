// The NTP client's polling as a pure state machine: events (configuration, a poll falling due, a
// server's reply or its failure) in, the new state and actions (send a query, arm the timer,
// step the clock, log) out. Sockets and timers are src/router/ntp-client.ts's.
//
// The schedule follows NTPv4's iburst (RFC 5905 section 13): while not synchronized, a query
// every 2 s for a burst of 3; after that never more often than RFC 4330 section 10 allows (once
// every 16 s here), doubling to 1024 s while the server keeps answering. An offset above 128 ms
// (ntpd's step threshold) steps the clock and is checked again by a query 2 s later.
import {
  isZero, kissCode, NTP_LEAP_UNSYNCHRONIZED, NTP_MODE_SERVER, sameTimestamp, timestampToMs, type NtpPacket, type NtpTimestamp,
} from '../wire/ntp.js';

export const BURST_MS = 2_000;
export const MIN_POLL_MS = 16_000;
export const MAX_POLL_MS = 1_024_000;
export const STEP_THRESHOLD_MS = 128;
/** Failed queries in a row after which the status is error. */
export const FAILURES_FOR_ERROR = 3;

export type NtpStatusWord = 'stopped' | 'waiting' | 'synchronized' | 'error';

export interface NtpState {
  readonly enabled: boolean;
  readonly servers: readonly string[];
  readonly status: NtpStatusWord;
  /** Index into servers of the one asked next. */
  readonly next: number;
  readonly failures: number;
  readonly pollMs: number;
  readonly syncedServer?: string;
  readonly syncedStratum?: number;
  /** The last accepted sample's offset of the server's clock from ours (ms). */
  readonly offsetMs?: number;
  readonly lastError?: string;
}

export const initialNtpState: NtpState = { enabled: false, servers: [], status: 'stopped', next: 0, failures: 0, pollMs: MIN_POLL_MS };

/** An accepted reply's measurement (RFC 5905 section 8): the clock offset and round-trip delay. */
export interface NtpSample {
  readonly offsetMs: number;
  readonly delayMs: number;
  readonly stratum: number;
}

export type NtpEvent =
  | { readonly kind: 'configure'; readonly enabled: boolean; readonly servers: readonly string[] }
  | { readonly kind: 'due' }
  | { readonly kind: 'sample'; readonly server: string; readonly sample: NtpSample }
  | { readonly kind: 'failure'; readonly server: string; readonly reason: string };

export type NtpAction =
  | { readonly kind: 'query'; readonly server: string }
  | { readonly kind: 'schedule'; readonly inMs: number }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'step'; readonly offsetMs: number }
  | { readonly kind: 'log'; readonly level: 'info' | 'warning'; readonly message: string };

export interface NtpStep {
  readonly state: NtpState;
  readonly actions: readonly NtpAction[];
}

const ms = (v: number): string => `${v.toFixed(3)} ms`;

export function ntpStep(state: NtpState, event: NtpEvent): NtpStep {
  switch (event.kind) {
    case 'configure': {
      const same = event.enabled === state.enabled && event.servers.join(',') === state.servers.join(',');
      if (same) return { state, actions: [] };
      if (!event.enabled) return { state: { ...initialNtpState }, actions: [{ kind: 'cancel' }] };
      const fresh: NtpState = { ...initialNtpState, enabled: true, servers: [...event.servers], status: 'waiting' };
      if (event.servers.length === 0) return { state: fresh, actions: [{ kind: 'cancel' }] };
      return { state: fresh, actions: [{ kind: 'cancel' }, { kind: 'query', server: event.servers[0]! }] };
    }
    case 'due': {
      const server = state.servers[state.next % Math.max(1, state.servers.length)];
      if (!state.enabled || server === undefined) return { state, actions: [] };
      return { state, actions: [{ kind: 'query', server }] };
    }
    case 'sample': {
      if (!state.enabled) return { state, actions: [] };
      const { offsetMs, stratum } = event.sample;
      if (Math.abs(offsetMs) > STEP_THRESHOLD_MS) {
        return {
          state: { ...state, status: state.status === 'synchronized' ? 'synchronized' : 'waiting', failures: 0, offsetMs, lastError: undefined },
          actions: [
            { kind: 'step', offsetMs },
            { kind: 'log', level: 'info', message: `clock stepped by ${(offsetMs / 1000).toFixed(3)} s to ${event.server}'s time` },
            { kind: 'schedule', inMs: BURST_MS },
          ],
        };
      }
      const wasSynced = state.status === 'synchronized' && state.syncedServer === event.server;
      const pollMs = wasSynced ? Math.min(MAX_POLL_MS, state.pollMs * 2) : MIN_POLL_MS;
      const actions: NtpAction[] = [{ kind: 'schedule', inMs: pollMs }];
      if (!wasSynced) actions.unshift({ kind: 'log', level: 'info', message: `synchronized with ${event.server} (stratum ${stratum}, offset ${ms(offsetMs)})` });
      return {
        state: { ...state, status: 'synchronized', failures: 0, pollMs, syncedServer: event.server, syncedStratum: stratum, offsetMs, lastError: undefined },
        actions,
      };
    }
    case 'failure': {
      if (!state.enabled) return { state, actions: [] };
      const failures = state.failures + 1;
      const next = (state.next + 1) % Math.max(1, state.servers.length);
      const error = failures >= FAILURES_FOR_ERROR;
      const inMs = failures < FAILURES_FOR_ERROR ? BURST_MS : Math.min(MAX_POLL_MS, MIN_POLL_MS * 2 ** (failures - FAILURES_FOR_ERROR));
      const reason = `${event.server}: ${event.reason}`;
      const actions: NtpAction[] = [{ kind: 'schedule', inMs }];
      if (reason !== state.lastError) actions.unshift({ kind: 'log', level: 'warning', message: `ntp ${reason}` });
      const status: NtpStatusWord = error ? 'error' : state.status;
      return {
        state: {
          ...state,
          failures,
          next,
          status,
          lastError: reason,
          ...(error ? { syncedServer: undefined, syncedStratum: undefined, offsetMs: undefined } : {}),
        },
        actions,
      };
    }
  }
}

/**
 * Judges a server's reply to the request whose transmit timestamp was `sent` (RFC 4330 section
 * 5 and RFC 5905 section 8): a reason to reject it, or the sample it gives. t1 and t4 are our
 * clock when the request left and the reply came (ms since the Unix epoch).
 */
export function judgeReply(reply: NtpPacket, sent: NtpTimestamp, t1: number, t4: number): NtpSample | string {
  if (reply.mode !== NTP_MODE_SERVER) return `reply has mode ${reply.mode}, not 4 (server)`;
  if (!sameTimestamp(reply.origin, sent)) return 'origin timestamp does not match the request (not an answer to our query)';
  const kiss = kissCode(reply);
  if (kiss !== undefined) return `kiss-o'-death ${kiss}`;
  if (reply.stratum === 0 || reply.stratum > 15) return `server stratum ${reply.stratum} (not synchronized)`;
  if (reply.leap === NTP_LEAP_UNSYNCHRONIZED) return 'server clock not synchronized (leap indicator 3)';
  if (isZero(reply.transmit) || isZero(reply.receive)) return 'zero receive or transmit timestamp';
  const t2 = timestampToMs(reply.receive);
  const t3 = timestampToMs(reply.transmit);
  const delayMs = (t4 - t1) - (t3 - t2);
  if (delayMs < 0 && -delayMs > 1) return `negative round-trip delay ${ms(delayMs)}`;
  return { offsetMs: ((t2 - t1) + (t3 - t4)) / 2, delayMs: Math.max(0, delayMs), stratum: reply.stratum };
}
