// One PPP session over an abstract frame transport (RFC 1661 section 3, phases): Establish (LCP)
// -> Authenticate (PAP/CHAP/MS-CHAP, either role) -> Network (IPCP, and CCP for MPPE) -> Open.
// It sees only control protocols: the data plane hands it (protocol, information) for every
// frame it does not carry itself and sends what the session emits. Frames are dispatched through
// one table of protocol entries (src/ppp/protocols, pppd's protocols[]); this file holds the
// phases and what joins the layers. When the network phase is open it reports the negotiated
// link (framing, MTU/MRU, Multilink, addresses, DNS, MPPE directions and start keys); when
// anything ends the link it reports why.

import { randomBytes } from 'node:crypto';
import type { MppeKeyBits, MppeParams } from '../crypto/mppe.js';
import type { MppeStartKeys } from '../crypto/mppe-keys.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { PPP_PROTOCOL } from '../wire/ppp-frame.js';
import { emitPppPacket } from '../wire/ppp-packet.js';
import { ChapAuthenticator, ChapPeer, chapMd5, type ChapAlgorithm } from './auth/chap.js';
import type { AuthMethod } from './auth/method.js';
import { strongestFirst } from './auth/method.js';
import { mschap1 } from './auth/mschap1.js';
import { mschap2 } from './auth/mschap2.js';
import type { Authenticator, AuthOutput, Credential, KeyMaterial, RemoteVerdict } from './auth/outcome.js';
import { startKeysFor } from './auth/keys.js';
import { PapAuthenticator, PapPeer } from './auth/pap.js';
import { CCP_CODE, CcpHandler, describeEncoding, type MppeDirection, type MppeMode } from './ccp.js';
import type { Clock, ClockTimer } from './clock.js';
import { DEFAULT_FSM_CONFIG, type FsmConfig, type FsmState } from './fsm.js';
import type { LocalNetwork } from './address-guard.js';
import { IpcpHandler, UNSPECIFIED } from './ipcp.js';
import { MAX_LOOPBACK_NAKS, type LcpResult } from './lcp.js';
import { BcpHandler } from './bcp.js';
import { AuthProtocol } from './protocols/auth.js';
import { BridgedProtocol } from './protocols/bridged.js';
import type { PppHost, ProtocolEntry } from './protocols/entry.js';
import { LcpProtocol } from './protocols/lcp.js';
import { MpProtocol } from './protocols/mp.js';
import { NcpProtocol } from './protocols/ncp.js';
import { withoutDomain, type PppSecret, type SecretLookup } from './secrets.js';

export type PppStatus = 'dialing' | 'verifying password...' | 'connected' | 'terminated';
export type UseEncryption = 'no' | 'yes' | 'required';

/** What the network phase needs; the router decides it (secret, then profile, then pools). */
export interface NetworkSettings {
  readonly localAddress?: string;
  readonly remoteAddress?: string;
  readonly dnsServers?: readonly string[];
  readonly useEncryption: UseEncryption;
  /**
   * Default [128], as RouterOS: offering 40 or 56 too would let a man in the middle settle a
   * weak key even with use-encryption=required. Tests and test peers may ask for them.
   */
  readonly mppeKeyLengths?: readonly MppeKeyBits[];
  /** Default 'stateless' (what RouterOS, Windows and pppd settle on). */
  readonly mppeMode?: MppeMode;
  /**
   * Our interface addresses: the other end may not make us use one of them, nor (server) an
   * address inside their subnets (address-guard.ts). Default none.
   */
  readonly localNetworks?: readonly LocalNetwork[];
  /** The bridge the profile names: negotiate BCP (RFC 3518) beside IPCP and carry bridged frames. */
  readonly bridge?: string;
}

export interface AuthenticatedUser {
  readonly user: string;
  readonly method: AuthMethod | undefined;
  readonly secret: PppSecret | undefined;
}

export interface PppLinkUp {
  readonly user: string;
  readonly method: AuthMethod | undefined;
  readonly secret: PppSecret | undefined;
  readonly mtu: number;
  readonly mru: number;
  /** How we may frame what we send (the peer asked for PFC/ACFC); we accept both forms always. */
  readonly framing: { readonly pfc: boolean; readonly acfc: boolean };
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly dnsServers: readonly string[];
  /** Per direction; undefined means that direction is not encrypted. */
  readonly mppe: { readonly send: MppeParams | undefined; readonly receive: MppeParams | undefined };
  readonly encoding: string;
  readonly peerMrru: number | undefined;
  readonly peerEndpointDiscriminator: { readonly class: number; readonly address: Buffer } | undefined;
  /** RFC 1990 over this one link: set when both ends acknowledged the other's MRRU. */
  readonly multilink: MultilinkParams | undefined;
}

