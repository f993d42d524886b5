// /ip dhcp-server and /ip dns onto the host (issue 16): one dnsmasq, its configuration file
// regenerated from the model on every change and the process restarted only when that file
// changed. Leases are read back from dnsmasq's lease file for `/ip dhcp-server lease print`.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import {
  dhcpServer, dhcpServerLease, dhcpServerNetwork, dns, dnsStatic, ethernet, ipPool,
} from '../config/menus/index.js';
import type { ConfigModel } from '../config/model.js';
import type { DhcpLease } from '../config/runtime.js';
import type { Logger } from '../log.js';
import { dnsmasqConfig, inRanges, parseLeases } from '../system/dnsmasq-config.js';
import { DnsCacheReader, type DnsCacheEntry } from '../system/dnsmasq-cache.js';
import { Supervised } from '../system/supervised.js';
import { kernelDevice } from './link-names.js';

export const DNSMASQ = process.env.ROUTERD_DNSMASQ ?? 'dnsmasq';

export class DhcpDns {
  private readonly daemon: Supervised;
  private written: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly confFile: string;
  private readonly leaseFile: string;
  private readonly cacheReader: DnsCacheReader;
  private cacheWaiters: ((entries: readonly DnsCacheEntry[] | string) => void)[] = [];
  private cacheTimer: NodeJS.Timeout | undefined;
  private flushWaiters: ((result: string | undefined) => void)[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** Upstream DNS servers learned at run time (DHCP client), by source. */
  private dynamicServers: readonly string[] = [];

  constructor(
    private readonly model: ConfigModel,
    private readonly dir: string,
    private readonly log: Logger,
    started?: (child: ChildProcess) => void,
  ) {
    this.cacheReader = new DnsCacheReader({
      started: () => this.daemon.signal('SIGUSR1'),
      finished: (entries) => this.settleCache(entries),
      cleared: () => this.settleFlush(undefined),
    });
    // TZ=UTC: the cache dump's expiry times are ctime() strings in dnsmasq's zone.
    this.daemon = new Supervised('dnsmasq', log, { onLine: (l) => this.cacheReader.feed(l), env: { TZ: 'UTC' }, ...(started ? { started } : {}) });
    this.confFile = join(dir, 'dnsmasq.conf');
    this.leaseFile = join(dir, 'dnsmasq.leases');
  }

  setDynamicServers(servers: readonly string[]): Promise<void> {
    this.dynamicServers = servers;
    return this.reconcile();
  }

  reconcile(): Promise<void> {
    const run = this.queue.then(() => this.apply());
    this.queue = run.catch(() => {});
    return run;
  }

  stop(): Promise<void> {
    const run = this.queue.then(() => this.daemon.stop());
    this.queue = run.catch(() => {});
    return run;
  }

  /** What dnsmasq's cache holds now (its SIGUSR1 dump); a string: why not. */
  cache(): Promise<readonly DnsCacheEntry[] | string> {
    if (!this.daemon.running) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.cacheWaiters.push(resolve);
      if (this.cacheWaiters.length > 1) return; // one dump answers every waiter
      this.cacheReader.want();
      this.daemon.signal('SIGUSR1');
      this.cacheTimer = setTimeout(() => this.settleCache('failure: the DNS cache did not answer'), 3000);
      this.cacheTimer.unref();
    });
  }

  /**
   * `/ip dns cache flush`: dnsmasq empties its cache on SIGHUP. Done once it says "cleared
   * cache": a dump asked for sooner could be handled first (its signal may interrupt the
   * SIGHUP handler) and still show what was flushed.
   */
  flushCache(): Promise<string | undefined> {
    if (!this.daemon.running) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.flushWaiters.push(resolve);
      if (this.flushWaiters.length > 1) return;
      this.daemon.signal('SIGHUP');
      this.flushTimer = setTimeout(() => this.settleFlush('failure: the DNS cache did not answer'), 3000);
      this.flushTimer.unref();
    });
  }

  private settleFlush(result: string | undefined): void {
    clearTimeout(this.flushTimer);
    for (const w of this.flushWaiters.splice(0)) w(result);
  }

  private settleCache(entries: readonly DnsCacheEntry[] | string): void {
    clearTimeout(this.cacheTimer);
    for (const w of this.cacheWaiters.splice(0)) w(entries);
  }

  leases(): readonly DhcpLease[] {
    let text: string;
    try {
      text = readFileSync(this.leaseFile, 'utf8');
    } catch {
      return [];
    }
    const servers = this.model.list(dhcpServer);
    const pools = this.model.list(ipPool);
    const serverOf = (address: string): string =>
      servers.find((s) => inRanges(address, pools.find((p) => p.name === s['address-pool'])?.ranges ?? []))?.name ?? '';
    const fixed = new Set(this.model.list(dhcpServerLease).map((l) => l['mac-address']));
    return parseLeases(text, Math.floor(Date.now() / 1000), serverOf).filter((l) => !fixed.has(l.mac));
  }

  private device(ref: string): string | undefined {
    return kernelDevice(this.model, ref);
  }

  private async apply(): Promise<void> {
    const settings = this.model.settings(dns);
    const text = dnsmasqConfig({
      servers: this.model.list(dhcpServer),
      networks: this.model.list(dhcpServerNetwork),
      leases: this.model.list(dhcpServerLease),
      pools: new Map(this.model.list(ipPool).map((p) => [p.name, p.ranges])),
      dns: { servers: settings.servers, allowRemoteRequests: settings['allow-remote-requests'], cacheSize: settings['cache-size'] },
      statics: this.model.list(dnsStatic),
      dynamicServers: this.dynamicServers,
      device: (ref) => this.device(ref),
      ports: this.model.list(ethernet).map((p) => p['default-name']),
      leaseFile: this.leaseFile,
    });
    if (text === this.written && (text === undefined || this.daemon.running)) return;
    this.written = text;
    if (text === undefined) {
      await this.daemon.stop();
      return;
    }
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(this.confFile, text);
    } catch (e) {
      this.log.error(`DHCP and DNS not started: ${(e as Error).message}`);
      return;
    }
    // The same user as routerd: dnsmasq gets no more rights than the router has, and can
    // write its lease file in the router's directory. --group= (empty): keep routerd's group;
    // dnsmasq's default is to switch to "dip", which needs CAP_SETGID, and the image's routerd
    // does not have it (dnsmasq then exits: no DHCP or DNS on the LAN).
    await this.daemon.run([
      // --log-queries: without it SIGUSR1 dumps no cache rows (the query lines are dropped).
      DNSMASQ, '--keep-in-foreground', '--log-facility=-', '--log-queries', `--conf-file=${this.confFile}`, '--pid-file=', `--user=${userInfo().username}`, '--group=',
    ]);
  }
}
