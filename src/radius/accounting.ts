// RADIUS accounting of one PPP session (RFC 2866): Start when the network phase opens,
// Interim-Update every interval, Stop with the totals and why it ended. Octet counts past 2^32
// carry over into the Gigawords attributes (RFC 2869 5.1, 5.2). "Input" is what the user sent
// us, "output" what we sent the user (RFC 2866 5.3, 5.4: from the NAS port's point of view).
import { randomBytes } from 'node:crypto';
import {
  ACCT_STATUS, ATTR, TERMINATE_CAUSE, attrAddress, attrInt, attrString, emitAccountingRequest,
  type RadiusAttribute,
} from '../wire/radius.js';
import type { Built } from './client.js';

export interface SessionTotals {
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly rxPackets: number;
  readonly txPackets: number;
}

export interface AccountedSession {
  readonly sessionId: string;
  readonly user: string;
  readonly framedAddress: string;
  readonly callingStation: string;
  readonly nasIdentifier: string;
  readonly classes: readonly Buffer[];
  readonly startedAt: number;
}

export function newSessionId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** The Acct-Terminate-Cause for the reason the PPP link gave. */
export function terminateCause(reason: string): number {
  if (/session timeout/i.test(reason)) return TERMINATE_CAUSE.SESSION_TIMEOUT;
  if (/idle timeout/i.test(reason)) return TERMINATE_CAUSE.IDLE_TIMEOUT;
  if (/administrator/i.test(reason)) return TERMINATE_CAUSE.ADMIN_RESET;
  if (/router stopping|server disabled/i.test(reason)) return TERMINATE_CAUSE.NAS_REBOOT;
  if (/peer|terminate-request|user request/i.test(reason)) return TERMINATE_CAUSE.USER_REQUEST;
  if (/keepalive|PPTP call ended|control connection|lower/i.test(reason)) return TERMINATE_CAUSE.LOST_CARRIER;
  return TERMINATE_CAUSE.NAS_REQUEST;
}

function octets(type: number, gigaType: number, n: number): RadiusAttribute[] {
  return [attrInt(type, n % 2 ** 32), attrInt(gigaType, Math.floor(n / 2 ** 32))];
}

export function accountingRequest(
  s: AccountedSession,
  status: (typeof ACCT_STATUS)[keyof typeof ACCT_STATUS],
  now: number,
  totals?: SessionTotals,
  cause?: number,
) {
  return (server: { secret: Buffer; srcAddress?: string | undefined }, identifier: number): Built => {
    const attributes: RadiusAttribute[] = [
      attrInt(ATTR.ACCT_STATUS_TYPE, status),
      attrString(ATTR.ACCT_SESSION_ID, s.sessionId),
      attrString(ATTR.USER_NAME, s.user),
      attrString(ATTR.NAS_IDENTIFIER, s.nasIdentifier),
      attrString(ATTR.CALLING_STATION_ID, s.callingStation),
      attrAddress(ATTR.FRAMED_IP_ADDRESS, s.framedAddress),
      attrInt(ATTR.SERVICE_TYPE, 2),
      attrInt(ATTR.FRAMED_PROTOCOL, 1),
      attrInt(ATTR.NAS_PORT_TYPE, 5),
      attrInt(ATTR.ACCT_AUTHENTIC, 1),
      ...s.classes.map((c) => ({ type: ATTR.CLASS, value: c })),
      // As in the Access-Request: the address the request comes from, when src-address fixes it.
      ...(server.srcAddress ? [attrAddress(ATTR.NAS_IP_ADDRESS, server.srcAddress)] : []),
    ];
    if (status !== ACCT_STATUS.START && totals) {
      attributes.push(
        attrInt(ATTR.ACCT_SESSION_TIME, Math.floor((now - s.startedAt) / 1000)),
        ...octets(ATTR.ACCT_INPUT_OCTETS, ATTR.ACCT_INPUT_GIGAWORDS, totals.rxBytes),
        ...octets(ATTR.ACCT_OUTPUT_OCTETS, ATTR.ACCT_OUTPUT_GIGAWORDS, totals.txBytes),
        attrInt(ATTR.ACCT_INPUT_PACKETS, totals.rxPackets % 2 ** 32),
        attrInt(ATTR.ACCT_OUTPUT_PACKETS, totals.txPackets % 2 ** 32),
      );
    }
    if (status === ACCT_STATUS.STOP && cause !== undefined) attributes.push(attrInt(ATTR.ACCT_TERMINATE_CAUSE, cause));
    const packet = emitAccountingRequest(identifier, attributes, server.secret);
    return { packet, authenticator: Buffer.from(packet.subarray(4, 20)) };
  };
}

