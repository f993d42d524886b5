// /interface bridge and /interface bridge port (RouterOS). A bridge is an interface (it takes
// addresses, ports name it by internal id); a BCP link (RFC 3518) whose profile names a bridge
// joins it as a dynamic port while it is up. PPP links have no MAC of their own, so a bridge that
// carries BCP should have an administratively set one (SPEC.md): auto-mac=no admin-mac=...
import type { RuntimeState } from '../runtime.js';
import { prop, type ListMenu } from '../schema.js';
import { integer, name, nameRef, optionalMacAddress, yesNo } from '../types.js';

const disabled = prop(yesNo, { default: false, help: 'whether the entry is disabled', flag: { letter: 'X', label: 'disabled' } });

export const bridge = {
  kind: 'list',
  path: '/interface bridge',
  interfaces: true,
  help: 'Ethernet bridges (Linux bridges on the host)',
  defaultName: 'bridge',
  props: {
    name: prop(name, { help: 'interface name', default: '' }),
    mtu: prop(integer(68, 65535), { default: 1500, help: 'Maximum Transmission Unit' }),
    'auto-mac': prop(yesNo, { default: true, help: 'take the MAC of a port; no: use admin-mac' }),
    'admin-mac': prop(optionalMacAddress, { default: '', help: 'MAC address used when auto-mac=no' }),
    disabled,
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 12 },
      { key: 'mtu', header: 'MTU', width: 5 },
      { key: 'auto-mac', header: 'AUTO-MAC', width: 8 },
      { key: 'admin-mac', header: 'ADMIN-MAC', width: 17 },
    ],
  },
  validate(values) {
    if (values['auto-mac'] === false && values['admin-mac'] === '') return 'failure: admin-mac must be set when auto-mac=no';
    return undefined;
  },
} as const satisfies ListMenu;

export const bridgePort = {
  kind: 'list',
  path: '/interface bridge port',
  help: 'ports of the bridges',
  props: {
    interface: prop(nameRef, { interfaceRef: 'interface', help: 'interface that joins the bridge' }),
    bridge: prop(nameRef, { interfaceRef: 'interface', interfaceOf: '/interface bridge', help: 'bridge it joins' }),
    disabled,
  },
  print: {
    style: 'table',
    columns: [
      { key: 'interface', header: 'INTERFACE', width: 14 },
      { key: 'bridge', header: 'BRIDGE', width: 12 },
    ],
  },
  // A BCP link joins its profile's bridge while up: shown as a dynamic port, never stored.
  runtimeFlags: [{ letter: 'D', label: 'dynamic' }],
  runtime: {
    dynamic: (rt: RuntimeState) =>
      (rt.dynamicEntries?.('/interface bridge port') ?? []).map((e, i) => ({ key: `bcp:${i}`, running: true, values: e.values, flags: e.flags })),
  },
} as const satisfies ListMenu;
