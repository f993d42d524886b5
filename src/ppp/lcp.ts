// LCP option handling (RFC 1661 section 6) for the shared automaton: MRU, Auth-Protocol,
// Magic-Number with loop-back detection, PFC, ACFC; with `mrru` set, Multilink (RFC 1990
// section 5.1: MRRU, Short Sequence Number Header Format, Endpoint-Discriminator), which is
// Configure-Rejected when it is not. Callback (RFC 1570) and everything else unknown is
// Configure-Rejected.

import type { ConfigureReply, OptionHandler } from './fsm.js';
import { WireError } from '../wire/error.js';
import { decodeLcpOption, encodeLcpOption, LCP_OPTION, type LcpOption } from '../wire/lcp-options.js';
import type { PppOption } from '../wire/ppp-packet.js';
import { authOptionFor, methodFromOption, strongestFirst, type AuthMethod } from './auth/method.js';

export const LCP_CODE = {
  PROTOCOL_REJECT: 8,
  ECHO_REQUEST: 9,
  ECHO_REPLY: 10,
  DISCARD_REQUEST: 11,
  IDENTIFICATION: 12, // RFC 1570
  TIME_REMAINING: 13, // RFC 1570
} as const;

export const DEFAULT_MRU = 1500;
const MIN_MRU = 64;

export interface LcpSettings {
  /** 'authenticator': we ask the peer to authenticate with one of `methods`; 'peer': we accept one of `methods`. */
  readonly role: 'authenticator' | 'peer';
  readonly methods: readonly AuthMethod[];
  readonly maxMru: number;
  readonly maxMtu: number;
  /** Our MRRU, or undefined when Multilink is disabled. */
  readonly mrru: number | undefined;
  readonly magic: () => number;
}

export interface LcpResult {
  readonly mru: number; // what we receive
  readonly mtu: number; // what we send
  readonly peerPfc: boolean; // we may compress Protocol when sending
  readonly peerAcfc: boolean; // we may leave out Address/Control when sending
  readonly localPfc: boolean;
  readonly localAcfc: boolean;
  readonly auth: AuthMethod | undefined; // the method agreed for our side's role
  /** The peer's MRRU as we acknowledged it (undefined: we do not send it Multilink). */
  readonly peerMrru: number | undefined;
  /** Our MRRU as the peer acknowledged it (undefined: it does not send us Multilink). */
  readonly localMrru: number | undefined;
  /** The peer asked for 12-bit sequence numbers in the MP headers we send it (RFC 1990 5.1.2). */
  readonly peerShortSequence: boolean;
  readonly peerEndpointDiscriminator: { readonly class: number; readonly address: Buffer } | undefined;
  readonly localMagic: number;
  readonly peerMagic: number;
}

const MAX_LOOPBACK_NAKS = 5;

interface PeerWishes {
  mru: number; pfc: boolean; acfc: boolean; auth: AuthMethod | undefined; magic: number;
  mrru: number | undefined; shortSequence: boolean;
  endpoint: { class: number; address: Buffer } | undefined;
}
interface AckedWishes { mru: number; pfc: boolean; acfc: boolean; auth: AuthMethod | undefined; mrru: number | undefined }
const NO_PEER_WISHES: Readonly<PeerWishes> = {
  mru: DEFAULT_MRU, pfc: false, acfc: false, auth: undefined, magic: 0, mrru: undefined, shortSequence: false, endpoint: undefined,
};
const NO_ACKED_WISHES: Readonly<AckedWishes> = { mru: DEFAULT_MRU, pfc: false, acfc: false, auth: undefined, mrru: undefined };

export class LcpHandler implements OptionHandler {
  private wantMru = true;
  private mru: number;
  private wantMagic = true;
  private magic = 0;
  private wantPfc = true;
  private wantAcfc = true;
  private wantMrru = true;
  private wantEndpoint = true;
  private endpoint: Buffer = Buffer.alloc(0);
  private authCandidates: AuthMethod[] = [];
  /** Set when the peer left us no method to authenticate it with. */
  authExhausted = false;
  loopbackSuspected = 0;
  private peer: PeerWishes = { ...NO_PEER_WISHES };
  private acked: AckedWishes = { ...NO_ACKED_WISHES };

  private readonly settings: LcpSettings;

