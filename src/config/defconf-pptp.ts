// The default configuration accepts the PPTP server's TCP 1723 and GRE in input only while the
// server is enabled (issue 16): a RouterOS defconf script decides such things when it runs, but
// here the server is switched on after the defaults are in, so the two defconf rules follow it.
// They stay ordinary, visible rows: disabled (flag X) while the server is off, enabled while it
// is on. Only rules with exactly these comments follow; an operator's own rules are left alone.
import { firewallFilter, pptpServerSettings } from './menus/index.js';
import type { ConfigModel } from './model.js';

export const PPTP_DEFCONF_COMMENTS: readonly string[] = ['defconf: accept PPTP control', 'defconf: accept PPTP GRE'];

/** Brings the defconf PPTP rules in line with the server; what it changed, for the log. */
export function followPptpServer(model: ConfigModel): string | undefined {
  const enabled = model.settings(pptpServerSettings).enabled;
  const stale = model.list(firewallFilter).filter((r) => PPTP_DEFCONF_COMMENTS.includes(r.comment) && r.disabled === enabled);
  if (stale.length === 0) return undefined;
  const err = model.setMany(firewallFilter.path, stale.map((r) => r.id), { disabled: enabled ? 'no' : 'yes' });
  if (err) return `defconf PPTP rules not changed: ${err.message}`;
  return `defconf PPTP rules ${enabled ? 'enabled' : 'disabled'}: the PPTP server is ${enabled ? 'enabled' : 'disabled'}`;
}
