// One /ip dhcp-client row at work (issue 16): busybox's udhcpc does the DHCP protocol on the
// port (discover, request, renew and rebind at T1/T2, release on USR2, renew on USR1); its
// script only reports each event (src/system/udhcpc-events.ts) and this class hands the lease
// to the router, which makes its address, default route and DNS servers dynamic entries.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DhcpClientStatus } from '../config/runtime.js';
import { formatDuration } from '../config/types.js';
import type { Logger } from '../log.js';
import { DhcpEventReader, UDHCPC_SCRIPT, type DhcpLeaseInfo } from '../system/udhcpc-events.js';
import { monotonicNow } from '../monotonic.js';

export const UDHCPC = (process.env.ROUTERD_UDHCPC ?? 'busybox udhcpc').split(' ');

export interface DhcpClientOptions {
  readonly device: string;
  readonly hostName: string;
  /** Where the event script is written. */
  readonly dir: string;
  readonly log: Logger;
  /** A lease arrived or was renewed (lease), or there is none any more (undefined). */
  readonly onLease: (lease: DhcpLeaseInfo | undefined) => void;
  /** Each udhcpc as it is started (the router claims it, src/system/host-claims.ts). */
  readonly started?: (child: ChildProcess) => void;
}

export class DhcpClientRunner {
  private child: ChildProcess | undefined;
  private lease: DhcpLeaseInfo | undefined;
  private expiresAt = 0;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DhcpClientOptions) {}

  start(): void {
    const script = join(this.o.dir, 'udhcpc.script');
    try {
      mkdirSync(this.o.dir, { recursive: true });
      writeFileSync(script, UDHCPC_SCRIPT);
      chmodSync(script, 0o755);
    } catch (e) {
      this.o.log.error(`dhcp-client on ${this.o.device} not started: ${(e as Error).message}`);
      return;
    }
    // -f: stay attached so its script's reports reach us; -b is not used (we are the supervisor).
    const argv = [...UDHCPC, '-f', '-i', this.o.device, '-s', script, '-t', '3', '-T', '2', '-A', '3', '-O', 'ntpsrv', '-x', `hostname:${this.o.hostName}`];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.o.started?.(child);
    const reader = new DhcpEventReader();
    child.stdout!.on('data', (d: Buffer) => {
      for (const e of reader.feed(d.toString())) {
        if (e.kind === 'lease') {
          const changed = this.lease?.address !== e.lease.address || this.lease?.gateway !== e.lease.gateway;
          this.lease = e.lease;
          this.expiresAt = monotonicNow() + e.lease.leaseSeconds * 1000;
          if (changed) this.o.log.info(`dhcp-client on ${this.o.device} got ${e.lease.address} from ${e.lease.server}${e.lease.gateway ? `, gateway ${e.lease.gateway}` : ''}`);
          this.o.onLease(e.lease);
        } else if (this.lease) {
          this.o.log.info(`dhcp-client on ${this.o.device} lost its lease (${e.why})`);
          this.lease = undefined;
          this.o.onLease(undefined);
        }
      }
    });
    child.stderr!.on('data', () => {}); // udhcpc's chatter ("sending discover") is not news
    child.on('error', (e) => this.o.log.error(`dhcp-client on ${this.o.device}: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      this.o.log.error(`dhcp-client on ${this.o.device}: udhcpc exited (${signal ?? `code ${code}`}), starting it again in 5 s`);
      this.restartTimer = setTimeout(() => !this.stopped && this.start(), 5000);
      this.restartTimer.unref();
    });
  }

  status(now: number): DhcpClientStatus {
    if (!this.lease) return { status: 'searching...' };
    return {
      status: 'bound',
      address: this.lease.address,
      gateway: this.lease.gateway,
      dhcpServer: this.lease.server,
      primaryDns: this.lease.dns[0],
      expiresAfter: formatDuration(Math.max(0, (this.expiresAt - now) / 1000)),
    };
  }

  get current(): DhcpLeaseInfo | undefined {
    return this.lease;
  }

  /** RouterOS release: give the lease back, then ask for one again. */
  release(): string | undefined {
    if (!this.child) return 'failure: the DHCP client is not running';
    this.child.kill('SIGUSR2');
    const child = this.child;
    setTimeout(() => child.exitCode === null && child.kill('SIGUSR1'), 1000).unref();
    return undefined;
  }

  renew(): string | undefined {
    if (!this.child) return 'failure: the DHCP client is not running';
    this.child.kill('SIGUSR1');
    return undefined;
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = undefined;
    if (this.lease) {
      this.lease = undefined;
      this.o.onLease(undefined);
    }
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