  constructor(settings: LcpSettings) {
    // An MRRU of 0 is how the configuration stores `mrru=disabled`; offering `<mrru 0>` (seen
    // against pppd 2.4.9, which rejects it) would announce Multilink (RFC 1990 5.1.2) and make
    // us acknowledge the peer's MRRU, which breaks Windows. Anything below the smallest MRU
    // (RFC 1661 6.1) is no MRRU at all.
    const mrru = settings.mrru !== undefined && settings.mrru >= MIN_MRU ? settings.mrru : undefined;
    this.settings = { ...settings, mrru };
    this.mru = Math.min(settings.maxMru, DEFAULT_MRU);
  }

  resetci(): void {
    this.mru = Math.min(this.settings.maxMru, DEFAULT_MRU);
    this.wantMru = this.mru !== DEFAULT_MRU;
    this.wantMagic = true;
    this.magic = this.settings.magic() >>> 0 || 1;
    this.wantPfc = true;
    this.wantAcfc = true;
    this.wantMrru = this.settings.mrru !== undefined;
    this.wantEndpoint = this.wantMrru;
    // Class 1, a locally assigned address (RFC 1990 5.1.3): one link never joins a bundle, so
    // it only has to differ from the peer's.
    this.endpoint = Buffer.alloc(4);
    this.endpoint.writeUInt32BE(this.settings.magic() >>> 0);
    this.authCandidates = this.settings.role === 'authenticator' ? strongestFirst(this.settings.methods) : [];
    this.authExhausted = false;
    // Only our request's state: the peer's wishes belong to its request, and on a renegotiation
    // from Opened the automaton judges that request (reqci) before it starts ours (tld,scr,sca).
    this.acked = { ...NO_ACKED_WISHES };
  }

  addci(): PppOption[] {
    const opts: LcpOption[] = [];
    if (this.wantMru) opts.push({ kind: 'mru', mru: this.mru });
    if (this.authCandidates.length > 0) {
      const a = authOptionFor(this.authCandidates[0]!);
      opts.push({ kind: 'auth-protocol', protocol: a.protocol, data: a.data });
    }
    if (this.wantMagic) opts.push({ kind: 'magic-number', magic: this.magic });
    if (this.wantPfc) opts.push({ kind: 'pfc' });
    if (this.wantAcfc) opts.push({ kind: 'acfc' });
    if (this.wantMrru && this.settings.mrru !== undefined) opts.push({ kind: 'mrru', mrru: this.settings.mrru });
    if (this.wantEndpoint && this.settings.mrru !== undefined) opts.push({ kind: 'endpoint-discriminator', class: 1, address: this.endpoint });
    return opts.map(encodeLcpOption);
  }

  ackci(): void {
    this.acked = {
      mru: this.wantMru ? this.mru : DEFAULT_MRU,
      pfc: this.wantPfc,
      acfc: this.wantAcfc,
      auth: this.authCandidates[0],
      mrru: this.wantMrru ? this.settings.mrru : undefined,
    };
  }

  nakci(options: readonly PppOption[]): boolean {
    for (const raw of options) {
      const o = decodeLcpOption(raw);
      if (o instanceof WireError) return false;
      switch (o.kind) {
        case 'mru':
          // RFC 1661 6.1: we may send a smaller MRU than asked; never above our max-mru.
          this.mru = Math.max(MIN_MRU, Math.min(o.mru, this.settings.maxMru));
          this.wantMru = true;
          break;
        case 'magic-number':
          // RFC 1661 6.4: a Nak of our magic number suggests a looped-back link; pick another.
          this.magic = this.settings.magic() >>> 0 || 1;
          this.loopbackSuspected++;
          break;
        case 'auth-protocol': {
          if (this.authCandidates.length === 0) break;
          const suggested = methodFromOption(o.protocol, o.data);
          const current = this.authCandidates.shift();
          if (suggested && suggested !== current && this.authCandidates.includes(suggested)) {
            this.authCandidates = [suggested, ...this.authCandidates.filter((m) => m !== suggested)];
          }
          if (this.authCandidates.length === 0) this.authExhausted = true;
          break;
        }
        default:
          break; // Naks of options we did not ask for are hints we do not need (RFC 1661 5.3)
      }
    }
    return true;
  }

  rejci(options: readonly PppOption[]): boolean {
    for (const raw of options) {
      switch (raw.type) {
        case LCP_OPTION.MRU: this.wantMru = false; this.mru = DEFAULT_MRU; break;
        case LCP_OPTION.AUTH_PROTOCOL:
          if (this.authCandidates.length > 0) {
            this.authCandidates = [];
            this.authExhausted = true;
          }
          break;
        case LCP_OPTION.MAGIC_NUMBER: this.wantMagic = false; break;
        case LCP_OPTION.PFC: this.wantPfc = false; break;
        case LCP_OPTION.ACFC: this.wantAcfc = false; break;
        case LCP_OPTION.MRRU: this.wantMrru = false; break;
        case LCP_OPTION.ENDPOINT_DISCRIMINATOR: this.wantEndpoint = false; break;
        default: return false;
      }
    }
    return true;
  }

