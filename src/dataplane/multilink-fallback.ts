// Multilink for a data plane that has none yet (the native one, issue 14 section 2): a call on
// which LCP may settle MP (mrru set) gets its session from a reference data plane opened on
// demand beside it. Both read every GRE packet from their own raw socket; each keeps the calls
// it owns and counts the others as unknown call IDs. The reference plane closes again when its
// last session does, so links without mrru never pay for it.
import type { DataPlane, DataPlaneOptions, DataPlaneSession, EndpointCounters, SessionParams } from './dataplane.js';
import { ReferenceDataPlane } from './reference.js';

export class MultilinkFallback implements DataPlane {
  readonly multilink = true;
  private reference: ReferenceDataPlane | undefined;
  private referenceSessions = 0;

  constructor(readonly primary: DataPlane, private readonly options: DataPlaneOptions) {}

  get name(): string { return this.primary.name; }

  openSession(params: SessionParams): DataPlaneSession {
    if (!params.multilink || this.primary.multilink) return this.primary.openSession(params);
    this.reference ??= new ReferenceDataPlane(this.options);
    const session = this.reference.openSession(params);
    this.referenceSessions++;
    params.log?.info('Multilink possible on this call: its packets take the reference data plane');
    const close = session.close.bind(session);
    let closed = false;
    return Object.assign(session, {
      close: (): Promise<void> => {
        const gone = close();
        if (closed) return gone;
        closed = true;
        if (--this.referenceSessions === 0) {
          this.reference?.close();
          this.reference = undefined;
        }
        return gone;
      },
    });
  }

  /** The primary's: the reference socket sees every call of the primary as unknown. */
  counters(): EndpointCounters {
    return this.primary.counters();
  }

  close(): void {
    this.reference?.close();
    this.reference = undefined;
    this.primary.close();
  }
}
