// Multilink over one link for the reference data plane: src/wire/multilink.ts's fragmenter and
// reassembler joined to PPP framing, a reassembly timer and counters. Frames in and out are
// whole PPP frames (with Address/Control when not compressed).
import { performance } from 'node:perf_hooks';
import { emitPppFrame, PPP_PROTOCOL, type PppFraming } from '../wire/ppp-frame.js';
import { MpFragmenter, MpReassembler, type ReassemblyLimits } from '../wire/multilink.js';
import type { MultilinkCounters } from './counters.js';
import type { MultilinkSetup } from './dataplane.js';

/**
 * Reassembly limits (one link, fragments in order behind the GRE window): one packet of at most
 * MRRU + 2 octets (the Protocol field) in at most 64 fragments, given up 1 s after its first
 * fragment. native/src/dataplane/multilink.c takes the same numbers.
 */
export const MP_MAX_FRAGMENTS = 64;
export const MP_REASSEMBLY_TIMEOUT_MS = 1000;

export class MultilinkLink {
  private readonly fragmenter: MpFragmenter;
  private readonly reassembler: MpReassembler;
  private readonly stats: MultilinkCounters = {
    fragmentsTx: 0, fragmentsRx: 0, reassembled: 0, drops: { 'lost-fragment': 0, 'too-long': 0, timeout: 0, malformed: 0 },
  };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly setup: MultilinkSetup, private readonly deliver: (packet: Buffer) => void) {
    this.fragmenter = new MpFragmenter(setup.sendShortSequence);
    const limits: ReassemblyLimits = { maxPacket: setup.receiveMrru + 2, maxFragments: MP_MAX_FRAGMENTS, timeoutMs: MP_REASSEMBLY_TIMEOUT_MS };
    this.reassembler = new MpReassembler(setup.receiveShortSequence, limits);
  }

  /** The MP frames for `frame`, or undefined when it fits the link as it is. */
  fragment(frame: Buffer, framing: PppFraming): Buffer[] | undefined {
    const hasAddress = frame.length >= 2 && frame[0] === 0xff && frame[1] === 0x03;
    const packet = hasAddress ? frame.subarray(2) : frame;
    if (packet.length <= this.setup.mtu) return undefined;
    const out = this.fragmenter.fragment(packet, this.setup.mtu).map((information) => emitPppFrame({ protocol: PPP_PROTOCOL.MP, information }, framing));
    this.stats.fragmentsTx += out.length;
    return out;
  }

  /** One MP frame's Information: whole packets go to `deliver`. */
  receive(information: Buffer): void {
    this.stats.fragmentsRx++;
    const r = this.reassembler.receive(information, performance.now());
    for (const d of r.dropped) this.stats.drops[d]++;
    for (const p of r.packets) {
      this.stats.reassembled++;
      this.deliver(p);
    }
    this.arm();
  }

  counters(): MultilinkCounters {
    return { ...this.stats, drops: { ...this.stats.drops } };
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const deadline = this.reassembler.nextDeadline();
    if (deadline === undefined || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const d of this.reassembler.expire(performance.now())) this.stats.drops[d]++;
      this.arm();
    }, Math.max(1, Math.ceil(deadline - performance.now())));
    this.timer.unref?.();
  }
}