export interface MultilinkParams {
  /** The peer's MRRU: the largest packet we may send it in fragments. */
  readonly sendMrru: number;
  /** Our MRRU: the largest packet we reassemble. */
  readonly receiveMrru: number;
  /** 12-bit sequence numbers in what we send (the peer asked, RFC 1990 5.1.2); else 24-bit. */
  readonly sendShortSequence: boolean;
}

export interface PppSessionEvents {
  /** A frame to send: the data plane adds framing (and never encrypts LCP/auth/CCP). */
  send(protocol: number, information: Buffer): void;
  status?(status: PppStatus): void;
  up?(link: PppLinkUp): void;
  down?(reason: string): void;
  /**
   * LCP opened: Multilink settled (params) or not (undefined). On an MP link the peer may send
   * its NCPs inside MP frames (pppd on a bundle does, RFC 1990 section 3), so the data plane
   * must reassemble from here on, not from `up`. `mtu` is the link's, what one MP frame fits in.
   */
  multilink?(params: MultilinkParams | undefined, mtu: number): void;
  /** The peer sent a CCP Reset-Request: the MPPE encrypter must reset (flushed bit next). */
  resetEncrypter?(): void;
  /**
   * IPCP or CCP left Opened on a connected link (the peer sent a new Configure-Request, RFC 1661
   * 4.1): no IPv4 may pass until `resumed` (or `down`).
   */
  renegotiating?(): void;
  /** The renegotiation settled on the same addresses: the link carries IPv4 again (MPPE restarts from its start keys). */
  resumed?(link: PppLinkUp): void;
  /** BCP opened (the bridge the link joins) or left Opened (undefined): bridged frames may pass or not. */
  bridging?(bridge: string | undefined): void;
  /** A bridged frame's information (RFC 3518 section 5.1) while BCP is Opened. */
  bridged?(information: Buffer): void;
}

interface CommonOptions {
  readonly clock: Clock;
  readonly events: PppSessionEvents;
  readonly log?: Logger;
  readonly maxMru?: number; // default 1460
  readonly maxMtu?: number; // default 1460
  /** MRRU to negotiate; undefined = disabled (then the peer's MRRU is Configure-Rejected). */
  readonly mrru?: number;
  /** Seconds without anything received before LCP echoes start; undefined disables keepalives. */
  readonly keepaliveTimeout?: number;
  /** Our name in CHAP Challenges (the router's identity). */
  readonly localName?: string;
  readonly random?: (n: number) => Buffer;
  readonly fsm?: Partial<FsmConfig>;
}

export interface PppServerOptions extends CommonOptions {
  readonly role: 'server';
  readonly authentication: readonly AuthMethod[];
  readonly lookupSecret: SecretLookup;
  readonly callerId: string;
  readonly service?: string; // default "pptp"
  /**
   * For a user `lookupSecret` does not know: checks the credential elsewhere (RADIUS). Returns
   * undefined when there is nowhere else to ask (the user is then unknown).
   */
  readonly verifyRemote?: (name: string, credential: Credential) => Promise<RemoteVerdict> | undefined;
  /** After authentication: the network settings for this user, or a refusal reason. */
  readonly authorize: (who: AuthenticatedUser) => NetworkSettings | string | Promise<NetworkSettings | string>;
}

export interface PppClientOptions extends CommonOptions {
  readonly role: 'client';
  readonly user: string;
  readonly password: string;
  readonly allow: readonly AuthMethod[];
  readonly network: NetworkSettings;
}

export type PppSessionOptions = PppServerOptions | PppClientOptions;

type Phase = 'dead' | 'establish' | 'authenticate' | 'network' | 'open' | 'terminate';

function chapAlgorithm(method: AuthMethod): ChapAlgorithm | undefined {
  return method === 'chap' ? chapMd5 : method === 'mschap1' ? mschap1 : method === 'mschap2' ? mschap2 : undefined;
}

