// /ip address, /ip route, /ip pool.
import type { RuntimeState } from '../runtime.js';
import { prop, type DynamicRow, type ListMenu } from '../schema.js';
import { integer, ipRanges, ipv4Interface, ipv4OrPool, ipv4Prefix, name, nameRef, text, yesNo } from '../types.js';

/** Rows a DHCP lease or a tunnel brought (flag D): shown, never stored. */
function leased(path: '/ip address' | '/ip route') {
  return (runtime: RuntimeState): readonly DynamicRow[] =>
    (runtime.dynamicEntries?.(path) ?? []).map((e, i) => ({ key: `${path}:${i}`, running: false, values: e.values, flags: e.flags }));
}

const disabled = prop(yesNo, { default: false, help: 'whether the entry is disabled', flag: { letter: 'X', label: 'disabled' } });

export const ipAddress = {
  kind: 'list',
  path: '/ip address',
  help: 'addresses of the interfaces',
  props: {
    address: prop(ipv4Interface, { help: 'address/prefix-length, e.g. 10.150.2.254/24' }),
    interface: prop(nameRef, { interfaceRef: 'interface', help: 'interface the address is on' }),
    comment: prop(text, { default: '', help: 'note' }),
    disabled,
  },
  print: {
    style: 'table',
    columns: [
      { key: 'address', header: 'ADDRESS', width: 18 },
      { key: 'interface', header: 'INTERFACE', width: 14 },
    ],
  },
  runtimeFlags: [{ letter: 'D', label: 'dynamic' }],
  runtime: { dynamic: leased('/ip address') },
} as const satisfies ListMenu;

export const ipRoute = {
  kind: 'list',
  path: '/ip route',
  help: 'static routes',
  props: {
    'dst-address': prop(ipv4Prefix, { default: '0.0.0.0/0', help: 'destination prefix' }),
    // A gateway is an address or an interface (a pptp-client tunnel).
    gateway: prop(ipv4OrPool, { interfaceRef: 'interface-or-address', help: 'next hop address or interface' }),
    distance: prop(integer(1, 255), { default: 1, help: 'administrative distance' }),
    comment: prop(text, { default: '', help: 'note' }),
    disabled,
  },
  print: {
    style: 'table',
    columns: [
      { key: 'dst-address', header: 'DST-ADDRESS', width: 18 },
      { key: 'gateway', header: 'GATEWAY', width: 15 },
      { key: 'distance', header: 'DISTANCE', width: 8 },
    ],
  },
  // RouterOS's letters: A active (on the host), D dynamic, C connect (a tunnel's peer /32),
  // S static (configured, a secret's routes=, a client's add-default-route).
  runtimeFlags: [
    { letter: 'A', label: 'active' },
    { letter: 'D', label: 'dynamic' },
    { letter: 'C', label: 'connect' },
    { letter: 'S', label: 'static' },
  ],
  runtime: {
    dynamic: leased('/ip route'),
    flags: (row, runtime) => (runtime.routeActive?.(row.id) ? 'AS' : 'S'),
  },
} as const satisfies ListMenu;

export const ipPool = {
  kind: 'list',
  path: '/ip pool',
  help: 'address pools handed out to PPP peers',
  props: {
    name: prop(name, { help: 'pool name' }),
    ranges: prop(ipRanges, { help: 'ranges, e.g. 10.0.0.200-10.0.0.250' }),
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 16 },
      { key: 'ranges', header: 'RANGES', width: 30 },
    ],
  },
} as const satisfies ListMenu;
