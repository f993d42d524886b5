// Topologies for the netns scenarios: routerd processes in namespaces joined by veth pairs, and
// plain hosts (a namespace with an address and a default route) on their LANs. Every veth end
// inside a router's namespace is named as RouterOS names ports (ether1 = WAN, ether2 = LAN) and
// handed to routerd with --ethernet, so the seed's console lines work as written.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueKey, licenseSerial, softwareIdFrom } from '../../src/config/license.js';
import { boardSerial } from '../../src/system/resources.js';
import { createNetns, createVethPair, type Netns, type TeardownHost } from './netns.js';
export { createNetns };
import { startRouterd, type Routerd, type RouterdOptions } from './routerd.js';

export const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const testVendorKey = join(fixtures, 'license', 'test-public.pem');

export interface RouterNode {
  readonly ns: Netns;
  readonly routerd: Routerd;
}

/**
 * A licence key at `level` for routerd running from dataDir on this machine (bound to the board
 * serial, or to the board id routerd finds in dataDir when the machine has none), signed with
 * the test vendor key.
 */
export async function testLicenseKey(level: number, dataDir: string): Promise<string> {
  const key = createPrivateKey(readFileSync(join(fixtures, 'license', 'test-private.pem')));
  return issueKey(key, softwareIdFrom(licenseSerial(await boardSerial(), dataDir)), level);
}

export interface RouterSpec extends Omit<RouterdOptions, 'ethernet' | 'vendorKeyFile' | 'licenseKey'> {
  /** Licence level (default 1, as an unlicensed router). */
  readonly level?: number;
}

/** Starts routerd in ns with the ports it has (ether1, ether2 ...). */
export async function startRouter(t: TeardownHost, ns: Netns, ports: readonly string[], spec: RouterSpec = {}): Promise<RouterNode> {
  const level = spec.level ?? 1;
  const routerd = await startRouterd(t, ns, {
    ...spec,
    ethernet: ports,
    vendorKeyFile: testVendorKey,
    licenseKey: level > 1 ? (dataDir) => testLicenseKey(level, dataDir) : undefined,
  });
  return { ns, routerd };
}

/** A veth pair: `nameA` in a, `nameB` in b, both up, without addresses (the console adds them). */
export function link(a: Netns, nameA: string, b: Netns, nameB: string): Promise<[string, string]> {
  return createVethPair(a, b, { nameA, nameB });
}

/** A LAN host: a namespace with one port to `router` (named routerPort there), an address and a default route. */
export async function lanHost(t: TeardownHost, router: Netns, routerPort: string, address: string, gateway: string): Promise<Netns> {
  const host = await createNetns(t, 'lanhost');
  await createVethPair(host, router, { nameA: 'eth0', nameB: routerPort, addrA: address });
  await host.run(['ip', 'route', 'add', 'default', 'via', gateway]);
  return host;
}

/** ping from ns; true when every reply came. */
export async function pings(ns: Netns, address: string, count = 3): Promise<{ ok: boolean; output: string }> {
  const r = await ns.exec(['ping', '-c', String(count), '-i', '0.2', '-W', '2', address]);
  return { ok: r.code === 0, output: r.stdout + r.stderr };
}

/**
 * The seed's two offices across an "internet" namespace: HomeOffice (ToInternet 198.18.80.1/24,
 * LocalHomeOffice 10.150.2.254/24) and RemoteOffice (ToInternet 198.18.81.1/24, Office
 * 10.150.1.254/24), each with a LAN host (.10) and a default route to its ISP (.254). The seed's
 * 192.168.80/81 WAN addresses are moved into 198.18.0.0/15. Ports are renamed at the console as
 * the seed names them; their kernel names stay ether1 (WAN) and ether2 (LAN).
 */
export async function offices(t: TeardownHost, level = 1) {
  const [inet, homeNs, remoteNs] = [await createNetns(t, 'inet'), await createNetns(t, 'home'), await createNetns(t, 'remote')];
  await createVethPair(inet, homeNs, { nameA: 'isp-home', nameB: 'ether1', addrA: '198.18.80.254/24' });
  await createVethPair(inet, remoteNs, { nameA: 'isp-remote', nameB: 'ether1', addrA: '198.18.81.254/24' });
  await inet.run(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  const homeLan = await lanHost(t, homeNs, 'ether2', '10.150.2.10/24', '10.150.2.254');
  const remoteLan = await lanHost(t, remoteNs, 'ether2', '10.150.1.10/24', '10.150.1.254');
  const [home, remote] = await Promise.all([
    startRouter(t, homeNs, ['ether1', 'ether2'], { identity: 'HomeOffice', level }),
    startRouter(t, remoteNs, ['ether1', 'ether2'], { identity: 'RemoteOffice', level }),
  ]);
  for (const [r, wan, lanName, lan] of [
    [home.routerd, '198.18.80', 'LocalHomeOffice', '10.150.2.254/24'],
    [remote.routerd, '198.18.81', 'Office', '10.150.1.254/24'],
  ] as const) {
    await r.configure('/interface ethernet set ether1 name=ToInternet');
    await r.configure(`/interface ethernet set ether2 name=${lanName}`);
    await r.configure(`/ip address add address=${wan}.1/24 interface=ToInternet`);
    await r.configure(`/ip address add address=${lan} interface=${lanName}`);
    await r.configure(`/ip route add gateway=${wan}.254`);
  }
  return { inet, home, remote, homeLan, remoteLan };
}

export interface TwoRoutersOptions {
  /** First three octets of the shared segment, e.g. "198.18.9". */
  readonly subnet: string;
  /** Host numbers of the server and the client on it (default 1 and 2). */
  readonly hosts?: readonly [number, number];
  readonly server?: RouterSpec;
  readonly client?: RouterSpec;
}

/**
 * A server router and a client router on one "internet" segment, each port named ether1 and
 * addressed at its console (/ip address add). Tests type the rest of their configuration.
 */
export async function twoRouters(t: TeardownHost, options: TwoRoutersOptions): Promise<{ server: RouterNode; client: RouterNode }> {
  const [serverNs, clientNs] = [await createNetns(t, 'srv'), await createNetns(t, 'cli')];
  await link(serverNs, 'ether1', clientNs, 'ether1');
  const [server, client] = await Promise.all([
    startRouter(t, serverNs, ['ether1'], { identity: 'Server', ...options.server }),
    startRouter(t, clientNs, ['ether1'], { identity: 'Client', ...options.client }),
  ]);
  const [s, c] = options.hosts ?? [1, 2];
  await server.routerd.configure(`/ip address add address=${options.subnet}.${s}/24 interface=ether1`);
  await client.routerd.configure(`/ip address add address=${options.subnet}.${c}/24 interface=ether1`);
  return { server, client };
}
