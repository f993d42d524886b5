// /ip dhcp-client (issue 16): the WAN port takes its address, default route, DNS and NTP servers
// from the ISP. What the lease brings shows as dynamic (D) rows of /ip address and /ip route.
import type { RuntimeState } from '../runtime.js';
import { prop, type ListMenu, type StoredRow } from '../schema.js';
import { integer, nameRef, text, yesNo } from '../types.js';

export const dhcpClient = {
  kind: 'list',
  path: '/ip dhcp-client',
  actions: ['release', 'renew'],
  help: 'DHCP clients: an interface that takes its address from a DHCP server',
  props: {
    interface: prop(nameRef, { interfaceRef: 'interface', help: 'interface the client runs on' }),
    'add-default-route': prop(yesNo, { default: true, help: 'install the lease\'s gateway as the default route' }),
    'default-route-distance': prop(integer(1, 255), { default: 1, help: 'distance of that route' }),
    'use-peer-dns': prop(yesNo, { default: true, help: 'use the lease\'s DNS servers as /ip dns dynamic servers' }),
    'use-peer-ntp': prop(yesNo, { default: true, help: 'use the lease\'s NTP servers for the clock' }),
    comment: prop(text, { default: '', help: 'note' }),
    disabled: prop(yesNo, { default: true, help: 'whether the client is off (RouterOS: add it with disabled=no)', flag: { letter: 'X', label: 'disabled' } }),
  },
  runtime: {
    status: (row: StoredRow, runtime: RuntimeState) => {
      const s = runtime.dhcpClientStatus?.(row.id);
      const values: Record<string, string> = { status: row.values.disabled === true ? 'stopped' : s?.status ?? 'searching...' };
      if (s?.address) values.address = s.address;
      if (s?.gateway) values.gateway = s.gateway;
      if (s?.dhcpServer) values['dhcp-server'] = s.dhcpServer;
      if (s?.primaryDns) values['primary-dns'] = s.primaryDns;
      if (s?.expiresAfter !== undefined) values['expires-after'] = s.expiresAfter;
      return { running: false, values };
    },
  },
  columns: {
    status: { help: 'bound, searching... or stopped' },
    address: { help: 'the leased address' },
    gateway: { help: 'the lease\'s gateway' },
    'dhcp-server': { help: 'the server that gave the lease' },
    'primary-dns': { help: 'the lease\'s first DNS server' },
    'expires-after': { help: 'time left on the lease' },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'interface', header: 'INTERFACE', width: 10 },
      { key: 'use-peer-dns', header: 'USE-PEER-DNS', width: 12 },
      { key: 'add-default-route', header: 'ADD-DEFAULT-ROUTE', width: 17 },
      { key: 'status', header: 'STATUS', width: 12 },
      { key: 'address', header: 'ADDRESS', width: 18 },
      { key: 'gateway', header: 'GATEWAY', width: 15 },
      { key: 'expires-after', header: 'EXPIRES-AFTER', width: 13 },
    ],
  },
} as const satisfies ListMenu;