export class PppSession {
  private phase: Phase = 'dead';
  private statusValue: PppStatus = 'dialing';
  private readonly log: Logger;
  private readonly random: (n: number) => Buffer;
  private readonly fsmConfig: FsmConfig;
  private readonly lcp: LcpProtocol;
  private readonly ipcp: NcpProtocol<IpcpHandler>;
  private readonly ccp: NcpProtocol<CcpHandler>;
  private readonly bcp: NcpProtocol<BcpHandler>;
  private bridgeOpen = false;
  /** pppd's protocols[]: every protocol the engine speaks, looked up by number. */
  private readonly table: ReadonlyMap<number, ProtocolEntry>;
  /** IPCP has been told Up and Open (it waits for CCP while MPPE is being negotiated). */
  private ipcpStarted = false;
  private ccpDone = false;
  private auth: Authenticator | undefined;
  private authProtocol = 0;
  private authTimer: ClockTimer | undefined;
  private authenticated: (AuthenticatedUser & { keys: KeyMaterial | undefined }) | undefined;
  private network: NetworkSettings | undefined;
  private readonly timers = new Set<ClockTimer>();
  private ccpResetId = 0;
  private link: PppLinkUp | undefined;
  private finished = false;
  private lcpWentDown = false;
  /** Bumped when negotiation starts over, so late asynchronous answers are ignored. */
  private generation = 0;

  constructor(private readonly options: PppSessionOptions) {
    this.log = options.log ?? silentLogger;
    // Shared, not made per session, unless the caller changes them (a thousand idle tunnels).
    this.random = options.random ?? randomBytes;
    this.fsmConfig = options.fsm ? { ...DEFAULT_FSM_CONFIG, ...options.fsm } : DEFAULT_FSM_CONFIG;
    const host = this.host();
    this.lcp = new LcpProtocol(host, {
      role: options.role === 'server' ? 'authenticator' : 'peer',
      methods: options.role === 'server' ? strongestFirst(options.authentication) : strongestFirst(options.allow),
      maxMru: options.maxMru ?? 1460,
      maxMtu: options.maxMtu ?? 1460,
      mrru: options.mrru,
      magic: () => this.random(4).readUInt32BE(0),
    }, {
      up: () => this.lcpUp(),
      // Checked once the automaton has settled: a renegotiation, not a Terminate.
      down: () => { this.lcpWentDown = true; },
      finished: (reason) => this.finish(reason),
      settled: () => this.lcpSettled(),
      protocolRejected: (protocol) => this.table.get(protocol)?.protocolReject(),
      dead: (reason) => this.abort(reason),
    });
    this.ipcp = new NcpProtocol<IpcpHandler>(PPP_PROTOCOL.IPCP, 'IPCP', host, {
      up: () => this.maybeOpen(),
      down: () => this.ncpDown('IPCP'),
      finished: (reason) => this.close(reason),
      settled: () => this.ipcpSettled(),
    }, undefined, () => {
      if (!this.ipcp.layer) return true; // not yet in the network phase: the peer retransmits
      // The peer is ready for IPCP even though CCP is still under way (Windows does this).
      this.startIpcp();
      return !this.ipcp.layer;
    });
    this.ccp = new NcpProtocol<CcpHandler>(PPP_PROTOCOL.CCP, 'CCP', host, {
      up: () => this.ccpUp(),
      down: () => this.ccpDown(),
      finished: () => this.ccpFinished(),
    }, (code, identifier) => this.ccpReset(code, identifier), (information) => {
      if (this.ccp.layer) return false;
      if (this.network) this.lcp.sendProtocolReject(PPP_PROTOCOL.CCP, information); // we run no CCP
      return true;
    });
    this.bcp = new NcpProtocol<BcpHandler>(PPP_PROTOCOL.BCP, 'BCP', host, {
      up: () => this.bridgeChanged(true),
      down: () => this.bridgeChanged(false),
      // The peer rejected BCP or never answered: the link goes on without bridging.
      finished: (reason) => {
        this.log.warning(`BCP: ${reason}: not bridged`);
        this.bcp.end();
      },
    }, undefined, (information) => {
      if (this.bcp.layer) return false;
      if (this.network) this.lcp.sendProtocolReject(PPP_PROTOCOL.BCP, information); // our profile names no bridge
      return true;
    });
    const authRoute = {
      receive: (protocol: number, information: Buffer) => this.receiveAuth(protocol, information),
      rejected: (protocol: number) => {
        if (protocol === this.authProtocol && this.phase === 'authenticate') this.authFailed('peer rejected the authentication protocol');
      },
    };
    const entries: ProtocolEntry[] = [
      this.lcp,
      new AuthProtocol(PPP_PROTOCOL.PAP, 'PAP', authRoute),
      new AuthProtocol(PPP_PROTOCOL.CHAP, 'CHAP', authRoute),
      this.ipcp,
      this.ccp,
      this.bcp,
      new BridgedProtocol({
        open: () => this.bridgeOpen,
        configured: () => this.network?.bridge !== undefined,
        deliver: (information) => this.options.events.bridged?.(information),
        reject: (p, i) => this.lcp.sendProtocolReject(p, i),
      }),
      new MpProtocol((p, i) => this.lcp.sendProtocolReject(p, i), () => this.log.debug('peer rejected MP')),
    ];
    this.table = new Map(entries.map((e) => [e.protocol, e]));
  }

