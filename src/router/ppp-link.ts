// One tunnel's PPP link: the data-plane session (GRE <-> TUN) of a PPTP call joined to the PPP
// engine. Control frames go from the data plane to the PppSession and back; when the network
// phase opens, the negotiated framing and MPPE keys go to the data plane, the owner configures
// the host (addresses, routes), and only then may IPv4 pass. Activity and the GRE watch
// (SPEC.md example 4) are checked by tick(), once a second.
import type { MppeImplementation } from '../crypto/mppe.js';
import type { DataPlane, DataPlaneSession } from '../dataplane/dataplane.js';
import type { Logger } from '../log.js';
import { systemClock } from '../ppp/clock.js';
import {
  PppSession, type PppClientOptions, type MultilinkParams, type PppLinkUp, type PppServerOptions, type PppStatus,
} from '../ppp/session.js';
import type { CallInfo } from '../pptp/control-types.js';
import { monotonicNow } from '../monotonic.js';

/** SPEC.md example 4: a call whose peer sends no GRE for this long is reported. */
export const GRE_WATCH_MS = 10_000;
/** How long a polite close waits for the peer's LCP Terminate-Ack. */
const TERMINATE_WAIT_MS = 3000;

export type PppRoleOptions =
  | Omit<PppServerOptions, 'events' | 'clock' | 'log'>
  | Omit<PppClientOptions, 'events' | 'clock' | 'log'>;

/**
 * The PPTP call a link runs on. A client creates its link when it places the call, before the
 * Outgoing-Call-Reply names the peer's call ID (undefined until then; PppLink.answered).
 */
export type LinkCall = Pick<CallInfo, 'callId' | 'peer'> & { readonly peerCallId?: number };

/** Frames a link keeps from before it starts: the server's first LCP packets, a few at most. */
const EARLY_FRAMES = 8;

export interface PppLinkOptions {
  readonly dataplane: DataPlane;
  readonly mppe: MppeImplementation;
  readonly call: LinkCall;
  readonly tunName: string;
  readonly log: Logger;
  readonly ppp: PppRoleOptions;
  readonly onStatus?: (status: PppStatus) => void;
  /** Configures the host for the link (rename, addresses, routes); IPv4 passes once it resolves. */
  readonly onUp: (link: PppLinkUp) => Promise<void>;
  /** Called once when the link is over, for whatever reason. */
  readonly onDown: (reason: string) => void;
}

export class PppLink {
  readonly session: DataPlaneSession;
  readonly ppp: PppSession;
  readonly startedAt = monotonicNow();
  upAt: number | undefined;
  lastActivity = monotonicNow();
  private lastPackets = 0;
  private lastFromPeer = 0;
  private greWarned = false;
  private downReason: string | undefined;
  private readonly downWaiters: (() => void)[] = [];
  /** Control frames received before start(), replayed then; null once started. */
  private early: [number, Buffer][] | null = [];

  constructor(private readonly options: PppLinkOptions) {
    const { call, log } = options;
    let ppp: PppSession | undefined;
    this.session = options.dataplane.openSession({
      localCallId: call.callId,
      peerCallId: call.peerCallId,
      peerAddress: call.peer.address,
      tunName: options.tunName,
      onControlFrame: (protocol, information) => {
        if (this.early === null) ppp?.receive(protocol, information);
        else if (this.early.length < EARLY_FRAMES) this.early.push([protocol, Buffer.from(information)]);
      },
      onMppeResetNeeded: () => ppp?.requestCcpReset(),
      multilink: (options.ppp.mrru ?? 0) > 0,
      log: log.child('dataplane'),
    });
    ppp = new PppSession({
      ...options.ppp,
      // A bug in the engine ends this link, not the daemon (issue 19 finding 8).
      clock: systemClock((e) => {
        log.error(`PPP timer failed: ${(e as Error).message}`);
        ppp?.lowerDown('internal error');
      }),
      log: log.child('ppp'),
      events: {
        send: (protocol, information) => this.session.sendControlFrame(protocol, information),
        status: (s) => options.onStatus?.(s),
        up: (link) => void this.linkUp(link),
        down: (reason) => this.linkDown(reason),
        resetEncrypter: () => this.session.resetMppeSend(),
        renegotiating: () => {
          this.session.setIpEnabled(false);
          this.session.setMppe(null);
        },
        resumed: (link) => this.linkResumed(link),
        multilink: (mp, mtu) => this.setMultilink(mp, mtu),
      },
    } as ConstructorParameters<typeof PppSession>[0]);
    this.ppp = ppp;
  }

