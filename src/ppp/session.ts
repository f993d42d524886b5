// One PPP session over an abstract frame transport (RFC 1661 section 3, phases): Establish (LCP)
// -> Authenticate (PAP/CHAP/MS-CHAP, either role) -> Network (IPCP, and CCP for MPPE) -> Open.
// It sees only control protocols: the data plane hands it (protocol, information) for every
// frame it does not carry itself and sends what the session emits. When the network phase is
// open it reports the negotiated link (framing, MTU/MRU, addresses, DNS, MPPE directions and
// start keys); when anything ends the link it reports why.

import { randomBytes } from 'node:crypto';
import type { MppeKeyBits, MppeParams } from '../crypto/mppe.js';
import type { MppeStartKeys } from '../crypto/mppe-keys.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { WireError } from '../wire/error.js';
import { PPP_PROTOCOL } from '../wire/ppp-frame.js';
import { emitPppPacket, parsePppPacket } from '../wire/ppp-packet.js';
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
import { DEFAULT_FSM_CONFIG, Fsm, type FsmConfig, type FsmOutput } from './fsm.js';
import type { LocalNetwork } from './address-guard.js';
import { IpcpHandler, UNSPECIFIED } from './ipcp.js';
import { LCP_CODE, LcpHandler, MAX_LOOPBACK_NAKS } from './lcp.js';
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
}

export interface PppSessionEvents {
  /** A frame to send: the data plane adds framing (and never encrypts LCP/auth/CCP). */
  send(protocol: number, information: Buffer): void;
  status?(status: PppStatus): void;
  up?(link: PppLinkUp): void;
  down?(reason: string): void;
  /** The peer sent a CCP Reset-Request: the MPPE encrypter must reset (flushed bit next). */
  resetEncrypter?(): void;
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

type Layer = 'lcp' | 'ipcp' | 'ccp';
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
  private readonly lcpHandler: LcpHandler;
  private readonly lcp: Fsm;
  private ipcpHandler: IpcpHandler | undefined;
  private ipcp: Fsm | undefined;
  /** IPCP has been told Up and Open (it waits for CCP while MPPE is being negotiated). */
  private ipcpStarted = false;
  private ccpHandler: CcpHandler | undefined;
  private ccp: Fsm | undefined;
  private ccpDone = false;
  private auth: Authenticator | undefined;
  private authProtocol = 0;
  private authenticated: (AuthenticatedUser & { keys: KeyMaterial | undefined }) | undefined;
  private network: NetworkSettings | undefined;
  private readonly timers = new Map<string, ClockTimer>();
  private lastReceived = 0;
  private echoId = 0;
  private lcpId = 0x80;
  private ccpResetId = 0;
  private link: PppLinkUp | undefined;
  private finished = false;
  private lcpWentDown = false;
  private readonly applying = new Set<Layer>();
  private readonly deferred: Array<{ readonly layer: Layer; readonly outputs: FsmOutput[] }> = [];
  /** Bumped when negotiation starts over, so late asynchronous answers are ignored. */
  private generation = 0;

  constructor(private readonly options: PppSessionOptions) {
    this.log = options.log ?? silentLogger;
    this.random = options.random ?? ((n) => randomBytes(n));
    this.fsmConfig = { ...DEFAULT_FSM_CONFIG, ...options.fsm };
    this.lcpHandler = new LcpHandler({
      role: options.role === 'server' ? 'authenticator' : 'peer',
      methods: options.role === 'server' ? strongestFirst(options.authentication) : strongestFirst(options.allow),
      maxMru: options.maxMru ?? 1460,
      maxMtu: options.maxMtu ?? 1460,
      mrru: options.mrru,
      magic: () => this.random(4).readUInt32BE(0),
    });
    this.lcp = new Fsm('LCP', this.lcpHandler, this.fsmConfig);
  }