  get status(): PppStatus { return this.statusValue; }
  /** The negotiated link once the session is connected. */
  get negotiated(): PppLinkUp | undefined { return this.link; }
  get encoding(): string { return this.link?.encoding ?? ''; }
  get mtu(): number | undefined { return this.link?.mtu; }
  get mru(): number | undefined { return this.link?.mru; }
  /** The automaton state of LCP, IPCP or CCP (undefined while that protocol is not running). */
  stateOf(protocol: number): FsmState | undefined {
    if (protocol === PPP_PROTOCOL.LCP) return this.lcp.layer.fsm.state;
    const entry = protocol === PPP_PROTOCOL.IPCP ? this.ipcp : protocol === PPP_PROTOCOL.CCP ? this.ccp : protocol === PPP_PROTOCOL.BCP ? this.bcp : undefined;
    return entry?.layer?.fsm.state;
  }

  /** The lower layer is up (the PPTP call is connected): start LCP. */
  start(): void {
    if (this.phase !== 'dead' || this.finished) return;
    this.enterPhase('establish');
    this.options.events.status?.('dialing');
    this.lcp.noteActivity();
    this.guard(() => {
      this.lcp.layer.up();
      this.lcp.layer.open();
    });
  }

  /** Administrative close (user removed, interface disabled): LCP Terminate, then down. */
  close(reason: string): void {
    if (this.finished) return;
    this.guard(() => {
      this.enterPhase('terminate');
      this.lcp.layer.close(reason);
      const state = this.lcp.layer.fsm.state;
      if (state === 'initial' || state === 'closed') this.finish(reason);
    });
  }

  /** The tunnel under us is gone: no more sending, the session is over. */
  lowerDown(reason: string): void {
    if (this.finished) return;
    this.finish(reason);
  }

  /** The data plane received something on this link (keepalive bookkeeping). */
  noteActivity(): void {
    this.lcp.noteActivity();
  }

  /** The MPPE decrypter lost sync (stateful mode): ask the peer to reset (RFC 3078 section 8). */
  requestCcpReset(): void {
    if (this.finished || !this.ccp.opened) return;
    this.ccpResetId = (this.ccpResetId + 1) & 0xff;
    this.sendPacket(PPP_PROTOCOL.CCP, CCP_CODE.RESET_REQUEST, this.ccpResetId, Buffer.alloc(0));
  }

  /** One frame from the peer that the data plane does not handle itself. Never throws. */
  receive(protocol: number, information: Buffer): void {
    if (this.finished || this.phase === 'dead') return;
    this.lcp.noteActivity();
    this.guard(() => this.dispatch(protocol, information));
  }

  // -------------------------------------------------------------------------------------------

