// The board's default configuration as a console script (issue 16, RouterOS's "defconf"); it is
// applied by src/cli/default-configuration.ts and shown by `/system default-configuration print`.
export const DEFAULT_CONFIGURATION: readonly string[] = [
  '#| Branch office: ether1 to the ISP (DHCP client, masquerade), ether2 the office LAN',
  '#| (192.168.88.1/24, DHCP server, DNS). The WAN is firewalled; the PPTP server is reachable',
  '#| while it is enabled (the two PPTP rules are disabled while it is not).',
  '/ip pool add name=default-dhcp ranges=192.168.88.10-192.168.88.254',
  '/ip address add address=192.168.88.1/24 interface=ether2 comment=defconf',
  '/ip dhcp-server add name=defconf interface=ether2 address-pool=default-dhcp',
  '/ip dhcp-server network add address=192.168.88.0/24 gateway=192.168.88.1 dns-server=192.168.88.1 comment=defconf',
  '/ip dns set allow-remote-requests=yes',
  '/ip dns static add name=router.lan address=192.168.88.1 comment=defconf',
  '/ip dhcp-client add interface=ether1 disabled=no comment=defconf',
  '/ip firewall nat add chain=srcnat out-interface=ether1 action=masquerade comment="defconf: masquerade"',
  '/ip firewall filter add chain=input action=accept connection-state=established,related comment="defconf: accept established,related"',
  '/ip firewall filter add chain=input action=drop connection-state=invalid comment="defconf: drop invalid"',
  '/ip firewall filter add chain=input action=accept protocol=icmp comment="defconf: accept ICMP"',
  '/ip firewall filter add chain=input action=accept protocol=tcp dst-port=1723 comment="defconf: accept PPTP control"',
  '/ip firewall filter add chain=input action=accept protocol=gre comment="defconf: accept PPTP GRE"',
  '/ip firewall filter add chain=input action=drop in-interface=ether1 comment="defconf: drop all from WAN"',
  '/ip firewall filter add chain=forward action=accept connection-state=established,related comment="defconf: accept established,related"',
  '/ip firewall filter add chain=forward action=drop connection-state=invalid comment="defconf: drop invalid"',
  '/ip firewall filter add chain=forward action=drop connection-state=new in-interface=ether1 comment="defconf: drop new from WAN"',
];

/** `/system default-configuration print`: the script, as RouterOS shows it. */
export function defaultConfigurationPrint(): string[] {
  return DEFAULT_CONFIGURATION.map((line, i) => (i === 0 ? `  script: ${line}` : `          ${line}`));
}
