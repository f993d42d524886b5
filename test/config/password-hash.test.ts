// /user passwords as scrypt hashes: each with its own salt, verified by value, never printed;
// a plain-text password in an older config.json is hashed by the store and written back.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, isPasswordHash, MAX_PASSWORD_LENGTH, passwordHash, verifyPassword } from '../../src/config/password-hash.js';
import { ConfigStore } from '../../src/config/store.js';
import { ValueError } from '../../src/config/types.js';

t.test('a hash verifies its password and no other', async (t) => {
  const h = hashPassword('correct horse');
  t.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
  t.notOk(h.includes('correct horse'));
  t.equal(await verifyPassword(h, 'correct horse'), true);
  t.equal(await verifyPassword(h, 'correct hors'), false);
  t.equal(await verifyPassword(h, ''), false);
  t.equal(await verifyPassword(undefined, 'correct horse'), false, 'no such user');
  t.not(hashPassword('same'), hashPassword('same'), 'a fresh salt for every hash');
});

t.test('the empty password stays visible as empty and matches only the empty string', async (t) => {
  t.equal(hashPassword(''), '');
  t.equal(await verifyPassword('', ''), true);
  t.equal(await verifyPassword('', 'x'), false);
});

t.test('the /user password type hashes what is typed and prints nothing', async (t) => {
  const v = passwordHash.parse('typed-secret', 'password');
  t.type(v, 'string');
  t.ok(isPasswordHash(v as string));
  t.equal(await verifyPassword(v as string, 'typed-secret'), true);
  t.equal(passwordHash.format(v as string), '');
  t.type(passwordHash.parse('x'.repeat(MAX_PASSWORD_LENGTH + 1), 'password'), ValueError, 'an overlong password is refused');
  const looksHashed = `scrypt$16384$8$1$AAAA$BBBB`;
  t.not(passwordHash.parse(looksHashed, 'password'), looksHashed, 'typing a hash sets that text as the password');
});

t.test('the store hashes plain-text user passwords on load and writes them back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `pwstore-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const row = (id: number, name: string, password: string) => ({ id, values: { name, group: 'full', password, comment: '', disabled: false } });
  const kept = hashPassword('already');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    format: 1,
    lists: { '/user': { nextId: 4, rows: [row(1, 'admin', 'plain-admin'), row(2, 'ops', kept), row(3, 'nopw', '')] } },
    settings: {},
  }));
  const { model, notice } = new ConfigStore(dir).load();
  t.equal(notice, undefined);
  const stored = readFileSync(join(dir, 'config.json'), 'utf8');
  t.notOk(stored.includes('plain-admin'), 'no plain text left on disk');
  const users = model.rows('/user');
  t.equal(await verifyPassword(String(users[0]!.values.password), 'plain-admin'), true, 'the migrated password still works');
  t.equal(users[1]!.values.password, kept, 'an existing hash is kept as it is');
  t.equal(users[2]!.values.password, '', 'no password stays no password');
  const again = new ConfigStore(dir).load().model;
  t.equal(again.migrated, false, 'the second load has nothing to migrate');
});