  private host(): PppHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const session = this;
    return {
      get clock() { return session.options.clock; },
      get log() { return session.log; },
      get fsmConfig() { return session.fsmConfig; },
      get alive() { return !session.finished; },
      sendPacket: (protocol, code, identifier, data) => this.sendPacket(protocol, code, identifier, data),
      schedule: (ms, fn) => {
        const timer: ClockTimer = this.options.clock.schedule(ms, () => {
          this.timers.delete(timer);
          if (!this.finished) this.guard(fn);
        });
        this.timers.add(timer);
        return timer;
      },
      cancel: (timer) => {
        if (!timer) return;
        this.options.clock.cancel(timer);
        this.timers.delete(timer);
      },
    };
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error(`internal error, ending link: ${(e as Error).stack ?? String(e)}`);
      this.finish(`internal error: ${(e as Error).message}`);
    }
  }

  /** Every phase change passes here (RFC 1661 section 3.2). */
  private enterPhase(phase: Phase): void {
    if (this.phase === phase) return;
    this.log.debug(`phase ${this.phase} -> ${phase}`);
    this.phase = phase;
  }

  private setStatus(s: PppStatus): void {
    if (this.statusValue === s) return;
    this.statusValue = s;
    this.options.events.status?.(s);
  }

  private sendPacket(protocol: number, code: number, identifier: number, data: Buffer): void {
    if (this.finished) return;
    this.options.events.send(protocol, emitPppPacket({ code, identifier, data }));
  }

  /** The authentication exchange's retransmission timer (the only one kept by name). */
  private setTimer(_name: 'auth', ms: number | null, fn: () => void): void {
    const host = this.host();
    host.cancel(this.authTimer);
    this.authTimer = ms === null || this.finished ? undefined : host.schedule(ms, () => {
      this.authTimer = undefined;
      fn();
    });
  }

  private dispatch(protocol: number, information: Buffer): void {
    if (protocol === PPP_PROTOCOL.LCP) return this.lcp.input(information);
    // RFC 1661 3.4: before LCP is open, everything else is silently discarded.
    if (!this.lcp.opened) return;
    const entry = this.table.get(protocol);
    if (entry) return entry.input(information);
    if (protocol === PPP_PROTOCOL.IPV4 || protocol === PPP_PROTOCOL.COMPRESSED) return; // data before the link is up
    // IPv6CP, IPXCP, NBFCP, BCP, ...: reject at once so the peer stops trying (FINDINGS.md).
    this.lcp.sendProtocolReject(protocol, information);
  }

  private receiveAuth(protocol: number, information: Buffer): void {
    if (!this.auth || protocol !== this.authProtocol) return;
    const out = this.auth.receive(information);
    // After the Authenticate phase only resends count (a lost Success is asked for again).
    this.applyAuth(this.phase === 'authenticate' ? out : out.filter((o) => o.kind === 'send'));
  }

  private ccpReset(code: number, identifier: number): boolean {
    if (code === CCP_CODE.RESET_REQUEST) {
      if (!this.ccp.opened) return true;
      // RFC 1962 section 5: answer with Reset-Ack; our encrypter restarts with the flushed bit.
      this.options.events.resetEncrypter?.();
      this.sendPacket(PPP_PROTOCOL.CCP, CCP_CODE.RESET_ACK, identifier, Buffer.alloc(0));
      return true;
    }
    return code === CCP_CODE.RESET_ACK; // MPPE re-syncs on the flushed packet, not on the Ack
  }

  private lcpSettled(): void {
    if (!this.lcpWentDown || this.finished) return;
    this.lcpWentDown = false;
    const state = this.lcp.layer.fsm.state;
    if (state !== 'req-sent' && state !== 'ack-sent') return;
    // A Configure-Request in Opened (RFC 1661 4.1, pppd fsm_rconfreq): LCP renegotiates and
    // everything above it starts over from the Establish phase. Once the link is up we end the
    // session instead: addresses and keys would all change under the data plane.
    if (this.phase === 'open') this.close('LCP renegotiation by peer');
    else this.restartEstablish();
  }

  private ipcpSettled(): void {
    const refused = this.ipcp.handler?.refused;
    if (refused === undefined || this.phase === 'terminate') return;
    this.log.warning(`IPCP: ${refused}`);
    this.close(refused);
  }

  // pppd takes an NCP that renegotiates down and up again without ending the link; so do we, as
  // long as it settles on the same addresses (the host is configured for those).
  private ncpDown(name: string): void {
    if (this.phase !== 'open') return;
    this.log.info(`${name} renegotiation by peer`);
    this.enterPhase('network');
    this.options.events.renegotiating?.();
  }

  private bridgeChanged(open: boolean): void {
    if (this.bridgeOpen === open) return;
    this.bridgeOpen = open;
    this.log.info(open ? `BCP opened: bridged to ${this.network?.bridge}` : 'BCP closed: not bridged');
    this.options.events.bridging?.(open ? this.network?.bridge : undefined);
  }

  private ccpUp(): void {
    const r = this.ccp.handler!.result();
    if (!r.send || !r.receive) {
      if (this.network?.useEncryption === 'required') {
        this.close('encryption required but MPPE negotiation failed');
        return;
      }
      // MPPE is both directions or none: a half-encrypted CCP is closed (the peer then sees
      // CCP go down too) and the link carries plain IP, as use-encryption=yes permits.
      if (r.send || r.receive) {
        this.ccp.layer!.close('MPPE negotiated in one direction only');
        return;
      }
      this.ccp.end();
    }
    this.ccpDone = true;
    this.startIpcp();
    this.maybeOpen();
  }

  private ccpDown(): void {
    // The peer renegotiates CCP (a delayed duplicate request, or a real one): wait for it to
    // settle again, or the link would carry IPv4 with the keys half torn down.
    this.ccpDone = false;
    this.ncpDown('CCP');
  }

  private ccpFinished(): void {
    if (this.network?.useEncryption === 'required') {
      this.close('encryption required but MPPE negotiation failed');
      return;
    }
    this.ccp.end();
    this.ccpDone = true;
    this.startIpcp();
    this.maybeOpen();
  }

  private lcpUp(): void {
    const r = this.lcp.handler.result();
    if (this.lcp.handler.loopbackSuspected > MAX_LOOPBACK_NAKS) {
      this.close('loopback detected');
      return;
    }
    this.log.debug(`LCP opened: mtu ${r.mtu} mru ${r.mru} auth ${r.auth ?? 'none'}${r.peerMrru !== undefined && r.localMrru !== undefined ? ` mrru ${r.localMrru}/${r.peerMrru}` : ''}`);
    this.options.events.multilink?.(multilinkOf(r), r.mtu);
    this.lcp.startKeepalive(this.options.keepaliveTimeout);
    this.enterPhase('authenticate');
    const timing = { restartMs: this.fsmConfig.restartMs, maxTries: this.fsmConfig.maxConfigure };
    const o = this.options;
    if (o.role === 'server') {
      if (!r.auth) {
        this.close('authentication failed: peer accepts none of our authentication methods');
        return;
      }
      this.setStatus('verifying password...');
      const context = { service: o.service ?? 'pptp', callerId: o.callerId };
      const alg = chapAlgorithm(r.auth);
      this.auth = alg
        ? new ChapAuthenticator(alg, timing, context, o.localName ?? 'MikroTik', this.random)
        : new PapAuthenticator(timing, context);
    } else {
      if (!r.auth) {
        // A server that asks for no authentication has proved nothing: a rogue server or a man in
        // the middle would get our traffic (all of it with add-default-route). RouterOS goes on
        // here; we refuse, whatever `allow` says.
        const why = 'server asked for no authentication: refused, the server cannot be verified';
        this.log.warning(why);
        this.close(why);
        return;
      }
      this.setStatus('verifying password...');
      const alg = chapAlgorithm(r.auth);
      this.auth = alg ? new ChapPeer(alg, timing, o.user, o.password, this.random) : new PapPeer(timing, o.user, o.password, this.random);
    }
    this.authProtocol = r.auth === 'pap' ? PPP_PROTOCOL.PAP : PPP_PROTOCOL.CHAP;
    this.applyAuth(this.auth.start());
  }

  private applyAuth(outputs: AuthOutput[]): void {
    for (const o of outputs) {
      if (this.finished) return;
      switch (o.kind) {
        case 'send':
          this.options.events.send(this.authProtocol, o.data);
          break;
        case 'timer':
          this.setTimer('auth', o.ms, () => this.auth && this.phase === 'authenticate' && this.applyAuth(this.auth.timeout()));
          break;
        case 'verify':
          this.verify(o);
          break;
        case 'success':
          this.authSucceeded(o.user, o.method, o.secret, o.keys);
          break;
        case 'failure':
          this.authFailed(o.reason, o.user);
          break;
        case 'discarded':
          this.log.debug(`auth: discarded: ${o.why}`);
          break;
      }
    }
  }

  private verify(request: Extract<AuthOutput, { kind: 'verify' }>): void {
    const { name, check } = request;
    const o = this.options as PppServerOptions;
    const gen = this.generation;
    const current = (): boolean => !this.finished && gen === this.generation;
    const lookupFailed = (e: Error): void => this.guard(() => this.authFailed(`user lookup failed: ${e.message}`));
    // RouterOS: the local /ppp secret table first; only a user it does not hold goes to RADIUS.
    const settle = (secret: PppSecret | undefined): void => {
      const remote = secret ? undefined : o.verifyRemote?.(name, request.credential);
      if (!remote) return this.applyAuth(check(secret));
      remote.then((v) => { if (current()) this.guard(() => this.applyAuth(request.checkRemote(v))); }, lookupFailed);
    };
    const lookup = (n: string, next: (s: PppSecret | undefined) => void): void => {
      const found = o.lookupSecret(n);
      if (found instanceof Promise) found.then((s) => { if (current()) this.guard(() => next(s)); }, lookupFailed);
      else next(found);
    };
    // DOMAIN\user: RouterOS compares the part after the backslash when no secret has the full name.
    lookup(name, (s) => (s || !name.includes('\\') ? settle(s) : lookup(withoutDomain(name), settle)));
  }

  private authFailed(reason: string, user?: string): void {
    if (this.phase !== 'authenticate') return;
    this.setTimer('auth', null, () => undefined);
    // RouterOS style: "user ex authentication failed: wrong password".
    const who = this.options.role === 'client' ? this.options.user : user;
    this.log.info(`${who !== undefined ? `user ${who} ` : ''}authentication failed: ${reason}`);
    this.close(`authentication failed: ${reason}`);
  }

  private authSucceeded(user: string, method: AuthMethod, secret: PppSecret | undefined, keys: KeyMaterial | undefined): void {
    if (this.phase !== 'authenticate') return;
    this.setTimer('auth', null, () => undefined);
    this.authenticated = { user, method, secret, keys };
    this.log.info(`${user} logged in (${method})`);
    const o = this.options;
    if (o.role === 'client') return this.enterNetwork(o.network);
    const decided = o.authorize({ user, method, secret });
    const gen = this.generation;
    const go = (d: NetworkSettings | string): void => {
      if (this.finished || gen !== this.generation) return;
      if (typeof d === 'string') return this.close(d);
      this.enterNetwork(d);
    };
    if (decided instanceof Promise) decided.then((d) => this.guard(() => go(d)), (e: Error) => this.guard(() => this.close(`authorization failed: ${e.message}`)));
    else go(decided);
  }

  private enterNetwork(settings: NetworkSettings): void {
    if (this.finished) return;
    const server = this.options.role === 'server';
    if (server) {
      // The peer never chooses the server's addresses (address-guard.ts): without both there is
      // nothing safe to negotiate.
      const missing = settings.localAddress === undefined ? 'local' : settings.remoteAddress === undefined ? 'remote' : undefined;
      if (missing) {
        const why = `no ${missing} address for user ${this.authenticated?.user ?? '?'}: refused`;
        this.log.warning(why);
        this.close(why);
        return;
      }
    }
    this.enterPhase('network');
    this.network = settings;
    this.ipcp.begin(new IpcpHandler({
      role: server ? 'authenticator' : 'peer',
      localNetworks: settings.localNetworks ?? [],
      localAddress: settings.localAddress,
      remoteAddress: settings.remoteAddress,
      dnsServers: server ? (settings.dnsServers ?? []).slice(0, 2) : [],
      requestDns: !server,
    }));
    const keys = this.authenticated?.keys;
    if (settings.useEncryption !== 'no') {
      if (!keys) {
        if (settings.useEncryption === 'required') {
          this.close(`encryption required but ${this.authenticated?.method ?? 'no authentication'} gives no MPPE keys`);
          return;
        }
      } else {
        this.ccp.begin(new CcpHandler({
          keyLengths: settings.mppeKeyLengths ?? [128],
          mode: settings.mppeMode ?? 'stateless',
        }));
      }
    }
    this.ccpDone = !this.ccp.layer;
    this.ipcpStarted = false;
    // BCP runs beside IPCP and CCP (RFC 3518): the link is up with IPCP; bridging follows BCP.
    if (settings.bridge !== undefined) {
      const bcp = this.bcp.begin(new BcpHandler());
      bcp.up();
      this.bcp.layer?.open();
    }
    const ccp = this.ccp.layer;
    if (ccp) {
      ccp.up();
      if (this.ccp.layer) this.ccp.layer.open();
    } else {
      this.startIpcp();
    }
  }

  // pppd with require-mppe keeps its IPCP Closed until CCP is up (pppd auth.c start_networks)
  // and answers an early IPCP Configure-Request with Terminate-Ack (RFC 1661 4.1, Closed
  // state), which leaves ours to the 3 s restart timer: every MPPE link came up 3 s late.
  // So while CCP negotiates, IPCP waits for CCP to settle or for the peer's first IPCP packet.
  private startIpcp(): void {
    if (this.ipcpStarted || !this.ipcp.layer || this.phase !== 'network') return;
    this.ipcpStarted = true;
    this.ipcp.layer.up();
    this.ipcp.layer?.open();
  }

  private maybeOpen(): void {
    if (this.phase !== 'network' || !this.ipcp.opened || !this.ccpDone) return;
    const lcp = this.lcp.handler.result();
    const ip = this.ipcp.handler!.result();
    if (ip.localAddress === UNSPECIFIED || ip.remoteAddress === UNSPECIFIED) {
      // The peer rejected or never named an address: `peer 0.0.0.0` is no link to route over.
      this.close(`IPCP settled no ${ip.localAddress === UNSPECIFIED ? 'local' : 'remote'} address`);
      return;
    }
    const ccp = this.ccp.handler?.result() ?? { send: undefined, receive: undefined };
    const mppe = this.mppeParams(ccp.send, ccp.receive);
    if (!mppe) return;
    const encoding = describeEncoding(ccp.send, ccp.receive);
    const auth = this.authenticated!;
    const previous = this.link;
    if (previous && (previous.localAddress !== ip.localAddress || previous.remoteAddress !== ip.remoteAddress)) {
      this.close(`IPCP renegotiated other addresses (${ip.localAddress} -> ${ip.remoteAddress})`);
      return;
    }
    const multilink = multilinkOf(lcp);
    this.link = {
      user: auth.user,
      method: auth.method,
      secret: auth.secret,
      mtu: lcp.mtu,
      mru: lcp.mru,
      framing: { pfc: lcp.peerPfc, acfc: lcp.peerAcfc },
      localAddress: ip.localAddress,
      remoteAddress: ip.remoteAddress,
      dnsServers: ip.dnsServers,
      mppe,
      encoding,
      peerMrru: lcp.peerMrru,
      peerEndpointDiscriminator: lcp.peerEndpointDiscriminator,
      multilink,
    };
    this.enterPhase('open');
    if (previous) {
      this.log.info(`renegotiated${encoding ? `: ${encoding}` : ''}`);
      this.options.events.resumed?.(this.link);
      return;
    }
    this.log.info(`connected: ${ip.localAddress} -> ${ip.remoteAddress}${encoding ? `, ${encoding}` : ''}${multilink ? `, mrru ${multilink.sendMrru}` : ''}`);
    this.setStatus('connected');
    this.options.events.up?.(this.link);
  }

  private mppeParams(send: MppeDirection | undefined, receive: MppeDirection | undefined):
    { send: MppeParams | undefined; receive: MppeParams | undefined } | undefined {
    const material = this.authenticated?.keys;
    if (!send && !receive) return { send: undefined, receive: undefined };
    if (!material) {
      this.close('MPPE negotiated without MS-CHAP keys');
      return undefined;
    }
    const role = this.options.role;
    const keysFor = (bits: MppeKeyBits): MppeStartKeys => startKeysFor(material, bits, role);
    return {
      send: send && { startKey: keysFor(send.bits).send, bits: send.bits, stateless: send.stateless },
      receive: receive && { startKey: keysFor(receive.bits).receive, bits: receive.bits, stateless: receive.stateless },
    };
  }

  private restartEstablish(): void {
    this.generation++;
    this.setTimer('auth', null, () => undefined);
    this.lcp.stopKeepalive();
    for (const entry of this.table.values()) if (entry !== this.lcp) entry.lowerDown();
    this.bridgeChanged(false);
    this.auth = undefined;
    this.authProtocol = 0;
    this.authenticated = undefined;
    this.network = undefined;
    this.ipcpStarted = false;
    this.ccpDone = false;
    this.enterPhase('establish');
    this.log.debug('LCP renegotiation: back to the Establish phase');
    this.setStatus('dialing');
  }

  /** Ends the link at once: one Terminate-Request as a courtesy, no waiting for a dead peer. */
  private abort(reason: string): void {
    this.lcp.sendTerminate(reason);
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.enterPhase('dead');
    for (const t of this.timers) this.options.clock.cancel(t);
    this.timers.clear();
    this.log.info(`terminated: ${reason}`);
    this.setStatus('terminated');
    this.options.events.down?.(reason);
  }
}

/** RFC 1990 over this link: only when each end acknowledged the other's MRRU. */
function multilinkOf(lcp: LcpResult): MultilinkParams | undefined {
  return lcp.peerMrru !== undefined && lcp.localMrru !== undefined
    ? { sendMrru: lcp.peerMrru, receiveMrru: lcp.localMrru, sendShortSequence: lcp.peerShortSequence }
    : undefined;
}
