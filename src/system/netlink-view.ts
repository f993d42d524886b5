// The host's links and IPv4 addresses as the kernel last announced them (issue 13 item 4). Every
// tunnel that comes up reads the router's addresses (the PPP address guard) and the host
// configuration re-reads every link: dumping them each time made set-up quadratic in the number
// of tunnels. Here one dump is taken, then kept current from the kernel's link and address
// notifications, which the kernel queues within the system call that makes each change (ours,
// an `ip` process's, a TUN device's creation or deletion). Every read first drains that queue,
// so a read never misses a change made before it; when the queue overflowed, it dumps again.
import type { NetlinkAddress, NetlinkChange, NetlinkLink, NetlinkSocket } from './netlink.js';

const addressKey = (a: NetlinkAddress): string => `${a.ifindex} ${a.local}/${a.prefixLength} ${a.peer ?? ''}`;

export class NetlinkView {
  private readonly linksByIndex = new Map<number, NetlinkLink>();
  private readonly addressesByKey = new Map<string, NetlinkAddress>();
  private synced = false;
  private dumpCount = 0;

  /** receiveBufferBytes: the notification queue (the addon's default 8 MiB; tests use less). */
  constructor(
    private readonly nl: NetlinkSocket,
    receiveBufferBytes?: number,
  ) {
    nl.watch(receiveBufferBytes);
  }

  /** Full dumps taken so far: the first read's, and one after each lost notification. */
  get dumps(): number {
    return this.dumpCount;
  }

  links(): NetlinkLink[] {
    this.refresh();
    return [...this.linksByIndex.values()];
  }

  addresses(): NetlinkAddress[] {
    this.refresh();
    return [...this.addressesByKey.values()];
  }

  /** The name of the link with this index, as of the last read. */
  linkName(ifindex: number): string | undefined {
    return this.linksByIndex.get(ifindex)?.name;
  }

  close(): void {
    this.nl.close();
  }

  private refresh(): void {
    const changes = this.nl.changes();
    if (this.synced && changes !== null) {
      for (const c of changes) this.apply(c);
      return;
    }
    // What was queued before the dump is in the dump; what is announced after it is applied on
    // top at the next read, in order, so the last word on each link and address wins.
    this.linksByIndex.clear();
    this.addressesByKey.clear();
    for (const l of this.nl.links()) this.linksByIndex.set(l.ifindex, l);
    for (const a of this.nl.addresses()) this.addressesByKey.set(addressKey(a), a);
    this.synced = true;
    this.dumpCount++;
  }

  private apply(c: NetlinkChange): void {
    if (c.type === 'link') {
      const { type: _type, deleted, ...link } = c;
      if (!deleted) {
        this.linksByIndex.set(link.ifindex, link);
        return;
      }
      this.linksByIndex.delete(link.ifindex);
      for (const [k, a] of this.addressesByKey) if (a.ifindex === link.ifindex) this.addressesByKey.delete(k);
      return;
    }
    const { type: _type, deleted, ...address } = c;
    if (deleted) this.addressesByKey.delete(addressKey(address));
    else this.addressesByKey.set(addressKey(address), address);
  }
}
