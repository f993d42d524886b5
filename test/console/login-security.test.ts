// Issue 12 §1 and issue 19 item 9 at routerd's stdio console, as users start it: a user of the
// read group exports without seeing any password and cannot change anything; a group without
// the sensitive policy sees no PPP password anywhere; config.json holds only password hashes,
// an old plain-text one included; failed logins make the next prompt wait.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetns } from '../lib/netns.js';
import { runRouterdScript, startRouterd, type Routerd } from '../lib/routerd.js';

const DENIED = 'not enough permissions (9)\n';

/** Logs out, then logs in as user; resolves at the user's prompt. */
async function relogin(r: Routerd, user: string, password: string): Promise<void> {
  const from = r.output.length;
  r.write('quit\n');
  await r.waitFor(/Login: /, 10_000, from);
  r.write(`${user}\n`);
  await r.waitFor(/Password: /, 10_000, from);
  r.write(`${password}\n`);
  await r.waitFor(new RegExp(`\\[${user}@MikroTik\\] > $`), 20_000, from);
}

t.test('read-only users, sensitive values and hashed passwords at the stdio console', async (t) => {
  const ns = await createNetns(t, 'login');
  const r = await startRouterd(t, ns);
  await r.configure('/user group add name=nosens policy=local,read,test');
  await r.configure('/user add name=ro group=read password=ro-pass-1');
  await r.configure('/user add name=peek group=nosens password=peek-pass-1');
  await r.configure('/ppp secret add name=ex password=lkjrht-secret');
  await r.configure('/interface pptp-client add connect-to=198.18.0.1 user=ex password=client-secret-1');
  await r.configure('/user group add name=remote policy=ssh,read');
  await r.configure('/user add name=far group=remote password=far-pass-1');
  await r.configure('/user set admin password=admin-pass-1');

  const stored = readFileSync(join(r.dataDir, 'config.json'), 'utf8');
  for (const pw of ['admin-pass-1', 'ro-pass-1', 'peek-pass-1', 'far-pass-1']) t.notOk(stored.includes(pw), `config.json has no ${pw}`);
  t.equal(stored.match(/"password": "scrypt\$/g)?.length, 4, 'four user password hashes');
  t.ok(stored.includes('lkjrht-secret'), 'a PPP secret stays recoverable (CHAP needs it)');

  const plain = await r.command('/export');
  t.notMatch(plain, /lkjrht-secret|client-secret-1/, 'export hides sensitive values by default (v7)');
  const body = (script: string): string => script.split('\n').slice(1).join('\n');
  t.equal(body(await r.command('/export hide-sensitive')), body(plain), 'hide-sensitive (v6) is accepted');
  const full = await r.command('/export show-sensitive');
  t.match(full, /add name=ex password=lkjrht-secret/, 'admin sees secrets with show-sensitive');
  t.match(full, /password=client-secret-1/);
  t.notMatch(full, /admin-pass-1|ro-pass-1|scrypt/, 'user passwords are exported to nobody');

  await relogin(r, 'ro', 'ro-pass-1');
  const roExport = await r.command('/export');
  t.match(roExport, /\/ppp secret\nadd name=ex\n/, 'ro runs /export');
  t.notMatch(roExport, /lkjrht-secret|client-secret-1|admin-pass-1|ro-pass-1|scrypt/, 'ro export: no password at all');
  t.equal(await r.command('/ppp secret add name=evil password=x'), DENIED, 'ro cannot add a secret');
  t.equal(await r.command('/user set admin password=mine'), DENIED, 'ro cannot set the admin password');
  t.equal(await r.command('/ppp secret remove ex'), DENIED);
  t.notMatch(await r.command('/ppp secret print'), /evil/, 'nothing was added');
  // RouterOS v7's built-in read group keeps the sensitive policy: its users may see secrets.
  t.match(await r.command('/export show-sensitive'), /password=lkjrht-secret/, 'read keeps sensitive, as in RouterOS v7');

  await relogin(r, 'peek', 'peek-pass-1');
  t.notMatch(await r.command('/ppp secret print detail'), /lkjrht-secret/, 'no sensitive policy: print detail hides it');
  t.notMatch(await r.command('/ppp secret print'), /lkjrht-secret/);
  t.notMatch(await r.command('/interface pptp-client print detail'), /client-secret-1/);
  t.equal(await r.command('/ppp secret get ex password'), DENIED);
  t.equal(await r.command('/export show-sensitive'), DENIED);
  t.match(await r.command('/user print'), /far/);
  const from = r.output.length;
  r.write('quit\nfar\nfar-pass-1\n');
  await r.waitFor(/Login failed, incorrect username or password\n\nLogin: /, 20_000, from);
  t.pass('a group without the local policy cannot log in at the console');
  r.write('peek\npeek-pass-1\n');
  await r.waitFor(/\[peek@MikroTik\] > $/, 20_000, from);
  t.equal(await r.command('/ppp secret print where password=lkjrht-secret'), 'Flags: X - disabled\n #  NAME         SERVICE CALLER-ID       PASSWORD     PROFILE            REMOTE-ADDRESS\n', 'where cannot probe a hidden value');
});

t.test('failed logins at a console make its next prompt wait, and are logged', async (t) => {
  const ns = await createNetns(t, 'throttle');
  const r = await startRouterd(t, ns);
  await r.configure('/user set admin password=right-one');
  let from = r.output.length;
  r.write('quit\n');
  await r.waitFor(/Login: /, 10_000, from);
  for (let i = 1; i <= 3; i++) {
    from = r.output.length;
    r.write(`admin\nwrong-${i}\n`);
    await r.waitFor(/Login failed[^]*Login: /, 10_000, from);
  }
  // The 4th failure costs a wait before the next prompt; the right password typed at once is
  // only checked after it.
  from = r.output.length;
  r.write('admin\nwrong-4\n');
  await r.waitFor(/Login failed/, 10_000, from);
  const failedAt = Date.now();
  r.write('admin\nright-one\n');
  await r.waitFor(/\[admin@MikroTik\] > $/, 20_000, from);
  t.ok(Date.now() - failedAt >= 900, 'the prompt after the 4th failure came no sooner than the 1 s wait');
  const log = await r.logText();
  t.match(log, /login failure for user admin via stdio/);
  t.match(log, /4 failed logins via stdio: next login prompt in 1 s/);
  t.match(log, /user admin logged in via stdio/);
});

t.test('a plain-text password of an older config.json is hashed on first load', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-pw-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const admin = { name: 'admin', group: 'full', password: 'old-plain-pw', comment: 'system default user', disabled: false };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 1, lists: { '/user': { nextId: 2, rows: [{ id: 1, values: admin }] } }, settings: {} }));
  // Typed ahead on a pipe that then closes: a failed attempt, the right one, a command.
  const { out } = await runRouterdScript(t, dir, 'admin\nnot-it\nadmin\nold-plain-pw\n/user print\n');
  t.match(out, /Login failed[^]*\[admin@MikroTik\] > /, 'the old password still logs in, after a failed try');
  t.match(out, /admin\s+full\s+system default user/, 'the command typed ahead ran before the console ended');
  const stored = readFileSync(join(dir, 'config.json'), 'utf8');
  t.notOk(stored.includes('old-plain-pw'), 'the plain text is gone from config.json');
  t.match(stored, /"password": "scrypt\$16384\$8\$1\$/);
});
