// Typed access to the addon's packet I/O (native/src/net): a TUN device and the raw GRE socket.
// Both are non-blocking fds polled by libuv; each wake-up delivers one batch of packets.
import { requireNativeExport } from '../native.js';

export interface TunDeviceStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  writeDrops: number;
  readErrors: number;
  batches: number;
}

export interface NativeTunDevice {
  /** The name the kernel gave the device. */
  readonly name: string;
  readonly fd: number;
  /** Writes one IP packet; false when the kernel refused it (counted in stats().writeDrops). */
  write(packet: Buffer): boolean;
  writeBatch(packets: Buffer[]): number;
  stats(): TunDeviceStats;
  /** Stops polling and closes the fd; the kernel deletes the (non-persistent) device. */
  close(): void;
}

export interface GreSocketStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  sendErrors: number;
  readErrors: number;
  truncated: number;
  malformed: number;
  batches: number;
}

export interface NativeGreSocket {
  readonly fd: number;
  /** Sends one GRE packet (header + payload; the kernel adds the IP header) to a host-order IPv4 address. */
  /** source: the address the packet leaves from (0: the kernel picks by route). */
  send(packet: Buffer, address: number, source?: number): boolean;
  /** Sends many with one sendmmsg, all from one source; returns how many went. */
  sendBatch(packets: Buffer[], addresses: Uint32Array, source?: number): number;
  stats(): GreSocketStats;
  close(): void;
}

type TunCtor = new (name: string, onBatch: (packets: Buffer[]) => void, batchSize?: number, tap?: boolean) => NativeTunDevice;
type GreCtor = new (
  onBatch: (packets: Buffer[], sources: Uint32Array) => void,
  batchSize?: number,
  bindAddress?: number,
) => NativeGreSocket;

/** Creates the TUN device `name` (IFF_TUN|IFF_NO_PI); onBatch gets the IP packets read per wake-up. */
export function openTun(name: string, onBatch: (packets: Buffer[]) => void, batchSize = 64): NativeTunDevice {
  const Ctor = requireNativeExport<TunCtor>('TunDevice');
  return new Ctor(name, onBatch, batchSize);
}

/** Creates the TAP device `name` (IFF_TAP|IFF_NO_PI); onBatch gets the Ethernet frames (no FCS) read per wake-up. */
export function openTap(name: string, onBatch: (frames: Buffer[]) => void, batchSize = 64): NativeTunDevice {
  const Ctor = requireNativeExport<TunCtor>('TunDevice');
  return new Ctor(name, onBatch, batchSize, true);
}

/** Opens the raw IP-protocol-47 socket; onBatch gets GRE packets (IP header removed) and their sources. */
export function openGreSocket(
  onBatch: (packets: Buffer[], sources: Uint32Array) => void,
  options: { batchSize?: number; bindAddress?: string } = {},
): NativeGreSocket {
  const Ctor = requireNativeExport<GreCtor>('GreSocket');
  const bind = options.bindAddress === undefined ? 0 : ipv4ToNumber(options.bindAddress);
  return new Ctor(onBatch, options.batchSize ?? 64, bind);
}

export function ipv4ToNumber(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${address}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new RangeError(`not an IPv4 address: ${address}`);
    n = n * 256 + v;
  }
  return n >>> 0;
}

/** A session's GRE source (SessionParams.localAddress) for the addon: 0 lets the kernel pick. */
export function greSourceNumber(localAddress: string | undefined): number {
  if (localAddress === undefined || localAddress === '') return 0;
  return ipv4ToNumber(localAddress.startsWith('::ffff:') ? localAddress.slice(7) : localAddress);
}

export function numberToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
