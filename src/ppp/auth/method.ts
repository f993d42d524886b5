// Authentication methods as LCP names them in Auth-Protocol (RFC 1334 PAP c023; RFC 1994 CHAP
// c223 with algorithm 5 MD5, RFC 2433 0x80 MS-CHAPv1, RFC 2759 0x81 MS-CHAPv2), and the order
// the router prefers them in (SPEC.md "Authentication order": strongest first).

import { PPP_PROTOCOL } from '../../wire/ppp-frame.js';

export type AuthMethod = 'mschap2' | 'mschap1' | 'chap' | 'pap';

export const AUTH_STRENGTH_ORDER: readonly AuthMethod[] = ['mschap2', 'mschap1', 'chap', 'pap'];

export const CHAP_ALGORITHM = { MD5: 5, MSCHAP1: 0x80, MSCHAP2: 0x81 } as const;

export function strongestFirst(set: Iterable<AuthMethod>): AuthMethod[] {
  const s = new Set(set);
  return AUTH_STRENGTH_ORDER.filter((m) => s.has(m));
}

export function authOptionFor(method: AuthMethod): { protocol: number; data: Buffer } {
  switch (method) {
    case 'pap': return { protocol: PPP_PROTOCOL.PAP, data: Buffer.alloc(0) };
    case 'chap': return { protocol: PPP_PROTOCOL.CHAP, data: Buffer.from([CHAP_ALGORITHM.MD5]) };
    case 'mschap1': return { protocol: PPP_PROTOCOL.CHAP, data: Buffer.from([CHAP_ALGORITHM.MSCHAP1]) };
    case 'mschap2': return { protocol: PPP_PROTOCOL.CHAP, data: Buffer.from([CHAP_ALGORITHM.MSCHAP2]) };
  }
}

export function methodFromOption(protocol: number, data: Buffer): AuthMethod | undefined {
  if (protocol === PPP_PROTOCOL.PAP && data.length === 0) return 'pap';
  if (protocol !== PPP_PROTOCOL.CHAP || data.length !== 1) return undefined;
  switch (data[0]) {
    case CHAP_ALGORITHM.MD5: return 'chap';
    case CHAP_ALGORITHM.MSCHAP1: return 'mschap1';
    case CHAP_ALGORITHM.MSCHAP2: return 'mschap2';
    default: return undefined;
  }
}
