// IPv4 addresses on interfaces (`ip address`), including point-to-point ones: a TUN device of a
// PPP link gets `local` plus `peer` (RouterOS's local-address / remote-address), which makes the
// kernel route the peer's /32 through the device. Through rtnetlink when the addon has it, else `ip`.
import { type CommandRunner, type SystemResult, ipJson, ok, runQuiet } from './command.js';
import { changeViaNetlink, changeViaNetlinkAsync, hostView, viaNetlink } from './netlink.js';

export interface InterfaceAddress {
  readonly device: string;
  /** Our address, e.g. "10.0.0.1". */
  readonly local: string;
  readonly prefixLength: number;
  /** The far end of a point-to-point address. */
  readonly peer?: string | undefined;
}

interface IpAddrJson {
  ifname: string;
  addr_info?: { family: string; local: string; prefixlen: number; address?: string }[];
}

export async function listAddresses(runner: CommandRunner, device?: string): Promise<SystemResult<InterfaceAddress[]>> {
  const args = ['-4', 'address', 'show', ...(device === undefined ? [] : ['dev', device])];
  const view = hostView(runner);
  const viewed = view && viaNetlink(runner, args, () =>
    view
      .addresses()
      .map((a) => ({ device: view.linkName(a.ifindex) ?? `if${a.ifindex}`, local: a.local, prefixLength: a.prefixLength, peer: a.peer }))
      .filter((a) => device === undefined || a.device === device),
  );
  if (viewed) return viewed;
  const nl = viaNetlink(runner, args, (n) => {
    const names = new Map(n.links().map((l) => [l.ifindex, l.name]));
    return n
      .addresses()
      .map((a) => ({ device: names.get(a.ifindex) ?? `if${a.ifindex}`, local: a.local, prefixLength: a.prefixLength, peer: a.peer }))
      .filter((a) => device === undefined || a.device === device);
  });
  if (nl !== undefined) return nl;
  const r = await ipJson<IpAddrJson[]>(runner, args);
  if (!r.ok) return r;
  const out: InterfaceAddress[] = [];
  for (const link of r.value) {
    for (const a of link.addr_info ?? []) {
      if (a.family !== 'inet') continue;
      out.push({ device: link.ifname, local: a.local, prefixLength: a.prefixlen, peer: a.address });
    }
  }
  return ok(out);
}

function addressArgs(a: InterfaceAddress): string[] {
  if (a.peer !== undefined) return ['local', a.local, 'peer', `${a.peer}/${a.prefixLength}`, 'dev', a.device];
  return [`${a.local}/${a.prefixLength}`, 'dev', a.device];
}

// In our own namespace a change is made on libuv's thread pool: it waits for the kernel's RTNL
// lock, which anything deleting a device (in any namespace) holds for tens of ms.

export async function addAddress(runner: CommandRunner, a: InterfaceAddress): Promise<SystemResult<void>> {
  const offLoop = await changeViaNetlinkAsync(runner, ['address', 'add', ...addressArgs(a)], (n) => n.addressAsync('add', a.device, a.local, a.prefixLength, a.peer));
  if (offLoop !== undefined) return offLoop;
  const nl = changeViaNetlink(runner, ['address', 'add', ...addressArgs(a)], (n) => n.address('add', a.device, a.local, a.prefixLength, a.peer));
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'address', 'add', ...addressArgs(a)]);
}

export async function removeAddress(runner: CommandRunner, a: InterfaceAddress): Promise<SystemResult<void>> {
  const offLoop = await changeViaNetlinkAsync(runner, ['address', 'del', ...addressArgs(a)], (n) => n.addressAsync('del', a.device, a.local, a.prefixLength, a.peer));
  if (offLoop !== undefined) return offLoop;
  const nl = changeViaNetlink(runner, ['address', 'del', ...addressArgs(a)], (n) => n.address('del', a.device, a.local, a.prefixLength, a.peer));
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'address', 'del', ...addressArgs(a)]);
}
