// Every menu of the router, in the order exports list them (profiles and pools before the
// secrets and tunnels that name them, so a pasted export applies cleanly).
import { prop, type Menu } from '../schema.js';
import { text } from '../types.js';
import { bridge, bridgePort } from './bridge.js';
import { ethernet, interfaceStatus, pptpClient, pptpServer, pptpServerPending, pptpServerSettings } from './interface.js';
import { dhcpClient } from './dhcp-client.js';
import { dhcpServer, dhcpServerLease, dhcpServerNetwork, dns, dnsCache, dnsStatic } from './dhcp-dns.js';
import { firewallAddressList, firewallConnection, firewallFilter, firewallNat } from './firewall.js';
import { ipAddress, ipPool, ipRoute } from './ip.js';
import { pppActive, pppLoginThrottle, pppProfile, pppSecret } from './ppp.js';
import { ipService, userActive, userSshKeys } from './service.js';
import { log, systemClock, systemNtpClient, systemDefaultConfiguration, systemIdentity, systemLicense, systemPackage, systemPackageUpdate, systemResource, systemRouterboard, user, userGroup } from './system.js';
import { pppAaa, radius } from './radius.js';
import { scriptEnvironment } from './script.js';

export * from './bridge.js';
export * from './dhcp-client.js';
export * from './dhcp-dns.js';
export * from './firewall.js';
export * from './interface.js';
export * from './ip.js';
export * from './ppp.js';
export * from './radius.js';
export * from './system.js';
export * from './service.js';
export * from './script.js';

/**
 * RouterOS lets every list item carry a comment, printed as `;;; text` above its row; menus
 * that place it themselves keep their own spec.
 */
function withComment(menu: Menu): Menu {
  if (menu.kind !== 'list' || 'comment' in menu.props) return menu;
  return {
    ...menu,
    props: { ...menu.props, comment: prop(text, { default: '', help: 'note shown above the item' }) },
    order: menu.order ? [...menu.order, 'comment'] : undefined,
  };
}

const ordered: readonly Menu[] = [
  systemIdentity,
  systemClock,
  systemNtpClient,
  ethernet,
  bridge,
  ipPool,
  pppProfile,
  pppSecret,
  radius,
  pppAaa,
  pptpServerSettings,
  pptpServer,
  pptpClient,
  bridgePort,
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
  ipService,
  userGroup,
  user,
  userSshKeys,
  pppActive,
  pppLoginThrottle,
  pptpServerPending,
  userActive,
  firewallConnection,
  dnsCache,
  systemLicense,
  systemResource,
  systemPackage,
  systemPackageUpdate,
  systemRouterboard,
  systemDefaultConfiguration,
  scriptEnvironment,
  log,
];

export const menus: readonly Menu[] = ordered.map(withComment);
