// /system ntp client at work (issue 16): an SNTP client (RFC 4330) of our own. The polling
// decisions are ntp-machine.ts's; this class owns the UDP socket of each query, the poll timer,
// and hands steps to the router's clock (src/wall-clock.ts), which writes the host's clock only
// on the image.
import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../log.js';
import type { WallClock } from '../wall-clock.js';
import { isWireError } from '../wire/error.js';
import { clientRequest, emitNtp, NTP_PORT, parseNtp, timestampFromMs, type NtpTimestamp } from '../wire/ntp.js';
import { initialNtpState, judgeReply, ntpStep, type NtpAction, type NtpEvent, type NtpState } from './ntp-machine.js';

/** How long a query waits for its answer. */
const ANSWER_TIMEOUT_MS = 1_500;

export class NtpClient {
  private state: NtpState = initialNtpState;
  private timer: NodeJS.Timeout | undefined;
  private socket: Socket | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly clock: WallClock, private readonly log: Logger, private readonly port = NTP_PORT) {}

  get current(): NtpState {
    return this.state;
  }

  configure(enabled: boolean, servers: readonly string[]): void {
    this.dispatch({ kind: 'configure', enabled, servers: [...new Set(servers)] });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.endQuery();
  }

  private dispatch(event: NtpEvent): void {
    if (this.stopped) return;
    const { state, actions } = ntpStep(this.state, event);
    this.state = state;
    for (const a of actions) this.act(a);
  }

  private act(a: NtpAction): void {
    switch (a.kind) {
      case 'query':
        return this.query(a.server);
      case 'schedule':
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.dispatch({ kind: 'due' }), a.inMs);
        this.timer.unref();
        return;
      case 'cancel':
        clearTimeout(this.timer);
        this.endQuery();
        return;
      case 'step':
        void this.clock.step(a.offsetMs);
        return;
      case 'log':
        this.log[a.level](a.message);
        return;
    }
  }

  /** One request to server; its reply, silence or refusal becomes one event. */
  private query(server: string): void {
    this.endQuery();
    const socket = createSocket('udp4');
    this.socket = socket;
    let sent: NtpTimestamp | undefined;
    let t1 = 0;
    const finish = (event: NtpEvent): void => {
      if (this.socket !== socket) return;
      this.endQuery();
      this.dispatch(event);
    };
    const fail = (reason: string) => finish({ kind: 'failure', server, reason });
    socket.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ECONNREFUSED' ? 'refused (no NTP server there)' : e.message));
    socket.on('message', (msg) => {
      const t4 = this.clock.now();
      if (!sent) return;
      const packet = parseNtp(msg);
      if (isWireError(packet)) return fail(`bad reply: ${packet.toString()}`);
      const sample = judgeReply(packet, sent, t1, t4);
      if (typeof sample === 'string') return fail(`reply rejected: ${sample}`);
      finish({ kind: 'sample', server, sample });
    });
    socket.connect(this.port, server, () => {
      if (this.socket !== socket) return;
      t1 = this.clock.now();
      // The low 16 bits of the fraction (15 µs) are random: an off-path forger cannot guess
      // the origin timestamp our check wants back (RFC 5905 section 9.1 suggests the same).
      const ts = timestampFromMs(t1);
      sent = { seconds: ts.seconds, fraction: ((ts.fraction & 0xffff0000) | randomInt(0x10000)) >>> 0 };
      socket.send(emitNtp(clientRequest(sent)), (e) => e && fail(e.message));
    });
    this.answerTimer = setTimeout(() => fail('no answer'), ANSWER_TIMEOUT_MS);
    this.answerTimer.unref();
  }

  private endQuery(): void {
    clearTimeout(this.answerTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      try {
        socket.close();
      } catch {
        // already closed by an error
      }
    }
  }
}