  get down(): boolean {
    return this.downReason !== undefined;
  }

  /** When the link came up, while it runs (host configured, not yet down); otherwise undefined. */
  get runningSince(): number | undefined {
    return this.down ? undefined : this.upAt;
  }

  /** The Outgoing-Call-Reply named the peer's call ID (a link created when the call was placed). */
  answered(peerCallId: number): void {
    this.session.setPeerCallId(peerCallId);
  }

  start(): void {
    const early = this.early ?? [];
    this.early = null;
    this.ppp.start();
    for (const [protocol, information] of early) this.ppp.receive(protocol, information);
  }

  /** LCP Terminate (RFC 1661 section 3.7), waiting a little for the peer's Ack. */
  async close(reason: string): Promise<void> {
    if (this.down) return;
    const done = new Promise<void>((resolve) => this.downWaiters.push(resolve));
    this.ppp.close(reason);
    const timer = setTimeout(() => this.ppp.lowerDown(reason), TERMINATE_WAIT_MS);
    await done;
    clearTimeout(timer);
  }

  /** The PPTP call under the link is gone. */
  lowerDown(reason: string): void {
    this.ppp.lowerDown(reason);
  }

  /** Closes the data-plane session (the TUN device goes with it). */
  destroy(): void {
    this.session.close();
  }

  /** Once a second: idle time, keepalive bookkeeping, the GRE watch. */
  tick(now: number): void {
    if (this.down) return;
    const c = this.session.counters();
    const packets = c.rxPackets + c.txPackets;
    if (packets !== this.lastPackets) {
      this.lastPackets = packets;
      this.lastActivity = now;
    }
    // Data from the peer counts as a sign of life for the keepalive, not only LCP echoes.
    const fromPeer = c.rxPackets + c.ackOnlyRx;
    if (fromPeer !== this.lastFromPeer) {
      this.lastFromPeer = fromPeer;
      this.ppp.noteActivity();
    }
    if (!this.greWarned && now - this.startedAt >= GRE_WATCH_MS && c.greRxPackets + c.ackOnlyRx === 0) {
      this.greWarned = true;
      const peer = this.options.call.peer.address;
      this.options.log.warning(
        `no GRE packets from ${peer} within ${GRE_WATCH_MS / 1000} s although the control connection (TCP 1723) is up: ` +
          'a firewall on the way probably blocks IP protocol 47 (GRE)',
      );
    }
  }

  private async linkUp(link: PppLinkUp): Promise<void> {
    this.session.setFraming(link.framing);
    if (link.mppe.send && link.mppe.receive) {
      this.session.setMppe({ implementation: this.options.mppe, send: link.mppe.send, receive: link.mppe.receive });
    }
    try {
      await this.options.onUp(link);
    } catch (e) {
      this.options.log.error(`cannot configure the tunnel interface: ${(e as Error).message}`);
      void this.close(`interface setup failed: ${(e as Error).message}`);
      return;
    }
    if (this.down) return;
    this.upAt = monotonicNow();
    this.lastActivity = this.upAt;
    this.session.setIpEnabled(true);
  }

  /** An NCP renegotiated on the same addresses: framing and MPPE (from its start keys) again. */
  private linkResumed(link: PppLinkUp): void {
    if (this.down) return;
    this.session.setFraming(link.framing);
    if (link.mppe.send && link.mppe.receive) {
      this.session.setMppe({ implementation: this.options.mppe, send: link.mppe.send, receive: link.mppe.receive });
    }
    this.session.setIpEnabled(true);
  }

  /** From LCP's opening: a peer on an MP bundle sends its NCPs as MP frames already. */
  private setMultilink(mp: MultilinkParams | undefined, mtu: number): void {
    if (this.down) return;
    this.session.setMultilink?.(mp === undefined ? null : {
      mtu, sendShortSequence: mp.sendShortSequence, receiveShortSequence: false, receiveMrru: mp.receiveMrru,
    });
  }

  private linkDown(reason: string): void {
    if (this.downReason !== undefined) return;
    this.downReason = reason;
    this.session.setIpEnabled(false);
    this.session.setMppe(null);
    this.session.setMultilink?.(null);
    for (const w of this.downWaiters.splice(0)) w();
    this.options.onDown(reason);
  }
}
