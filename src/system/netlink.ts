// Typed access to the addon's rtnetlink socket (native/src/net/netlink.cc): links, IPv4 addresses
// and routes changed and read with a system call each instead of an `ip` process. A Host uses it
// whenever the addon has it; without the addon (a tree where `make native` has not run) the
// iproute2 path stays. In a named namespace a socket is opened for each request and closed after:
// a socket held open would keep a namespace alive after `ip netns del`.
import { loadNativeAddon } from '../native.js';
import { type CommandRunner, type SystemResult, failed, ok } from './command.js';
import { NetlinkView } from './netlink-view.js';

export interface NetlinkLink {
  readonly ifindex: number;
  readonly name: string;
  readonly mtu: number;
  /** IFF_* flags (IFF_UP is bit 0). */
  readonly flags: number;
  readonly operState: string;
  readonly kind?: string;
  readonly address?: string;
}

export interface NetlinkAddress {
  readonly ifindex: number;
  readonly local: string;
  readonly prefixLength: number;
  readonly peer?: string;
}

export interface NetlinkRoute {
  readonly dst: string;
  readonly prefixLength: number;
  /** RTN_* (1 unicast). */
  readonly type: number;
  readonly gateway?: string;
  readonly ifindex?: number;
  readonly metric?: number;
}

export interface LinkChanges {
  readonly up?: boolean;
  readonly mtu?: number;
  readonly name?: string;
}

export interface RouteTarget {
  readonly gateway?: string;
  readonly device?: string;
  readonly metric?: number;
}

/** One kernel notification from changes(), in the order the kernel made them. */
export type NetlinkChange =
  | (NetlinkLink & { readonly type: 'link'; readonly deleted: boolean })
  | (NetlinkAddress & { readonly type: 'address'; readonly deleted: boolean });

/** Every change returns null, or the kernel's error text; bad argument types throw a TypeError. */
export interface NetlinkSocket {
  linkIndex(name: string): number | string;
  setLink(name: string, changes: LinkChanges): string | null;
  /** setLink on libuv's thread pool: a rename waits out an RCU grace period under the RTNL lock. */
  setLinkAsync(name: string, changes: LinkChanges): Promise<string | null>;
  deleteLink(name: string): string | null;
  address(op: 'add' | 'del', device: string, local: string, prefixLength: number, peer?: string): string | null;
  /** address on libuv's thread pool: every change waits for the kernel's RTNL lock. */
  addressAsync(op: 'add' | 'del', device: string, local: string, prefixLength: number, peer?: string): Promise<string | null>;
  route(op: 'add' | 'replace' | 'del', dst: string, prefixLength: number, target: RouteTarget): string | null;
  links(): NetlinkLink[];
  addresses(): NetlinkAddress[];
  routes(): NetlinkRoute[];
  /** Subscribes to link and IPv4 address notifications (src/system/netlink-view.ts). */
  watch(receiveBufferBytes?: number): void;
  /** The notifications queued since the last call; null when some were lost (dump again). */
  changes(): NetlinkChange[] | null;
  close(): void;
}

type NetlinkConstructor = new (netnsPath?: string) => NetlinkSocket;

let ctor: NetlinkConstructor | null | undefined;

function netlinkClass(): NetlinkConstructor | null {
  if (ctor === undefined) {
    try {
      ctor = (loadNativeAddon().Netlink as NetlinkConstructor | undefined) ?? null;
    } catch {
      ctor = null;
    }
  }
  return ctor;
}

export function netlinkAvailable(): boolean {
  return netlinkClass() !== null;
}

/** Opens a route socket, in /run/netns/<netns> when given. Throws when the addon has none. */
export function openNetlink(netns?: string): NetlinkSocket {
  const C = netlinkClass();
  if (C === null) throw new Error('netlink: the native addon is not built (run "make native")');
  return new C(netns === undefined ? undefined : `/run/netns/${netns}`);
}

let shared: NetlinkSocket | undefined;
let sharedView: NetlinkView | undefined;

/**
 * The links and addresses of the process's own namespace, kept current from the kernel's
 * notifications; undefined for a named namespace (a socket held open there would keep it alive
 * after `ip netns del`) or without the addon.
 */
export function hostView(runner: CommandRunner): NetlinkView | undefined {
  if (runner.netns !== undefined || !netlinkAvailable()) return undefined;
  sharedView ??= new NetlinkView(openNetlink());
  return sharedView;
}

function onSocket<T>(runner: CommandRunner, fn: (nl: NetlinkSocket) => T): T {
  if (runner.netns === undefined) {
    shared ??= openNetlink();
    return fn(shared);
  }
  const nl = openNetlink(runner.netns);
  try {
    return fn(nl);
  } finally {
    nl.close();
  }
}

/**
 * Runs fn on a socket in the runner's namespace: undefined when netlink is not there (the caller
 * falls back to `ip`). argv reads as the `ip` command it replaces, prefixed with "rtnetlink", so a
 * log line says what was asked; a refusal has code 2, what `ip` exits with then. An argument the
 * binding rejects (a TypeError) comes back as a failure too: a Host never throws.
 */
export function viaNetlink<T>(runner: CommandRunner, argv: readonly string[], fn: (nl: NetlinkSocket) => T): SystemResult<T> | undefined {
  if (!netlinkAvailable()) return undefined;
  try {
    return ok(onSocket(runner, fn));
  } catch (e) {
    return failed(['rtnetlink', ...argv], 2, (e as Error).message);
  }
}

/** viaNetlink for a change made on libuv's thread pool (the process's own namespace only). */
export async function changeViaNetlinkAsync(
  runner: CommandRunner,
  argv: readonly string[],
  fn: (nl: NetlinkSocket) => Promise<string | null>,
): Promise<SystemResult<void> | undefined> {
  if (runner.netns !== undefined || !netlinkAvailable()) return undefined;
  try {
    shared ??= openNetlink();
    const refused = await fn(shared);
    return refused === null ? ok(undefined) : failed(['rtnetlink', ...argv], 2, refused);
  } catch (e) {
    return failed(['rtnetlink', ...argv], 2, (e as Error).message);
  }
}

/** Like viaNetlink for a change, whose binding call returns null or the kernel's error text. */
export function changeViaNetlink(runner: CommandRunner, argv: readonly string[], fn: (nl: NetlinkSocket) => string | null): SystemResult<void> | undefined {
  const r = viaNetlink(runner, argv, fn);
  if (r === undefined || !r.ok) return r;
  return r.value === null ? ok(undefined) : failed(['rtnetlink', ...argv], 2, r.value);
}
