// Network interfaces: list, create, delete, bring up/down, MTU, rename. Through rtnetlink when the
// addon has it (src/system/netlink.ts), else iproute2 `ip link`. Creating a link stays with `ip`:
// it takes iproute2's argument list for any link type (a veth's peer, ...).
import { type CommandRunner, type SystemResult, ipJson, ok, runQuiet } from './command.js';
import { changeViaNetlink, changeViaNetlinkAsync, hostView, viaNetlink, type NetlinkLink } from './netlink.js';

export interface Link {
  readonly ifindex: number;
  readonly name: string;
  readonly mtu: number;
  readonly up: boolean; // administratively up (IFF_UP)
  readonly operState: string; // "UP", "DOWN", "UNKNOWN" (TUN devices report UNKNOWN)
  readonly kind?: string | undefined; // "veth", "tun", "dummy", ... (from linkinfo)
  readonly address?: string | undefined;
}

interface IpLinkJson {
  ifindex: number;
  ifname: string;
  mtu: number;
  flags: string[];
  operstate: string;
  address?: string;
  linkinfo?: { info_kind?: string };
}

function toLink(j: IpLinkJson): Link {
  return {
    ifindex: j.ifindex,
    name: j.ifname,
    mtu: j.mtu,
    up: j.flags.includes('UP'),
    operState: j.operstate,
    kind: j.linkinfo?.info_kind,
    address: j.address,
  };
}

const IFF_UP = 1;

function fromNetlink(l: NetlinkLink): Link {
  return { ifindex: l.ifindex, name: l.name, mtu: l.mtu, up: (l.flags & IFF_UP) !== 0, operState: l.operState, kind: l.kind, address: l.address };
}

export async function listLinks(runner: CommandRunner): Promise<SystemResult<Link[]>> {
  const view = hostView(runner);
  const nl = view ? viaNetlink(runner, ['link', 'show'], () => view.links().map(fromNetlink)) : viaNetlink(runner, ['link', 'show'], (n) => n.links().map(fromNetlink));
  if (nl !== undefined) return nl;
  const r = await ipJson<IpLinkJson[]>(runner, ['-details', 'link', 'show']);
  return r.ok ? ok(r.value.map(toLink)) : r;
}

/** The link, or undefined when it does not exist (not an error). */
export async function getLink(runner: CommandRunner, name: string): Promise<SystemResult<Link | undefined>> {
  const r = await listLinks(runner);
  return r.ok ? ok(r.value.find((l) => l.name === name)) : r;
}

/**
 * `ip link add name NAME type KIND [args]`, e.g. kind "veth" with ["peer", "name", "x"]. Every
 * name goes after its keyword (`name`, `dev`): a bare name such as `help` or `mtu` would be read
 * by iproute2 as that keyword.
 */
export function createLink(runner: CommandRunner, name: string, kind: string, args: readonly string[] = []): Promise<SystemResult<void>> {
  return runQuiet(runner, ['ip', 'link', 'add', 'name', name, 'type', kind, ...args]);
}

export function deleteLink(runner: CommandRunner, name: string): Promise<SystemResult<void>> {
  const argv = ['link', 'del', 'dev', name];
  const nl = changeViaNetlink(runner, argv, (n) => n.deleteLink(name));
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'link', 'del', 'dev', name]);
}

// In our own namespace the changes below are made on libuv's thread pool: each waits for the
// kernel's RTNL lock, which anything deleting a device (in any namespace) holds for tens of ms.

export async function setLinkUp(runner: CommandRunner, name: string, up: boolean): Promise<SystemResult<void>> {
  const argv = ['link', 'set', 'dev', name, up ? 'up' : 'down'];
  const offLoop = await changeViaNetlinkAsync(runner, argv, (n) => n.setLinkAsync(name, { up }));
  if (offLoop !== undefined) return offLoop;
  const nl = changeViaNetlink(runner, argv, (n) => n.setLink(name, { up }));
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'link', 'set', 'dev', name, up ? 'up' : 'down']);
}

export async function setLinkMtu(runner: CommandRunner, name: string, mtu: number): Promise<SystemResult<void>> {
  const argv = ['link', 'set', 'dev', name, 'mtu', String(mtu)];
  const offLoop = await changeViaNetlinkAsync(runner, argv, (n) => n.setLinkAsync(name, { mtu }));
  if (offLoop !== undefined) return offLoop;
  const nl = changeViaNetlink(runner, argv, (n) => n.setLink(name, { mtu }));
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'link', 'set', 'dev', name, 'mtu', String(mtu)]);
}

/** Renames a link; the kernel allows it only while the link is down. */
export async function renameLink(runner: CommandRunner, name: string, newName: string): Promise<SystemResult<void>> {
  const argv = ['link', 'set', 'dev', name, 'name', newName];
  const offLoop = await changeViaNetlinkAsync(runner, argv, (n) => n.setLinkAsync(name, { name: newName }));
  if (offLoop !== undefined) return offLoop;
  const nl = changeViaNetlink(runner, argv, (n) => n.setLink(name, { name: newName }));
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'link', 'set', 'dev', name, 'name', newName]);
}

export function setLinkMaster(runner: CommandRunner, name: string, master: string | null): Promise<SystemResult<void>> {
  return runQuiet(runner, ['ip', 'link', 'set', 'dev', name, ...(master === null ? ['nomaster'] : ['master', master])]);
}

export function setLinkAddress(runner: CommandRunner, name: string, mac: string): Promise<SystemResult<void>> {
  return runQuiet(runner, ['ip', 'link', 'set', 'dev', name, 'address', mac]);
}
