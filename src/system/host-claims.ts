// What routerd has put on the host that outlives the process: bridges, the IFB devices of
// rate-limits, addresses and routes on ports and bridges. A killed routerd cannot take these
// away, and the next one must know which of what it finds are its own: an address or route the
// admin or another program made looks the same in the kernel. So every such change is claimed
// here before it is made and released after it is undone (write-ahead), and the claims are kept
// in a file that names the boot and the network namespace they belong to.
//
// The programs routerd starts (dnsmasq, udhcpc) are claimed by PID and start time once started:
// off the board nothing else stops them when routerd dies, and a dnsmasq left holding the DNS
// and DHCP ports would keep the next one from starting. (On the board systemd stops the whole
// unit.) A PID is only known after the fork, so a kill in between leaves that one unclaimed.
//
// TUN devices are not claimed: they are not persistent, so the kernel deletes them, with their
// addresses and routes, when the process that opened them dies, however it dies.
//
// The file is replaced atomically (temp file, rename) but not fsynced: the kernel state it
// describes does not survive a power cut either, and a claim file of another boot is ignored.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import type { InterfaceAddress } from './addresses.js';
import type { Route } from './routes.js';

/** A link routerd created: its exact index once made; before that, any index above `after`. */
export interface LinkClaim {
  readonly kind: 'link';
  readonly name: string;
  readonly ifindex?: number;
  readonly after?: number;
}

/** An address on the device that had this index when it was claimed. */
export interface AddressClaim {
  readonly kind: 'address';
  readonly ifindex: number;
  readonly address: InterfaceAddress;
}

/** A route as routerd asked for it; ifindex is its device's when it names one. */
export interface RouteClaim {
  readonly kind: 'route';
  readonly ifindex?: number;
  readonly route: Route;
}

/** A program routerd started: its PID and start time (/proc/PID/stat, clock ticks since boot). */
export interface ProcessClaim {
  readonly kind: 'process';
  readonly name: string;
  readonly pid: number;
  readonly start: number;
}

export type HostClaim = LinkClaim | AddressClaim | RouteClaim | ProcessClaim;

interface ClaimFile {
  readonly boot: string;
  readonly netns: string;
  readonly claims: readonly HostClaim[];
}

/** The identity of what the kernel holds: this boot, this network namespace. */
export function kernelIdentity(): { boot: string; netns: string } {
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return { boot, netns: readlinkSync('/proc/self/ns/net') };
}

export function claimKey(c: HostClaim): string {
  if (c.kind === 'link') return `link ${c.name}`;
  if (c.kind === 'address') return `address ${JSON.stringify(c.address)}`;
  if (c.kind === 'process') return `process ${c.pid}`;
  return `route ${JSON.stringify(c.route)}`;
}

export class HostClaims {
  private readonly claims = new Map<string, HostClaim>();
  /** What the file held when routerd started, if it was written in this boot and namespace. */
  readonly inherited: readonly HostClaim[];

  constructor(
    readonly file: string,
    private readonly identity: { boot: string; netns: string } = kernelIdentity(),
  ) {
    this.inherited = this.read();
    for (const c of this.inherited) this.claims.set(claimKey(c), c);
  }

  /** Records c (replacing a claim with the same key); written before the kernel is changed. */
  claim(c: HostClaim): void {
    const k = claimKey(c);
    const had = this.claims.get(k);
    if (had && JSON.stringify(had) === JSON.stringify(c)) return;
    this.claims.set(k, c);
    this.write();
  }

  /** Forgets a claim once what it names is gone from the kernel. */
  release(c: HostClaim): void {
    if (this.claims.delete(claimKey(c))) this.write();
  }

  /** Claims a program just started, until it exits. */
  claimProcess(name: string, child: ChildProcess): void {
    const pid = child.pid;
    const start = pid === undefined ? undefined : processStart(pid);
    if (pid === undefined || start === undefined) return; // it never ran, or is already gone
    const c: ProcessClaim = { kind: 'process', name, pid, start };
    this.claim(c);
    child.once('exit', () => this.release(c));
  }

  has(c: HostClaim): boolean {
    return this.claims.has(claimKey(c));
  }

  all(): HostClaim[] {
    return [...this.claims.values()];
  }

  private read(): HostClaim[] {
    if (!existsSync(this.file)) return [];
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as ClaimFile;
      if (data.boot !== this.identity.boot || data.netns !== this.identity.netns || !Array.isArray(data.claims)) return [];
      return data.claims.filter(isClaim);
    } catch {
      return []; // unreadable: claim nothing rather than remove something not ours
    }
  }

  private write(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = join(dirname(this.file), `.${basename(this.file)}.tmp-${process.pid}`);
    const data: ClaimFile = { ...this.identity, claims: this.all() };
    writeFileSync(tmp, JSON.stringify(data) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function isClaim(v: unknown): v is HostClaim {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  if (c.kind === 'link') return typeof c.name === 'string';
  if (c.kind === 'address') return typeof c.ifindex === 'number' && typeof c.address === 'object' && c.address !== null;
  if (c.kind === 'route') return typeof c.route === 'object' && c.route !== null;
  if (c.kind === 'process') return typeof c.name === 'string' && Number.isInteger(c.pid) && Number.isInteger(c.start);
  return false;
}

/** A process's start time in clock ticks since boot; undefined when there is no such process. */
export function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: fields are counted after its ')'.
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isInteger(start) ? start : undefined;
  } catch {
    return undefined;
  }
}
