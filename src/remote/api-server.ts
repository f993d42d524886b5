// The RouterOS API over TCP (api, 8728) or TLS (api-ssl, 8729): each connection's bytes are cut
// into sentences by the pure codec and handed to an ApiSession; its replies are framed back.
// Bytes the codec refuses (a reserved length byte, a word over the limit) close that connection
// alone, with the reason in the log.
import type { Socket } from 'node:net';
import { WireError } from '../wire/error.js';
import { emitSentence, parseSentence } from '../wire/routeros-api.js';
import { ApiSession, type ApiDeps } from './api-session.js';
import { plainAddress } from './address-filter.js';

/** A sentence may be long (an export pasted as a script), but not without end. */
const MAX_BUFFERED = 8 << 20;

/** Serves one accepted connection until it closes. */
export function serveApiConnection(deps: ApiDeps, socket: Socket, via: string): void {
  const address = plainAddress(socket.remoteAddress);
  const log = deps.log.logger('system');
  let buffered: Buffer = Buffer.alloc(0);
  let open = true;
  const close = (reason: string, error = false): void => {
    if (!open) return;
    open = false;
    if (error) log.warning(`${via}: closing connection from ${address}: ${reason}`);
    session.end();
    socket.end();
    // A peer that never reads its replies must not hold the socket open.
    setTimeout(() => socket.destroy(), 2000).unref();
  };
  const session = new ApiSession(
    deps,
    { address, via },
    (words) => {
      if (open) socket.write(emitSentence(words));
    },
    (reason) => close(reason),
  );
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    if (!open) return;
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    if (buffered.length > MAX_BUFFERED) return close(`more than ${MAX_BUFFERED} bytes without a complete sentence`, true);
    let at = 0;
    for (;;) {
      const s = parseSentence(buffered, at);
      if (s === undefined) break;
      if (s instanceof WireError) return close(s.toString(), true);
      at = s.next;
      session.sentence(s.words);
    }
    buffered = buffered.subarray(at);
  });
  socket.on('error', () => close('socket error'));
  socket.on('close', () => close('closed'));
}
