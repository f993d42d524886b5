// The console on a serial port (115200 8N1 by default) through the serialport package. When the
// port goes away (a USB adapter unplugged) it is opened again every few seconds.
import { SerialPort } from 'serialport';
import { ConsoleSession, type ConsoleDeps } from './session.js';

export interface SerialConsoleOptions {
  readonly path: string;
  readonly baudRate: number;
  /** Seconds between attempts to reopen a port that failed or closed. */
  readonly retrySeconds?: number;
}

export class SerialConsole {
  private port: SerialPort | undefined;
  private session: ConsoleSession | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ConsoleDeps, private readonly options: SerialConsoleOptions) {}

  /** Opens the port; resolves once open, rejects with the reason when the first open fails. */
  async start(): Promise<void> {
    await this.open();
  }

  private async open(): Promise<void> {
    const log = this.deps.log.logger('system', 'serial');
    const port = new SerialPort({
      path: this.options.path,
      baudRate: this.options.baudRate,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
    log.info(`console on ${this.options.path} at ${this.options.baudRate} 8N1`);
    this.session = new ConsoleSession(this.deps, {
      input: port,
      output: port,
      terminal: true,
      crlf: true,
      name: `serial ${this.options.path}`,
    });
    port.on('close', () => this.retry());
    port.on('error', (e) => {
      log.warning(`${this.options.path}: ${e.message}`);
      this.retry();
    });
    this.session.start();
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    this.session?.close();
    this.session = undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.open().catch(() => this.retry());
    }, (this.options.retrySeconds ?? 3) * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.session?.close();
    const port = this.port;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
