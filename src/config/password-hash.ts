// Console passwords are kept as scrypt hashes (node:crypto), each with its own random salt, so
// config.json never holds a user's password. The stored form names its parameters so they can
// be raised later without breaking older hashes: scrypt$N$r$p$<salt b64>$<key b64>. An empty
// password stays the empty string: "no password" must remain visible (the login warns of it).
// PPP secrets are not hashed: CHAP and MS-CHAP need the password itself.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { ValueError, type PropType } from './types.js';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** The longest password accepted: hashing stays cheap and a paste of garbage is refused. */
export const MAX_PASSWORD_LENGTH = 256;
const HASHED = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;

export function isPasswordHash(stored: string): boolean {
  return stored === '' || HASHED.test(stored);
}

/** Hashes a password typed by the user (synchronous: one hash per add/set, ~50 ms). */
export function hashPassword(password: string): string {
  if (password === '') return '';
  const salt = randomBytes(SALT_LENGTH);
  const key = scryptSync(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

// A login for a user that does not exist still costs one hash, so timing does not tell names.
const DUMMY = hashPassword('no such user');

/**
 * Whether `password` matches `stored`; `stored` undefined means no such user (always false).
 * Runs scrypt on libuv's thread pool, so a login never stalls tunnels or other consoles.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (stored === '') return password === '';
  const m = HASHED.exec(stored ?? DUMMY) ?? HASHED.exec(DUMMY)!;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, expected.length, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (e, k) => (e ? reject(e) : resolve(k))),
  );
  const same = key.length === expected.length && timingSafeEqual(key, expected);
  return stored !== undefined && stored !== '' && same;
}

/**
 * The /user password property: what is typed is hashed before it is stored, and the stored
 * hash is never printed or exported (the schema marks it secret). A configuration from before
 * hashing holds plain text: fromStored hashes it on load, and the store writes it back.
 */
export const passwordHash: PropType<string> = {
  describe: `text (up to ${MAX_PASSWORD_LENGTH} characters; kept only as a hash)`,
  parse(raw, prop) {
    if (raw.length > MAX_PASSWORD_LENGTH) return new ValueError(`value of ${prop} is too long (at most ${MAX_PASSWORD_LENGTH} characters)`);
    return hashPassword(raw);
  },
  fromStored(v, prop) {
    if (typeof v !== 'string') return new ValueError(`${prop} is not text`);
    return isPasswordHash(v) ? v : hashPassword(v);
  },
  format: () => '',
  quoted: true,
  choices: [],
};
