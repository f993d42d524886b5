// src/pptp: PPTP control connections (RFC 2637 sections 2-3, TCP port 1723), both roles.
//   server-control.ts / client-control.ts  the PAC and PNS state machines (events in, actions
//                                         out; no sockets, no clock), sharing control-connection.ts
//   call-table.ts                           unique non-zero Call IDs, shared by all calls
//   address-quota.ts                        per-address and total caps for unauthenticated peers
//   control-socket.ts                       runs a machine on a node:net socket
//   server.ts / client.ts                   PptpServer and PptpClientConnection, what the router uses
// GRE and PPP are not here: a call-up event hands (call ID, peer call ID, addresses) to the
// data plane.

export { CallTable } from './call-table.js';
export {
  PptpServer, DEFAULT_ADMISSION_LIMITS, type AdmissionLimits, type PoolHoldings, type PptpServerOptions, type PptpServerEvents, type ConnectionInfo,
} from './server.js';
export { AddressQuota, type QuotaGrant, type QuotaLimits } from './address-quota.js';
export { PptpClientConnection, PptpError, type PptpClientOptions, type PptpClientEvents } from './client.js';
export { ServerControlConnection, type ServerControlOptions } from './server-control.js';
export { ClientControlConnection } from './client-control.js';
export type { ControlOptions } from './control-connection.js';
export * from './control-types.js';