  get status(): PppStatus { return this.statusValue; }
  /** The negotiated link once the session is connected. */
  get negotiated(): PppLinkUp | undefined { return this.link; }
  get encoding(): string { return this.link?.encoding ?? ''; }
  get mtu(): number | undefined { return this.link?.mtu; }
  get mru(): number | undefined { return this.link?.mru; }

  /** The lower layer is up (the PPTP call is connected): start LCP. */
  start(): void {
    if (this.phase !== 'dead' || this.finished) return;
    this.phase = 'establish';
    this.options.events.status?.('dialing');
    this.lastReceived = this.options.clock.now();
    this.guard(() => {
      this.apply('lcp', this.lcp.up());
      this.apply('lcp', this.lcp.open());
    });
  }

  /** Administrative close (user removed, interface disabled): LCP Terminate, then down. */
  close(reason: string): void {
    if (this.finished) return;
    this.guard(() => {
      this.phase = 'terminate';
      this.apply('lcp', this.lcp.close(reason));
      if (this.lcp.state === 'initial' || this.lcp.state === 'closed') this.finish(reason);
    });
  }

  /** The tunnel under us is gone: no more sending, the session is over. */
  lowerDown(reason: string): void {
    if (this.finished) return;
    this.finish(reason);
  }

  /** The data plane received something on this link (keepalive bookkeeping). */
  noteActivity(): void {
    this.lastReceived = this.options.clock.now();
  }

  /** The MPPE decrypter lost sync (stateful mode): ask the peer to reset (RFC 3078 section 8). */
  requestCcpReset(): void {
    if (this.finished || !this.ccp || this.ccp.state !== 'opened') return;
    this.ccpResetId = (this.ccpResetId + 1) & 0xff;
    this.sendPacket(PPP_PROTOCOL.CCP, CCP_CODE.RESET_REQUEST, this.ccpResetId, Buffer.alloc(0));
  }

  /** One frame from the peer that the data plane does not handle itself. Never throws. */
  receive(protocol: number, information: Buffer): void {
    if (this.finished || this.phase === 'dead') return;
    this.lastReceived = this.options.clock.now();
    this.guard(() => this.dispatch(protocol, information));
  }

