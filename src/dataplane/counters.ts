// Per-session and per-endpoint counters: the numbers behind `/interface print stats` and the
// drop reasons a test (or an operator chasing a problem) can look at.
import type { MpDropReason } from '../wire/multilink.js';

export type SessionDropReason =
  | 'duplicate' // a sequence number already received
  | 'late' // older than the window: given up on, or from long ago
  | 'malformed-ppp' // unparseable PPP frame
  | 'unencrypted' // IPv4 in clear while MPPE is on (RFC 3078 section 1: must be encrypted)
  | 'mppe-not-negotiated' // 0x00FD while CCP is not up
  | 'mppe-needs-reset' // stateful MPPE lost sync; dropped until a flushed packet
  | 'mppe-error' // too short, not encrypted, stale
  | 'ip-down' // IPv4 while IPCP is not open
  | 'not-ipv4' // a packet from the TUN device that is not IPv4
  | 'tun-write' // the TUN device refused the packet
  | 'gre-send' // the GRE socket refused the packet
  | 'internal-error' // handling the packet threw: a bug of ours, contained to that packet
  | 'control-rate'; // a control frame beyond the session's budget (control-budget.ts)

export type EndpointDropReason = 'unknown-call-id' | 'wrong-peer' | 'malformed-gre';

export interface SessionCounters {
  /** IP packets/bytes delivered to the TUN device (bytes of the IP packet). */
  rxPackets: number;
  rxBytes: number;
  /** IP packets/bytes taken from the TUN device and sent. */
  txPackets: number;
  txBytes: number;
  /** GRE-level: every data packet received for this session, and ack-only packets. */
  greRxPackets: number;
  greTxPackets: number;
  ackOnlyRx: number;
  ackOnlyTx: number;
  controlRx: number;
  controlTx: number;
  /** Packets the window held back and delivered later in order. */
  reordered: number;
  /** Sequence numbers skipped over when a gap did not fill in time. */
  lost: number;
  drops: Record<SessionDropReason, number>;
  /** Multilink (RFC 1990) on this link, when the implementation speaks it. */
  multilink?: MultilinkCounters;
}

export interface MultilinkCounters {
  fragmentsTx: number;
  fragmentsRx: number;
  /** Packets put back together from fragments. */
  reassembled: number;
  /** Packets given up (each counted once): a lost fragment, too long, timed out, malformed. */
  drops: Record<MpDropReason, number>;
}

export interface EndpointCounters {
  rxPackets: number;
  drops: Record<EndpointDropReason, number>;
}

export function newSessionCounters(): SessionCounters {
  return {
    rxPackets: 0,
    rxBytes: 0,
    txPackets: 0,
    txBytes: 0,
    greRxPackets: 0,
    greTxPackets: 0,
    ackOnlyRx: 0,
    ackOnlyTx: 0,
    controlRx: 0,
    controlTx: 0,
    reordered: 0,
    lost: 0,
    drops: {
      duplicate: 0,
      late: 0,
      'malformed-ppp': 0,
      unencrypted: 0,
      'mppe-not-negotiated': 0,
      'mppe-needs-reset': 0,
      'mppe-error': 0,
      'ip-down': 0,
      'not-ipv4': 0,
      'tun-write': 0,
      'gre-send': 0,
      'internal-error': 0,
      'control-rate': 0,
    },
  };
}

export function newEndpointCounters(): EndpointCounters {
  return { rxPackets: 0, drops: { 'unknown-call-id': 0, 'wrong-peer': 0, 'malformed-gre': 0 } };
}
