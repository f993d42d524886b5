// The one error every codec in src/wire returns (never throws) for bytes it cannot accept.
// It names the message, the field and the byte offset so a log line can say exactly what
// was wrong with a peer's packet.

export class WireError {
  readonly kind = 'WireError' as const;
  constructor(
    /** The message or structure being parsed, e.g. "Outgoing-Call-Request", "GRE header". */
    readonly message: string,
    /** The field at fault, e.g. "magic cookie", "length". */
    readonly field: string,
    /** Offset of the field in the input, in bytes. */
    readonly offset: number,
    /** What was wrong, in words. */
    readonly reason: string,
  ) {}

  toString(): string {
    return `${this.message}: bad ${this.field} at offset ${this.offset}: ${this.reason}`;
  }
}

export function isWireError(value: unknown): value is WireError {
  return value instanceof WireError;
}
