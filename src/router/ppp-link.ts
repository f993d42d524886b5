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
import { openTap, type NativeTunDevice } from '../dataplane/native-io.js';
import { WireError } from '../wire/error.js';
import { emitBridgedFrame, MAC_TYPE, parseBridgedFrame } from '../wire/bcp.js';
import { PPP_PROTOCOL } from '../wire/ppp-frame.js';

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
export type LinkCall = Pick<CallInfo, 'callId' | 'peer' | 'local'> & { readonly peerCallId?: number };

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
  /** Puts a BCP link's TAP device into the bridge (MTU, enslaved, up); false when it cannot. */
  readonly joinBridge?: (tap: string, bridge: string) => Promise<boolean>;
  /** The TAP device is going. */
  readonly leaveBridge?: (tap: string) => void;
}

/** A BCP link's side of the bridge: the TAP device, a port of the profile's bridge while up. */
interface BridgePort {
  readonly tap: NativeTunDevice;
  /** Enslaved and up: frames pass both ways. */
  joined: boolean;
  /** Bridged frames from the peer that were not Ethernet or not well formed. */
  dropped: number;
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
  /** BCP is Opened for this bridge (the engine said so); undefined: not bridging. */
  private bcpBridge: string | undefined;
  private port: BridgePort | undefined;
  /** The data plane has what the network phase settled (MPPE keys): data may pass. */
  private dataPasses = false;

  constructor(private readonly options: PppLinkOptions) {
    const { call, log } = options;
    let ppp: PppSession | undefined;
    this.session = options.dataplane.openSession({
      localCallId: call.callId,
      peerCallId: call.peerCallId,
      peerAddress: call.peer.address,
      localAddress: call.local.address,
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
          this.dataPasses = false;
          this.session.setIpEnabled(false);
          this.session.setMppe(null);
        },
        resumed: (link) => this.linkResumed(link),
        multilink: (mp, mtu) => this.setMultilink(mp, mtu),
        bridging: (bridge) => this.setBridging(bridge),
        bridged: (information) => this.fromPeer(information),
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

  /** The bridge this link is a port of (BCP opened and its TAP device joined), if any. */
  get bridgedTo(): string | undefined {
    return this.port?.joined ? this.bcpBridge : undefined;
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

  /** Closes the data-plane session; settles when its TUN device is gone. */
  destroy(): Promise<void> {
    this.leaveBridge();
    return this.session.close();
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
    this.dataPasses = true;
    this.joinBridge();
  }

  private setBridging(bridge: string | undefined): void {
    this.bcpBridge = bridge;
    if (bridge === undefined) this.leaveBridge();
    else this.joinBridge();
  }

  // Frames pass only once the link is up: by then the data plane has the MPPE keys, so no bridged
  // frame goes out in clear on an encrypted link (BCP may open before CCP settles).
  private joinBridge(): void {
    const bridge = this.bcpBridge;
    const join = this.options.joinBridge;
    if (this.port || bridge === undefined || this.upAt === undefined || this.down || !join) return;
    const { log, call } = this.options;
    let tap: NativeTunDevice;
    try {
      tap = openTap(`bcp${call.callId}`, (frames) => this.fromBridge(frames));
    } catch (e) {
      log.error(`BCP: no TAP device for bridge ${bridge}: ${(e as Error).message}`);
      return;
    }
    const port: BridgePort = { tap, joined: false, dropped: 0 };
    this.port = port;
    void join(tap.name, bridge).then((ok) => {
      if (this.port !== port) return;
      if (!ok) {
        log.warning(`BCP: ${tap.name} could not join bridge ${bridge}: not bridged`);
        this.leaveBridge();
        return;
      }
      port.joined = true;
      log.info(`BCP: ${tap.name} is a port of bridge ${bridge}`);
    });
  }

  private leaveBridge(): void {
    const port = this.port;
    if (!port) return;
    this.port = undefined;
    port.joined = false;
    this.options.leaveBridge?.(port.tap.name);
    port.tap.close();
  }

  /**
   * Ethernet frames the bridge sends out of the TAP port: to the peer (RFC 3518 section 5.1).
   * Not while an NCP renegotiates: MPPE is torn down then, and a frame would go out in clear.
   * Called from the addon's poll callback, where a throw would end the daemon: contained here.
   */
  private fromBridge(frames: Buffer[]): void {
    if (!this.port?.joined || !this.dataPasses) return;
    try {
      for (const frame of frames) this.session.sendDataFrame(PPP_PROTOCOL.BRIDGED, emitBridgedFrame(frame));
    } catch (e) {
      if (this.port.dropped++ === 0) this.options.log.error(`BCP: sending a bridged frame failed: ${(e as Error).message}`);
    }
  }

  private fromPeer(information: Buffer): void {
    const port = this.port;
    if (!port?.joined || !this.dataPasses) return;
    const f = parseBridgedFrame(information);
    if (f instanceof WireError || f.macType !== MAC_TYPE.IEEE_802_3) {
      if (port.dropped++ === 0) this.options.log.debug(`BCP: bridged frame dropped: ${f instanceof WireError ? f.toString() : `MAC type ${f.macType}`}`);
      return;
    }
    port.tap.write(f.frame);
  }

  /** An NCP renegotiated on the same addresses: framing and MPPE (from its start keys) again. */
  private linkResumed(link: PppLinkUp): void {
    if (this.down) return;
    this.session.setFraming(link.framing);
    if (link.mppe.send && link.mppe.receive) {
      this.session.setMppe({ implementation: this.options.mppe, send: link.mppe.send, receive: link.mppe.receive });
    }
    this.session.setIpEnabled(true);
    this.dataPasses = true;
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
    this.dataPasses = false;
    this.session.setIpEnabled(false);
    this.session.setMppe(null);
    this.session.setMultilink?.(null);
    this.leaveBridge();
    for (const w of this.downWaiters.splice(0)) w();
    this.options.onDown(reason);
  }
}
