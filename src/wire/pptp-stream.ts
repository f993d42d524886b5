// Cuts PPTP control messages out of a TCP byte stream. The control connection hands over its
// whole receive buffer; the answer is a message and how many bytes it used, "need more", or a
// WireError (bad length, bad cookie, ...) after which the connection is closed with that reason.

import { WireError } from './error.js';
import { checkControlHeader, parseControlMessage, type ControlMessage, type ParseOptions } from './pptp-control.js';

export type StreamRead =
  | { readonly kind: 'message'; readonly message: ControlMessage; readonly consumed: number }
  | { readonly kind: 'need-more' }
  | WireError;

export const NEED_MORE: StreamRead = { kind: 'need-more' };

/**
 * Reads the first message of buf. Header fields are checked as soon as their bytes arrive, so
 * garbage is refused without waiting for a full message. Never throws.
 */
export function readControlMessage(buf: Buffer, options: ParseOptions = {}): StreamRead {
  const header = checkControlHeader(buf, 0, options);
  if (header instanceof WireError) return header;
  if (header === undefined || buf.length < header.length) return NEED_MORE;
  const message = parseControlMessage(buf, 0, options);
  if (message instanceof WireError) return message;
  return { kind: 'message', message, consumed: header.length };
}
