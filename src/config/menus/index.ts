// Every menu of the router, in the order exports list them (profiles and pools before the
// secrets and tunnels that name them, so a pasted export applies cleanly).
import type { Menu } from '../schema.js';
import { ethernet, interfaceStatus, pptpClient, pptpServer, pptpServerSettings } from './interface.js';
import { dhcpClient } from './dhcp-client.js';
import { dhcpServer, dhcpServerLease, dhcpServerNetwork, dns, dnsStatic } from './dhcp-dns.js';
import { firewallAddressList, firewallConnection, firewallFilter, firewallNat } from './firewall.js';
import { ipAddress, ipPool, ipRoute } from './ip.js';
import { pppActive, pppProfile, pppSecret } from './ppp.js';
import { log, systemDefaultConfiguration, systemIdentity, systemLicense, systemResource, user, userGroup } from './system.js';

export * from './dhcp-client.js';
export * from './dhcp-dns.js';
export * from './firewall.js';
export * from './interface.js';
export * from './ip.js';
export * from './ppp.js';
export * from './system.js';

export const menus: readonly Menu[] = [
  systemIdentity,
  ethernet,
  ipPool,
  pppProfile,
  pppSecret,
  pptpServerSettings,
  pptpServer,
  pptpClient,
  interfaceStatus,
  ipAddress,
  ipRoute,
  dhcpClient,
  dhcpServer,
  dhcpServerNetwork,
  dhcpServerLease,
  dns,
  dnsStatic,
  firewallAddressList,
  firewallFilter,
  firewallNat,
  userGroup,
  user,
  pppActive,
  firewallConnection,
  systemLicense,
  systemResource,
  systemDefaultConfiguration,
  log,
];
