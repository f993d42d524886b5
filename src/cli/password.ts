// `/password old-password=... new-password=... confirm-new-password=...`: a user changes their own
// password (RouterOS; needs the password policy, not policy). The old password is checked against
// its hash off the event loop; a mismatch or a missing argument is one line and changes nothing.
import type { ConfigModel } from '../config/model.js';
import { verifyPassword } from '../config/password-hash.js';
import type { Question } from './reset-configuration.js';

const KEYS = ['old-password', 'new-password', 'confirm-new-password'];

export async function changeOwnPassword(
  model: ConfigModel,
  user: string,
  pairs: Readonly<Record<string, string>>,
): Promise<string | undefined> {
  for (const key of Object.keys(pairs)) if (!KEYS.includes(key)) return `expected end of command (unknown parameter ${key})`;
  const given = (key: string): string | undefined => pairs[key];
  const missing = KEYS.find((k) => given(k) === undefined);
  if (missing) return `failure: ${missing} must be given`;
  const row = model.rows('/user').find((r) => r.values.name === user);
  if (!row || !(await verifyPassword(String(row.values.password), given('old-password')!))) return 'failure: old password is not valid';
  if (given('new-password') !== given('confirm-new-password')) return 'failure: new passwords do not match';
  return model.set('/user', row.id, { password: given('new-password')! })?.message;
}

/**
 * `/password` typed bare: RouterOS asks `old-password:`, `new-password:` and
 * `confirm-new-password:` in turn, then changes the password as the arguments would.
 */
export function passwordQuestions(model: ConfigModel, user: string): Question {
  const ask = (i: number, given: Record<string, string>): Question => ({
    ask: `${KEYS[i]}: `,
    secret: true,
    async answer(_yes, line) {
      const now = { ...given, [KEYS[i]!]: line };
      if (i + 1 < KEYS.length) return { lines: [], logout: false, next: ask(i + 1, now) };
      const err = await changeOwnPassword(model, user, now);
      return { lines: err ? [err] : [], logout: false };
    },
  });
  return ask(0, {});
}
