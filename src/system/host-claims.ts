// What routerd has put on the host that outlives the process: bridges, the IFB devices of
// rate-limits, addresses and routes on ports and bridges. A killed routerd cannot take these
// away, and the next one must know which of what it finds are its own: an address or route the
// admin or another program made looks the same in the kernel. So every such change is claimed
// here before it is made and released after it is undone (write-ahead), and the claims are kept
// in a file that names the boot and the network namespace they belong to.
//
// TUN devices are not claimed: they are not persistent, so the kernel deletes them, with their
// addresses and routes, when the process that opened them dies, however it dies.
//
// The file is replaced atomically (temp file, rename) but not fsynced: the kernel state it
// describes does not survive a power cut either, and a claim file of another boot is ignored.
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

export type HostClaim = LinkClaim | AddressClaim | RouteClaim;

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
  return false;
}
