// src/dataplane: the packet plane (ARCHITECTURE.md). One interface, two implementations: the
// TypeScript reference (every packet through JS; the oracle tests compare against) and, later,
// the native one (packets never enter JS once a session is open). The control plane (PPTP, PPP
// engine) opens a session per call, feeds it what negotiation decided (framing, MPPE keys,
// whether IPv4 may pass) and gets back control frames, counters and MPPE resync requests.
//
// Per daemon: one GRE endpoint (a raw socket for IP protocol 47), demultiplexing by our call ID
// and the peer's address. Per session: enhanced GRE sequence/acknowledgement numbers (RFC 2637
// section 4.2), a small reorder window, PPP framing, MPPE, and one TUN device.
import type { Logger } from '../log.js';
import type { MppeImplementation, MppeParams } from '../crypto/mppe.js';
import type { PppFraming } from '../wire/ppp-frame.js';
import type { EndpointCounters, SessionCounters } from './counters.js';

export type { EndpointCounters, SessionCounters, SessionDropReason, EndpointDropReason } from './counters.js';

export interface SessionParams {
  /** Our call ID: the peer puts it in every GRE packet it sends us (16 bits). */
  readonly localCallId: number;
  /**
   * The peer's call ID: we put it in every GRE packet we send (16 bits). Undefined while a client
   * waits for the Outgoing-Call-Reply that names it (setPeerCallId): the session is opened when
   * the call is placed, so the server's first PPP frames, sent right after its reply, are not
   * lost to a session that does not exist yet. Nothing is sent until it is known.
   */
  readonly peerCallId?: number;
  /** The peer's IPv4 address (dotted quad): GRE goes there, and only GRE from there is accepted. */
  readonly peerAddress: string;
  /**
   * Our IPv4 address for this call (dotted quad): the one the control connection runs between.
   * GRE leaves from it, whatever address the kernel would pick: on a port with two addresses
   * (a DHCP lease and a static one) a peer drops GRE from the other as another peer's.
   * Unset or empty: the kernel picks.
   */
  readonly localAddress?: string;
  /** Name of the TUN device to create (at most 15 characters). */
  readonly tunName: string;
  /**
   * Every PPP frame that is not IPv4 or MPPE data (LCP, PAP, CHAP, IPCP, CCP, IPv6CP, ...): the
   * PPP engine's input. Information is the frame after the protocol field.
   */
  readonly onControlFrame: (protocol: number, information: Buffer) => void;
  /**
   * The MPPE decrypter lost sync (stateful mode, RFC 3078 section 8): the control side sends a CCP
   * Reset-Request. Called once per loss; again only after a packet decrypted since.
   */
  readonly onMppeResetNeeded?: (coherencyCount: number) => void;
  /** LCP may settle Multilink on this call (mrru is set): the session must be able to carry it. */
  readonly multilink?: boolean;
  readonly log?: Logger;
}

/** What LCP settled for Multilink over this one link (RFC 1990). */
export interface MultilinkSetup {
  /** The peer's MRU: frames we send, MP header included, fit in it. */
  readonly mtu: number;
  /** 12-bit sequence numbers in what we send (else 24-bit). */
  readonly sendShortSequence: boolean;
  /** 12-bit sequence numbers in what we receive. */
  readonly receiveShortSequence: boolean;
  /** Our MRRU: the largest packet we reassemble (Information octets). */
  readonly receiveMrru: number;
}

/** What CCP settled for MPPE: one key per direction (RFC 3079 section 3.4 chooses them by role). */
export interface MppeSetup {
  readonly implementation: MppeImplementation;
  readonly send: MppeParams;
  readonly receive: MppeParams;
}

export interface DataPlaneSession {
  readonly localCallId: number;
  /** Undefined until known (SessionParams.peerCallId). */
  readonly peerCallId: number | undefined;
  readonly peerAddress: string;
  /** The TUN device's name as the kernel created it. */
  readonly tunName: string;
  /** The Outgoing-Call-Reply named the peer's call ID (set once, on a session opened without it). */
  setPeerCallId(peerCallId: number): void;
  /** Sends a control frame (LCP, auth, NCPs), never encrypted (RFC 3078 section 1). */
  sendControlFrame(protocol: number, information: Buffer): void;
  /**
   * Sends a data frame of a protocol the plane does not carry from a device of its own (bridged
   * Ethernet, RFC 3518): framed as negotiated, encrypted while MPPE is on, MP-fragmented where the
   * plane has Multilink. Received ones reach onControlFrame (after decryption and reassembly).
   */
  sendDataFrame(protocol: number, information: Buffer): void;
  /**
   * Framing for frames we send, as the peer accepted it in LCP (RFC 1661 6.5/6.6). LCP frames are
   * always sent in full. Receive accepts both forms regardless.
   */
  setFraming(framing: PppFraming): void;
  /** CCP opened with MPPE (setup) or closed (null). While set, IPv4 is sent and accepted only encrypted. */
  setMppe(setup: MppeSetup | null): void;
  /** The peer sent a CCP Reset-Request: our next packet is flushed with a fresh key. */
  resetMppeSend(): void;
  /** IPCP opened (true) or closed: IPv4 passes between GRE and the TUN device only while open. */
  setIpEnabled(enabled: boolean): void;
  /** change-tcp-mss: TCP SYNs either way get their MSS option lowered to this (undefined: off). */
  setMssClamp(maxMss: number | undefined): void;
  /**
   * Multilink negotiated (setup) or not (null): packets larger than the link MTU go out as MP
   * fragments, after MPPE; MP frames received are reassembled, then decrypted. Absent where the
   * implementation has no Multilink (DataPlane.multilink false).
   */
  setMultilink?(setup: MultilinkSetup | null): void;
  counters(): SessionCounters;
  /**
   * Removes the session from the endpoint and closes its TUN device; settles once the kernel has
   * deleted the device, so its name may be used again (deleting one can take tens of ms).
   */
  close(): Promise<void>;
}

export interface DataPlane {
  /** "reference" or "native". */
  readonly name: string;
  /** Its sessions implement setMultilink. */
  readonly multilink?: boolean;
  /** Opens a session; throws when the call ID is already in use with that peer or the TUN cannot be created. */
  openSession(params: SessionParams): DataPlaneSession;
  /** Drops at the endpoint that belong to no session (unknown call ID, wrong peer, malformed GRE). */
  counters(): EndpointCounters;
  /** Closes every session and the GRE socket. */
  close(): void;
}

export interface DataPlaneOptions {
  /** Bind the GRE socket to this local IPv4 address (default: any). */
  readonly bindAddress?: string;
  /** Packets the reorder window holds while waiting for a gap to fill (default 16). */
  readonly reorderWindow?: number;
  /** How long a gap may stay open before the window gives up on it, ms (default 30). */
  readonly reorderTimeoutMs?: number;
  /** How long we may owe an acknowledgement before sending an ack-only packet, ms (default 10). */
  readonly ackDelayMs?: number;
  /** Native only: packet threads, tunnels sharded across them by call ID (default: one per CPU). */
  readonly workers?: number;
  /**
   * Native only: TUN devices with IFF_VNET_HDR and TSO/checksum offload, so large TCP segments
   * cross the TUN device in one system call (default true; plain TUN where the kernel refuses).
   */
  readonly tunOffload?: boolean;
  readonly log?: Logger;
}
