// Whether the logged-in user may run a command: the user's group grants policies (/user group),
// a command needs some (its menu record's `policy`, or COMMAND_POLICIES for the commands of no
// menu). Read afresh for every command, so a changed group applies at once.
import type { ConfigModel } from '../config/model.js';
import { COMMAND_POLICIES } from '../config/menus/commands.js';
import { isPolicy, type Policy } from '../config/policy.js';
import type { Menu, MenuPolicy } from '../config/schema.js';

/** RouterOS's words for a refused command. */
export const DENIED = 'not enough permissions (9)';

/** Commands that only look; every other command of a menu changes something. */
const LOOKING = new Set(['print', 'get', 'find', 'export', 'monitor']);

const PLAIN: MenuPolicy = { read: ['read'], write: ['write'] };

export function userPolicies(model: ConfigModel, user: string): ReadonlySet<Policy> {
  const row = model.rows('/user').find((r) => r.values.name === user);
  if (!row || row.values.disabled === true) return new Set();
  const group = model.rows('/user group').find((r) => r.values.name === row.values.group);
  const granted = group?.values.policy;
  return new Set(Array.isArray(granted) ? granted.filter(isPolicy) : []);
}

/** The policies `command` needs at `path` ('/ip route', '/' for the root). */
export function commandNeeds(menu: Menu | undefined, path: string, command: string): readonly Policy[] {
  const full = path === '/' ? `/${command}` : `${path} ${command}`;
  const listed = COMMAND_POLICIES[full];
  if (listed) return listed;
  const policy = menu?.policy ?? PLAIN;
  return LOOKING.has(command) ? policy.read : policy.write;
}

export function allowed(have: ReadonlySet<Policy>, need: readonly Policy[]): boolean {
  return need.every((p) => have.has(p));
}
