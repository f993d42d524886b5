// /ip firewall onto the host (issue 16): the configuration becomes one nftables script
// (src/system/nftables-ruleset.ts) loaded with `nft -f -`, which the kernel applies as one
// transaction. A load that fails leaves the previous rule set in force and says so in the log.
// Rule counters are read back for `print stats`, tracked connections from the kernel for
// `/ip firewall connection print`, and a server whose filter would stop its own tunnels gets a
// warning (the seed's troubleshooting section: TCP 1723 and IP protocol 47 must come in).
import { readFileSync } from 'node:fs';
import { firewallAddressList, firewallFilter, firewallNat, pptpServerSettings } from '../config/menus/index.js';
import type { ConfigModel } from '../config/model.js';
import type { RuleCounters, TrackedConnection } from '../config/runtime.js';
import type { Logger } from '../log.js';
import { describeSystemError, type CommandRunner } from '../system/command.js';
import { parseConntrack } from '../system/conntrack.js';
import { emptyRuleset, firewallRuleset, parseCounters, ruleTag, TABLE, tunnelBlockers } from '../system/nftables-ruleset.js';
import { kernelDevice } from './link-names.js';

export class Firewall {
  private loaded: string | undefined;
  /** Whether our table may be in the kernel (a routerd before this one may have left it); unknown at start. */
  private tableMayExist: boolean | undefined;
  private counters = new Map<string, RuleCounters>();
  private queue: Promise<void> = Promise.resolve();
  private readonly warned = new Set<string>();
  private lastError = '';

  constructor(
    private readonly model: ConfigModel,
    private readonly runner: CommandRunner,
    private readonly log: Logger,
  ) {}

  reconcile(): Promise<void> {
    const run = this.queue.then(() => this.apply());
    this.queue = run.catch(() => {});
    return run;
  }

  /** Reads the rules' counters again (the router's tick). */
  refreshCounters(): Promise<void> {
    if (this.loaded === undefined) return Promise.resolve();
    const run = this.queue.then(async () => {
      const r = await this.runner.run(['nft', '-j', 'list', 'table', 'ip', TABLE]);
      if (r.ok) this.counters = parseCounters(r.value);
    });
    this.queue = run.catch(() => {});
    return run;
  }

  ruleCounters(path: string, id: number): RuleCounters | undefined {
    const table = path === firewallFilter.path ? 'filter' : path === firewallNat.path ? 'nat' : undefined;
    if (table === undefined || this.loaded === undefined) return undefined;
    return this.counters.get(ruleTag(table, id)) ?? { bytes: 0, packets: 0 };
  }

  connections(): readonly TrackedConnection[] {
    try {
      return parseConntrack(readFileSync('/proc/net/nf_conntrack', 'utf8'));
    } catch {
      return []; // no connection tracking loaded yet: nothing is tracked
    }
  }

  private device(ref: string): string | undefined {
    return kernelDevice(this.model, ref);
  }

  private async apply(): Promise<void> {
    const filter = this.model.list(firewallFilter);
    const script = firewallRuleset({
      filter,
      nat: this.model.list(firewallNat),
      addressLists: this.model.list(firewallAddressList),
      device: (ref) => this.device(ref),
    });
    this.hint(filter);
    if (this.tableMayExist === undefined) {
      // Looked up, not assumed: a routerd with no firewall never runs nft to change anything.
      this.tableMayExist = (await this.runner.run(['nft', 'list', 'table', 'ip', TABLE])).ok;
    }
    if (script === this.loaded && (script !== undefined || !this.tableMayExist)) return;
    // An empty configuration on a host that never had our table changes nothing (no nft needed).
    if (script === undefined && !this.tableMayExist) return;
    const r = await this.runner.run(['nft', '-f', '-'], script ?? emptyRuleset());
    if (!r.ok) {
      const line = `firewall rules not applied, the previous ones stay in force: ${describeSystemError(r.error)}`;
      if (line !== this.lastError) this.log.error(line);
      this.lastError = line;
      return;
    }
    this.lastError = '';
    this.loaded = script;
    this.tableMayExist = script !== undefined;
    this.counters = new Map();
    if (script !== undefined) this.log.info(`firewall: ${filter.filter((r) => !r.disabled).length} filter and ${this.model.list(firewallNat).filter((r) => !r.disabled).length} nat rules loaded`);
  }

  private hint(filter: Parameters<typeof tunnelBlockers>[0]): void {
    if (!this.model.settings(pptpServerSettings).enabled) return;
    const lines = tunnelBlockers(filter);
    if (lines.length === 0) this.warned.clear();
    for (const line of lines) {
      if (this.warned.has(line)) continue;
      this.warned.add(line);
      this.log.warning(line);
    }
  }
}
