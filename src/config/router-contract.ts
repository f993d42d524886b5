// The seam between the configuration and the tunnels. src/router (issue 5) exports
// `startRouter(deps)`: it reconciles the configuration (model.list(pptpClient),
// model.settings(pptpServerSettings), model.onChange ...) and the licence's tunnel limit into
// running tunnels, and reports their state to the console through RuntimeState.
import type { LogBook } from '../log.js';
import type { WallClock } from '../wall-clock.js';
import type { License } from './license.js';
import type { ConfigModel } from './model.js';
import type { RuntimeState } from './runtime.js';

export interface RouterDeps {
  readonly model: ConfigModel;
  readonly license: License;
  readonly log: LogBook;
  /** Kernel links to list as /interface ethernet (routerd --ethernet); default: the hardware NICs. */
  readonly ethernet?: readonly string[];
  /** The packet path (routerd --dataplane); default: native where the addon has it. */
  readonly dataplane?: 'native' | 'reference';
  /** Where the router keeps files of the daemons it runs (dnsmasq's configuration and leases). */
  readonly dataDir?: string;
  /** The router's clock, which the NTP client steps; absent: one of its own. */
  readonly clock?: WallClock;
}

export interface Router {
  readonly runtime: RuntimeState;
  stop(): Promise<void>;
}

export type StartRouter = (deps: RouterDeps) => Promise<Router>;
