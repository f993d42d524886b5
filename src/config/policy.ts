// RouterOS v7 user-group policies (help.mikrotik.com, "User" page): the rights a group grants.
// Login policies (local, ssh, api, ...) say where a user may log in; config policies say what
// the user may do there: read, write (needs read to be useful), policy (user management),
// sensitive (see passwords and keys), test (ping), reboot, password (change one's own).
import { ValueError, type PropType } from './types.js';

/** In RouterOS's own print order. */
export const POLICIES = [
  'local', 'telnet', 'ssh', 'ftp', 'reboot', 'read', 'write', 'policy', 'test', 'winbox',
  'password', 'web', 'sniff', 'sensitive', 'api', 'romon', 'rest-api',
] as const;

export type Policy = (typeof POLICIES)[number];

export function isPolicy(word: string): word is Policy {
  return (POLICIES as readonly string[]).includes(word);
}

const except = (...left: Policy[]): Policy[] => POLICIES.filter((p) => !left.includes(p));

/**
 * RouterOS v7's three system groups. As there, `read` keeps `sensitive` (so its users see PPP
 * secrets' passwords in prints and `export show-sensitive`); a group without it is made with
 * `/user group add policy=...`. User passwords are shown to nobody, whatever the group.
 */
export const BUILTIN_GROUPS: Readonly<Record<'read' | 'write' | 'full', readonly Policy[]>> = {
  read: except('ftp', 'write', 'policy'),
  write: except('ftp', 'policy'),
  full: [...POLICIES],
};

/**
 * A policy list as RouterOS takes it: `read,write,test`, where `!word` denies (the form prints
 * use). Stored as the granted policies in print order; printed with the denied ones as `!word`.
 */
export const policySet: PropType<readonly string[]> = {
  describe: `multiple choice: ${POLICIES.join(', ')} (prefix ! to deny)`,
  parse(raw, prop) {
    const granted = new Set<string>();
    for (const word of raw === '' ? [] : raw.split(',').map((w) => w.trim())) {
      const denied = word.startsWith('!');
      const policy = denied ? word.slice(1) : word;
      if (!isPolicy(policy)) return new ValueError(`input does not match any value of ${prop}`);
      if (denied) granted.delete(policy);
      else granted.add(policy);
    }
    return POLICIES.filter((p) => granted.has(p));
  },
  format: (v) => [...v, ...POLICIES.filter((p) => !v.includes(p)).map((p) => `!${p}`)].join(','),
  quoted: false,
  choices: POLICIES,
};