  // -------------------------------------------------------------------------------------------

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error(`internal error, ending link: ${(e as Error).stack ?? String(e)}`);
      this.finish(`internal error: ${(e as Error).message}`);
    }
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

  private protocolReject(protocol: number, information: Buffer): void {
    // RFC 1661 5.7: Rejected-Protocol then as much of the information as fits in the peer's MRU.
    const room = Math.max(0, (this.lcpHandler.result().mtu || 1500) - 6);
    const head = Buffer.alloc(2);
    head.writeUInt16BE(protocol);
    this.lcpId = (this.lcpId + 1) & 0xff;
    this.sendPacket(PPP_PROTOCOL.LCP, LCP_CODE.PROTOCOL_REJECT, this.lcpId, Buffer.concat([head, information.subarray(0, room)]));
    this.log.debug(`protocol-rejected 0x${protocol.toString(16).padStart(4, '0')}`);
  }

  private dispatch(protocol: number, information: Buffer): void {
    if (protocol === PPP_PROTOCOL.LCP) return this.receiveLcp(information);
    // RFC 1661 3.4: before LCP is open, everything else is silently discarded.
    if (this.lcp.state !== 'opened') return;
    if (protocol === PPP_PROTOCOL.PAP || protocol === PPP_PROTOCOL.CHAP) {
      if (this.auth && protocol === this.authProtocol && this.phase === 'authenticate') this.applyAuth(this.auth.receive(information));
      else if (this.auth && protocol === this.authProtocol) this.applyAuth(this.auth.receive(information).filter((o) => o.kind === 'send'));
      return;
    }
    if (protocol === PPP_PROTOCOL.IPCP) {
      if (this.ipcp) {
        // The peer is ready for IPCP even though CCP is still under way (Windows does this).
        this.startIpcp();
        if (this.ipcp) this.receiveNcp('ipcp', this.ipcp, information);
      }
      return; // not yet in the network phase: discard, the peer retransmits
    }
    if (protocol === PPP_PROTOCOL.CCP) {
      if (this.ccp) return this.receiveCcp(information);
      if (this.network && !this.ccp) return this.protocolReject(protocol, information); // we run no CCP
      return;
    }
    if (protocol === PPP_PROTOCOL.IPV4 || protocol === PPP_PROTOCOL.COMPRESSED) return; // data before the link is up
    // IPv6CP, IPXCP, NBFCP, BCP, ...: reject at once so the peer stops trying (FINDINGS.md).
    this.protocolReject(protocol, information);
  }

  private receiveLcp(information: Buffer): void {
    const p = parsePppPacket(information, 'LCP packet');
    if (p instanceof WireError) {
      this.log.debug(`LCP: ${p.toString()}`);
      return;
    }
    if (p.code <= 7) return this.apply('lcp', this.lcp.receive(p.code, p.identifier, p.data));
    switch (p.code) {
      case LCP_CODE.PROTOCOL_REJECT: {
        if (this.lcp.state !== 'opened' || p.data.length < 2) return;
        const rejected = p.data.readUInt16BE(0);
        if (rejected === PPP_PROTOCOL.IPCP && this.ipcp) {
          this.apply('ipcp', this.ipcp.rejected(true, 'peer rejected IPCP'));
        } else if (rejected === PPP_PROTOCOL.CCP && this.ccp) {
          this.apply('ccp', this.ccp.rejected(true, 'peer rejected CCP'));
        } else if (rejected === this.authProtocol && this.phase === 'authenticate') {
          this.authFailed('peer rejected the authentication protocol');
        }
        return;
      }
      case LCP_CODE.ECHO_REQUEST:
      case LCP_CODE.ECHO_REPLY:
      case LCP_CODE.DISCARD_REQUEST: {
        if (p.data.length >= 4 && this.lcp.state === 'opened') {
          const magic = p.data.readUInt32BE(0);
          const ours = this.lcpHandler.localMagic;
          if (ours !== 0 && magic === ours) {
            this.log.warning('LCP echo carries our own magic number: link looped back?');
          }
        }
        return this.apply('lcp', this.lcp.receivedEcho(p.identifier, p.data, p.code === LCP_CODE.ECHO_REQUEST));
      }
      case LCP_CODE.IDENTIFICATION:
      case LCP_CODE.TIME_REMAINING:
        return; // RFC 1570: informational, silently discarded by a receiver that does not use them
      default:
        return this.apply('lcp', this.lcp.unknownCode(information.subarray(0, (p.data.length + 4))));
    }
  }

  private receiveNcp(layer: Layer, fsm: Fsm, information: Buffer): void {
    const p = parsePppPacket(information, `${fsm.name} packet`);
    if (p instanceof WireError) {
      this.log.debug(`${fsm.name}: ${p.toString()}`);
      return;
    }
    if (p.code <= 7) this.apply(layer, fsm.receive(p.code, p.identifier, p.data));
    else this.apply(layer, fsm.unknownCode(information.subarray(0, p.data.length + 4)));
  }

  private receiveCcp(information: Buffer): void {
    const ccp = this.ccp!;
    const p = parsePppPacket(information, 'CCP packet');
    if (p instanceof WireError) return;
    if (p.code === CCP_CODE.RESET_REQUEST) {
      if (ccp.state !== 'opened') return;
      // RFC 1962 section 5: answer with Reset-Ack; our encrypter restarts with the flushed bit.
      this.options.events.resetEncrypter?.();
      this.sendPacket(PPP_PROTOCOL.CCP, CCP_CODE.RESET_ACK, p.identifier, Buffer.alloc(0));
      return;
    }
    if (p.code === CCP_CODE.RESET_ACK) return; // MPPE re-syncs on the flushed packet, not on the Ack
    this.receiveNcp('ccp', ccp, information);
  }

  private fsmOf(layer: Layer): Fsm | undefined {
    return layer === 'lcp' ? this.lcp : layer === 'ipcp' ? this.ipcp : this.ccp;
  }

  private protocolOf(layer: Layer): number {
    return layer === 'lcp' ? PPP_PROTOCOL.LCP : layer === 'ipcp' ? PPP_PROTOCOL.IPCP : PPP_PROTOCOL.CCP;
  }

  private setTimer(name: string, ms: number | null, fn: () => void): void {
    const old = this.timers.get(name);
    if (old) this.options.clock.cancel(old);
    this.timers.delete(name);
    if (ms === null || this.finished) return;
    this.timers.set(name, this.options.clock.schedule(ms, () => {
      this.timers.delete(name);
      if (!this.finished) this.guard(fn);
    }));
  }

  private apply(layer: Layer, outputs: FsmOutput[]): void {
    this.applyOutputs(layer, outputs);
    const refused = layer === 'ipcp' ? this.ipcpHandler?.refused : undefined;
    if (refused !== undefined && !this.finished && this.phase !== 'terminate') {
      this.log.warning(`IPCP: ${refused}`);
      this.close(refused);
      return;
    }
    if (layer === 'lcp' && this.lcpWentDown && !this.finished) {
      this.lcpWentDown = false;
      if (this.lcp.state === 'req-sent' || this.lcp.state === 'ack-sent') {
        // The peer renegotiates LCP (a new Configure-Request after Opened, RFC 1661 4.1: e.g. a
        // duplicate delayed in the tunnel). Before the link is up we start over from the
        // Establish phase as pppd does; once it is up we end the session instead: addresses
        // and keys would all change under the data plane.
        if (this.phase === 'open') this.close('LCP renegotiation by peer');
        else this.restartEstablish();
      }
    }
  }

  // A layer event handled here may drive the same automaton again (lcpUp closing LCP from inside
  // LCP's this-layer-up). Those outputs wait for the current batch: applied in between, the
  // batch's own timer stop (Opened is untimed) would cancel the Terminate restart timer and
  // leave the link in Closing forever.
  private applyOutputs(layer: Layer, outputs: FsmOutput[]): void {
    if (this.applying.has(layer)) {
      this.deferred.push({ layer, outputs });
      return;
    }
    this.applying.add(layer);
    try {
      this.applyNow(layer, outputs);
    } finally {
      this.applying.delete(layer);
    }
    for (let i = this.deferred.findIndex((d) => d.layer === layer); i >= 0; i = this.deferred.findIndex((d) => d.layer === layer)) {
      const [later] = this.deferred.splice(i, 1);
      this.applyOutputs(layer, later!.outputs);
    }
  }

  private applyNow(layer: Layer, outputs: FsmOutput[]): void {
    for (const o of outputs) {
      if (this.finished) return;
      switch (o.kind) {
        case 'send':
          this.sendPacket(this.protocolOf(layer), o.code, o.identifier, o.data);
          break;
        case 'timer':
          this.setTimer(layer, o.ms, () => {
            const fsm = this.fsmOf(layer);
            if (fsm) this.apply(layer, fsm.timeout());
          });
          break;
        case 'echo-reply-due': {
          const reply = Buffer.from(o.data);
          if (reply.length >= 4) reply.writeUInt32BE(this.lcpHandler.localMagic, 0);
          this.sendPacket(PPP_PROTOCOL.LCP, LCP_CODE.ECHO_REPLY, o.identifier, reply);
          break;
        }
        case 'discarded':
          this.log.debug(`${layer.toUpperCase()}: discarded: ${o.why}`);
          break;
        case 'this-layer-up':
          this.layerUp(layer);
          break;
        case 'this-layer-down':
          this.layerDown(layer);
          break;
        case 'this-layer-started':
          break;
        case 'this-layer-finished':
          this.layerFinished(layer, o.reason);
          break;
      }
    }
  }

  private layerUp(layer: Layer): void {
    if (layer === 'lcp') return this.lcpUp();
    if (layer === 'ccp') {
      const r = this.ccpHandler!.result();
      if (!r.send || !r.receive) {
        if (this.network?.useEncryption === 'required') {
          this.close('encryption required but MPPE negotiation failed');
          return;
        }
        // MPPE is both directions or none: a half-encrypted CCP is closed (the peer then sees
        // CCP go down too) and the link carries plain IP, as use-encryption=yes permits.
        if (r.send || r.receive) {
          this.apply('ccp', this.ccp!.close('MPPE negotiated in one direction only'));
          return;
        }
        this.ccpHandler = undefined;
      }
      this.ccpDone = true;
      this.startIpcp();
    }
    this.maybeOpen();
  }

  private layerDown(layer: Layer): void {
    if (layer === 'lcp') {
      // Checked once the automaton has moved (see apply): a renegotiation, not a Terminate.
      this.lcpWentDown = true;
      return;
    }
    if (layer === 'ccp' && this.phase === 'network') {
      // The peer renegotiates CCP before the link is open (a delayed duplicate request): wait
      // for it to settle again, or the link would open with the keys half torn down.
      this.ccpDone = false;
      return; // see layerFinished
    }
    if (this.phase === 'open') this.close(`${layer.toUpperCase()} went down`);
  }

  private layerFinished(layer: Layer, reason: string): void {
    if (layer === 'lcp') return this.finish(reason);
    if (layer === 'ccp') {
      if (this.network?.useEncryption === 'required') {
        this.close('encryption required but MPPE negotiation failed');
        return;
      }
      this.ccpHandler = undefined;
      this.ccpDone = true;
      this.startIpcp();
      this.maybeOpen();
      return;
    }
    this.close(reason);
  }

  private lcpUp(): void {
    const r = this.lcpHandler.result();
    if (this.lcpHandler.loopbackSuspected > MAX_LOOPBACK_NAKS) {
      this.close('loopback detected');
      return;
    }
    this.log.debug(`LCP opened: mtu ${r.mtu} mru ${r.mru} auth ${r.auth ?? 'none'}`);
    this.startKeepalive();
    this.phase = 'authenticate';
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
    this.phase = 'network';
    this.network = settings;
    this.ipcpHandler = new IpcpHandler({
      role: server ? 'authenticator' : 'peer',
      localNetworks: settings.localNetworks ?? [],
      localAddress: settings.localAddress,
      remoteAddress: settings.remoteAddress,
      dnsServers: server ? (settings.dnsServers ?? []).slice(0, 2) : [],
      requestDns: !server,
    });
    this.ipcp = new Fsm('IPCP', this.ipcpHandler, this.fsmConfig);
    const keys = this.authenticated?.keys;
    if (settings.useEncryption !== 'no') {
      if (!keys) {
        if (settings.useEncryption === 'required') {
          this.close(`encryption required but ${this.authenticated?.method ?? 'no authentication'} gives no MPPE keys`);
          return;
        }
      } else {
        this.ccpHandler = new CcpHandler({
          keyLengths: settings.mppeKeyLengths ?? [128],
          mode: settings.mppeMode ?? 'stateless',
        });
        this.ccp = new Fsm('CCP', this.ccpHandler, this.fsmConfig);
      }
    }
    this.ccpDone = !this.ccp;
    this.ipcpStarted = false;
    if (this.ccp) {
      this.apply('ccp', this.ccp.up());
      this.apply('ccp', this.ccp.open());
    } else {
      this.startIpcp();
    }
  }

  // pppd with require-mppe keeps its IPCP Closed until CCP is up (pppd auth.c start_networks)
  // and answers an early IPCP Configure-Request with Terminate-Ack (RFC 1661 4.1, Closed
  // state), which leaves ours to the 3 s restart timer: every MPPE link came up 3 s late.
  // So while CCP negotiates, IPCP waits for CCP to settle or for the peer's first IPCP packet.
  private startIpcp(): void {
    if (this.ipcpStarted || !this.ipcp || this.phase !== 'network') return;
    this.ipcpStarted = true;
    this.apply('ipcp', this.ipcp.up());
    if (this.ipcp) this.apply('ipcp', this.ipcp.open());
  }

  private maybeOpen(): void {
    if (this.phase !== 'network' || !this.ipcp || this.ipcp.state !== 'opened' || !this.ccpDone) return;
    const lcp = this.lcpHandler.result();
    const ip = this.ipcpHandler!.result();
    if (ip.localAddress === UNSPECIFIED || ip.remoteAddress === UNSPECIFIED) {
      // The peer rejected or never named an address: `peer 0.0.0.0` is no link to route over.
      this.close(`IPCP settled no ${ip.localAddress === UNSPECIFIED ? 'local' : 'remote'} address`);
      return;
    }
    const ccp = this.ccpHandler?.result() ?? { send: undefined, receive: undefined };
    const mppe = this.mppeParams(ccp.send, ccp.receive);
    if (!mppe) return;
    const encoding = describeEncoding(ccp.send, ccp.receive);
    const auth = this.authenticated!;
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
    };
    this.phase = 'open';
    this.log.info(`connected: ${ip.localAddress} -> ${ip.remoteAddress}${encoding ? `, ${encoding}` : ''}`);
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
    for (const name of ['auth', 'ipcp', 'ccp', 'keepalive']) this.setTimer(name, null, () => undefined);
    this.auth = undefined;
    this.authProtocol = 0;
    this.authenticated = undefined;
    this.network = undefined;
    this.ipcp = undefined;
    this.ipcpHandler = undefined;
    this.ipcpStarted = false;
    this.ccp = undefined;
    this.ccpHandler = undefined;
    this.ccpDone = false;
    this.phase = 'establish';
    this.log.debug('LCP renegotiation: back to the Establish phase');
    this.setStatus('dialing');
  }

  // Keepalive (SPEC.md, server keepalive-timeout): after T seconds of silence, one LCP
  // Echo-Request a second; silence for 2T since the last packet ends the link.
  private startKeepalive(): void {
    const t = this.options.keepaliveTimeout;
    if (t === undefined || t <= 0) return;
    const tick = (): void => {
      if (this.finished || this.lcp.state !== 'opened') return;
      const idle = this.options.clock.now() - this.lastReceived;
      if (idle >= 2 * t * 1000) {
        this.log.info(`no answer for ${2 * t}s: keepalive timeout`);
        this.abort('keepalive timeout');
        return;
      }
      if (idle >= t * 1000) {
        this.echoId = (this.echoId + 1) & 0xff;
        const magic = Buffer.alloc(4);
        magic.writeUInt32BE(this.lcpHandler.localMagic);
        this.sendPacket(PPP_PROTOCOL.LCP, LCP_CODE.ECHO_REQUEST, this.echoId, magic);
      }
      this.setTimer('keepalive', 1000, tick);
    };
    this.setTimer('keepalive', 1000, tick);
  }

  /** Ends the link at once: one Terminate-Request as a courtesy, no waiting for a dead peer. */
  private abort(reason: string): void {
    this.lcpId = (this.lcpId + 1) & 0xff;
    this.sendPacket(PPP_PROTOCOL.LCP, 5, this.lcpId, Buffer.from(reason));
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.phase = 'dead';
    for (const t of this.timers.values()) this.options.clock.cancel(t);
    this.timers.clear();
    this.log.info(`terminated: ${reason}`);
    this.setStatus('terminated');
    this.options.events.down?.(reason);
  }
}
