// The entry of a network control protocol that runs one automaton during the Network phase
// (IPCP, CCP, BCP): the session starts it with a handler built from the user's settings and
// drops it when LCP goes down. Before that, its frames are discarded: the peer retransmits.
import type { OptionHandler } from '../fsm.js';
import type { PppHost, ProtocolEntry } from './entry.js';
import { FsmLayer, type LayerEvents } from './fsm-layer.js';

export class NcpProtocol<H extends OptionHandler> implements ProtocolEntry {
  private current: { readonly layer: FsmLayer; readonly handler: H } | undefined;

  constructor(
    readonly protocol: number,
    readonly name: string,
    protected readonly host: PppHost,
    private readonly events: LayerEvents,
    /** Claims codes beyond 7 (CCP Reset-Request/Ack). */
    private readonly extra?: (code: number, identifier: number, data: Buffer) => boolean,
    /** A frame arrived before the automaton exists or is started: true when it was dealt with. */
    private readonly early?: (information: Buffer) => boolean,
  ) {}

  get layer(): FsmLayer | undefined { return this.current?.layer; }
  get handler(): H | undefined { return this.current?.handler; }
  get opened(): boolean { return this.current?.layer.opened ?? false; }

  /** The Network phase begins: a fresh automaton with this handler (not yet Up). */
  begin(handler: H): FsmLayer {
    this.end();
    const layer = new FsmLayer(this.protocol, this.name, handler, this.host, this.events);
    this.current = { layer, handler };
    return layer;
  }

  /** Forget the automaton (its timer stops); the protocol is not negotiated any more. */
  end(): void {
    this.current?.layer.discard();
    this.current = undefined;
  }

  input(information: Buffer): void {
    if (this.early?.(information)) return;
    this.current?.layer.input(information, this.extra);
  }

  protocolReject(): void {
    this.current?.layer.rejected(true, `peer rejected ${this.name}`);
  }

  lowerDown(): void {
    this.end();
  }
}