  reqci(options: readonly PppOption[]): ConfigureReply {
    const naks: PppOption[] = [];
    const rejects: PppOption[] = [];
    let sawAuth = false;
    const next: PeerWishes = { ...NO_PEER_WISHES, magic: this.peer.magic };
    const multilink = this.settings.mrru !== undefined;
    for (const raw of options) {
      const o = decodeLcpOption(raw);
      if (o instanceof WireError) { rejects.push(raw); continue; }
      switch (o.kind) {
        case 'mru':
          if (o.mru < MIN_MRU) naks.push(encodeLcpOption({ kind: 'mru', mru: MIN_MRU }));
          else next.mru = o.mru;
          break;
        case 'accm':
          break; // meaningless on a synchronous PPTP link but harmless to acknowledge (RFC 2637 sec 4)
        case 'auth-protocol': {
          sawAuth = true;
          const method = methodFromOption(o.protocol, o.data);
          if (this.settings.role === 'authenticator') {
            rejects.push(raw); // we do not authenticate ourselves to the peer
          } else if (method && this.settings.methods.includes(method)) {
            next.auth = method;
          } else {
            const preferred = strongestFirst(this.settings.methods)[0];
            if (preferred) {
              const a = authOptionFor(preferred);
              naks.push(encodeLcpOption({ kind: 'auth-protocol', protocol: a.protocol, data: a.data }));
            } else {
              rejects.push(raw);
            }
          }
          break;
        }
        case 'magic-number':
          if (this.wantMagic && o.magic === this.magic && o.magic !== 0) {
            this.loopbackSuspected++;
            naks.push(encodeLcpOption({ kind: 'magic-number', magic: this.settings.magic() >>> 0 || 1 }));
          } else if (o.magic === 0) {
            rejects.push(raw); // RFC 1661 6.4: zero is not a magic number
          } else {
            next.magic = o.magic;
          }
          break;
        case 'pfc': next.pfc = true; break;
        case 'acfc': next.acfc = true; break;
        case 'mrru':
          // RFC 1990 5.1.2: acknowledging an MRRU says we speak MP, so only with our mrru set.
          if (!multilink) rejects.push(raw);
          else if (o.mrru < MIN_MRU) naks.push(encodeLcpOption({ kind: 'mrru', mrru: DEFAULT_MRU }));
          else next.mrru = o.mrru;
          break;
        case 'endpoint-discriminator':
          if (multilink) next.endpoint = { class: o.class, address: o.address };
          else rejects.push(raw);
          break;
        case 'short-sequence':
          // RFC 1990 5.1.2: the peer wants 12-bit sequence numbers in what we send it.
          if (multilink) next.shortSequence = true;
          else rejects.push(raw);
          break;
        default:
          rejects.push(raw); // Callback, Quality-Protocol, and all we do not know
      }
    }
    if (this.settings.role === 'peer' && !sawAuth) next.auth = undefined;
    this.peer = next;
    if (rejects.length > 0) return { kind: 'reject', options: rejects };
    if (naks.length > 0) return { kind: 'nak', options: naks };
    return { kind: 'ack', options: [] };
  }

  /** A peer that demands authentication we cannot give: the peer side saw no acceptable method. */
  get peerDemandsAuth(): boolean {
    return this.settings.role === 'peer' && this.peer.auth !== undefined;
  }

  get localMagic(): number {
    return this.wantMagic ? this.magic : 0;
  }

  result(): LcpResult {
    const mtu = Math.min(this.peer.mru, this.settings.maxMtu);
    return {
      mru: this.acked.mru,
      mtu,
      peerPfc: this.peer.pfc,
      peerAcfc: this.peer.acfc,
      localPfc: this.acked.pfc,
      localAcfc: this.acked.acfc,
      auth: this.settings.role === 'authenticator' ? this.acked.auth : this.peer.auth,
      peerMrru: this.peer.mrru,
      localMrru: this.acked.mrru,
      peerShortSequence: this.peer.shortSequence,
      peerEndpointDiscriminator: this.peer.endpoint,
      localMagic: this.localMagic,
      peerMagic: this.peer.magic,
    };
  }
}

export { MAX_LOOPBACK_NAKS };
