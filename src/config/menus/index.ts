// Every menu of the router, in the order exports list them (profiles and pools before the
// secrets and tunnels that name them, so a pasted export applies cleanly).
import type { Menu } from '../schema.js';
import { ethernet, interfaceStatus, pptpClient, pptpServer, pptpServerSettings } from './interface.js';
import { ipAddress, ipPool, ipRoute } from './ip.js';
import { pppActive, pppProfile, pppSecret } from './ppp.js';
import { log, systemIdentity, systemLicense, systemResource, user, userGroup } from './system.js';
import { systemPackage, systemPackageUpdate, systemRouterboard } from './system.js';

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
  userGroup,
  user,
  pppActive,
  systemLicense,
  systemResource,
  systemPackage,
  systemPackageUpdate,
  systemRouterboard,
  log,
];
