// An expect-style view of a serial line (QEMU's UART on a unix socket): everything received is
// kept in a transcript, waitFor() resolves when a pattern shows up after the last match, send()
// types text as a user would.
import { connect, type Socket } from 'node:net';

export class SerialTimeout extends Error {}

// The console draws with ANSI escapes (colours, line editing); patterns match the plain text.
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g;

export class SerialSession {
  private raw = '';
  private cursor = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  /** The text between the previous match and the latest one. */
  lastBefore = '';

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.raw += d.toString('latin1');
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  /** Connects to a QEMU `-chardev socket,server=on` path, retrying while QEMU creates it. */
  static async open(path: string, timeoutMs = 20_000): Promise<SerialSession> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(path, () => resolve(s));
          s.once('error', reject);
        });
        return new SerialSession(socket);
      } catch (e) {
        if (Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Everything received so far, escapes removed. */
  get transcript(): string {
    return this.raw.replace(ANSI, '');
  }

  /** Waits for `pattern` in the text received after the previous match; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const text = this.transcript;
      const rest = text.slice(this.cursor);
      const m = rest.match(pattern);
      if (m && m.index !== undefined) {
        this.lastBefore = rest.slice(0, m.index);
        this.cursor += m.index + m[0].length;
        return m;
      }
      const left = end - Date.now();
      if (left <= 0 || this.closed) {
        throw new SerialTimeout(
          `${this.closed ? 'serial line closed' : `no ${pattern} within ${timeoutMs} ms`}; last output:\n${rest.slice(-600)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Text received since the last match (not consumed). */
  pending(): string {
    return this.transcript.slice(this.cursor);
  }

  /** Types a line and presses Enter (CR, as a terminal does). */
  sendLine(line: string): void {
    this.socket.write(`${line}\r`);
  }

  close(): void {
    this.socket.destroy();
  }
}
