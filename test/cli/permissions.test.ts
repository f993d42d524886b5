// Every command checks the policies of the user's group (RouterOS v7 /user group): looking
// needs read, changing needs write, user management needs policy too, ping needs test, and
// sensitive values need sensitive. A refusal is one line and changes nothing.
import t from 'tap';
import { verifyPassword } from '../../src/config/password-hash.js';
import { makeRouter, type TestRouter } from './harness.js';

const DENIED = 'not enough permissions (9)\n';

interface Session {
  /** The logged-in user's console. */
  readonly r: TestRouter;
  /** The configuration both consoles share. */
  readonly model: TestRouter['model'];
  /** Pings the user's console started. */
  pings(): number;
}

/** admin sets up `user` of `group` (made with `policy` unless built in); user logs in beside. */
async function as(user: string, group: string, policy?: string): Promise<Session> {
  const admin = makeRouter();
  if (policy !== undefined) await admin.type(`/user group add name=${group} policy=${policy}`);
  await admin.type(`/user add name=${user} group=${group} password=pw-${user}`);
  await admin.type('/ppp secret add name=ex password=lkjrht');
  let pinged = 0;
  const r = makeRouter('MikroTik', { user, model: admin.model, ping: async () => void pinged++ });
  return { r, model: admin.model, pings: () => pinged };
}

t.test('read group: looks at everything, changes nothing', async (t) => {
  const { r, model } = await as('ro', 'read');
  const before = JSON.stringify(model.snapshot());
  for (const line of [
    '/ppp secret add name=x', '/ppp secret set ex password=y', '/ppp secret remove ex', '/ppp secret disable ex',
    '/system identity set name=Mine', '/user add name=me group=full', '/user set ro group=full',
    '/user group add name=g policy=read', '/system reset-configuration',
  ]) t.equal(await r.type(line), DENIED, line);
  t.equal(JSON.stringify(model.snapshot()), before, 'nothing changed');
  t.match(await r.type('/ppp secret print'), /ex/);
  t.match(await r.type('/ppp secret export'), /add name=ex\n/);
});

t.test('write group: changes the configuration, not the users', async (t) => {
  const { r, model } = await as('wr', 'write');
  t.equal(await r.type('/ppp secret add name=y'), '');
  t.equal(await r.type('/user add name=me group=full'), DENIED, 'user management needs policy');
  t.equal(await r.type('/user set wr group=full'), DENIED, 'no promoting oneself');
  t.equal(model.rows('/user').find((u) => u.values.name === 'wr')?.values.group, 'write');
});

t.test('a group without sensitive never sees PPP passwords', async (t) => {
  const { r } = await as('peek', 'nosens', 'local,read,test');
  for (const line of ['/ppp secret print', '/ppp secret print detail', '/export', '/ppp secret export']) {
    t.notMatch(await r.type(line), /lkjrht/, line);
  }
  t.equal(await r.type('/ppp secret get ex password'), DENIED);
  t.equal(await r.type('/export show-sensitive'), DENIED);
  t.equal(await r.type('/ppp secret find where password=lkjrht'), '\n', 'find cannot probe the hidden value');
});

t.test('ping needs test; a group without read sees nothing', async (t) => {
  const noTest = await as('nt', 'notest', 'local,read');
  t.equal(await noTest.r.type('/ping 198.18.0.1 count=1'), DENIED);
  t.equal(noTest.pings(), 0, 'no ping was started');
  const withTest = await as('wt', 'tester', 'local,read,test');
  t.equal(await withTest.r.type('/ping 198.18.0.1 count=1'), '');
  t.equal(withTest.pings(), 1);
  const blind = await as('bl', 'blind', 'local,test');
  t.equal(await blind.r.type('/ppp secret print'), DENIED);
  t.equal(await blind.r.type('/export'), DENIED);
});

t.test('admin (full) sees secrets, but no user password, anywhere', async (t) => {
  const r = makeRouter();
  await r.type('/user set admin password=adminpw');
  await r.type('/ppp secret add name=ex password=lkjrht');
  t.match(await r.type('/ppp secret print detail'), /password="lkjrht"/, 'as the seed shows');
  t.match(await r.type('/export show-sensitive'), /password=lkjrht/);
  t.notMatch(await r.type('/export'), /lkjrht/, 'export hides sensitive values by default (v7)');
  for (const line of ['/user print', '/user print detail', '/user export show-sensitive']) {
    t.notMatch(await r.type(line), /adminpw|scrypt|password/, line);
  }
  t.notMatch(await r.type('/export show-sensitive'), /adminpw|scrypt/);
  t.equal(await r.type('/user get admin password'), 'input does not match any value of value-name\n');
});

t.test('the built-in groups are RouterOS v7s and cannot be changed or removed', async (t) => {
  const r = makeRouter();
  const groups = await r.type('/user group print');
  t.match(groups, /name="read"\n\s+policy=local,telnet,ssh,reboot,read,test,winbox,password,web,sniff,sensitive,api,romon,rest-api,!ftp,!write,!policy/);
  t.match(groups, /name="write"\n\s+policy=local,telnet,ssh,reboot,read,write,test,winbox,password,web,sniff,sensitive,api,romon,rest-api,!ftp,!policy/);
  t.match(groups, /name="full"\n\s+policy=local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,password,web,sniff,sensitive,api,romon,rest-api\n/);
  const before = JSON.stringify(r.model.snapshot());
  t.equal(await r.type('/user group set read policy=read,write'), 'failure: default entry cannot be changed\n');
  t.equal(await r.type('/user group remove full'), 'failure: default entry cannot be removed\n');
  await r.type('/user group add name=ops policy=read,!write,test');
  t.match(await r.type('/user group print detail'), /name="ops"\n\s+policy=read,test,!local/);
  await r.type('/user add name=o group=ops');
  t.equal(await r.type('/user group remove ops'), 'failure: ops is used by /user\n', 'a group in use stays');
  t.equal(await r.type('/user add name=z group=nosuch'), 'input does not match any value of group\n');
  t.not(JSON.stringify(r.model.snapshot()), before);
});

t.test('/password changes one\'s own password, with the password policy', async (t) => {
  const { r, model } = await as('ro', 'read');
  const hashOf = (): unknown => model.rows('/user').find((u) => u.values.name === 'ro')?.values.password;
  const before = hashOf();
  t.equal(await r.type('/password old-password=wrong new-password=n1 confirm-new-password=n1'), 'failure: old password is not valid\n');
  t.equal(await r.type('/password old-password=pw-ro new-password=n1 confirm-new-password=n2'), 'failure: new passwords do not match\n');
  t.equal(await r.type('/password old-password=pw-ro new-password=n1'), 'failure: confirm-new-password must be given\n');
  t.equal(hashOf(), before, 'refusals changed nothing');
  t.equal(await r.type('/password old-password=pw-ro new-password=n1 confirm-new-password=n1'), '');
  t.equal(await verifyPassword(String(hashOf()), 'n1'), true, 'the new password is stored, hashed');
  const noPw = await as('np', 'nopw', 'local,read');
  t.equal(await noPw.r.type('/password old-password=pw-np new-password=x confirm-new-password=x'), DENIED);
});

t.test('/password typed bare asks old-password:, new-password: and confirm-new-password: in turn', async (t) => {
  const { r, model } = await as('ro', 'read');
  const hashOf = (): unknown => model.rows('/user').find((u) => u.values.name === 'ro')?.values.password;
  const before = hashOf();
  t.equal(await r.type('/password'), '');
  t.equal(r.shell.prompt(), 'old-password: ');
  t.ok(r.shell.askingSecret, 'a password question: the console hides the answer');
  t.equal(await r.type('pw-ro'), '');
  t.equal(r.shell.prompt(), 'new-password: ');
  t.equal(await r.type('n1'), '');
  t.equal(r.shell.prompt(), 'confirm-new-password: ');
  t.equal(await r.type('n2'), 'failure: new passwords do not match\n');
  t.equal(r.shell.prompt(), '[ro@MikroTik] > ', 'back at the prompt');
  t.notOk(r.shell.askingSecret);
  await r.type('/password');
  t.equal(await r.type('wrong'), '');
  await r.type('n1');
  t.equal(await r.type('n1'), 'failure: old password is not valid\n');
  await r.type('/password');
  await r.type('pw-ro');
  r.shell.cancelLine();
  t.equal(r.shell.prompt(), '[ro@MikroTik] > ', 'Ctrl-C drops the questions');
  t.equal(hashOf(), before, 'nothing changed so far');
  for (const line of ['/password', 'pw-ro', 'n1']) t.equal(await r.type(line), '', line);
  t.equal(await r.type('n1'), '');
  t.equal(await verifyPassword(String(hashOf()), 'n1'), true, 'the new password is stored');
  const noPw = await as('np', 'nopw', 'local,read');
  t.equal(await noPw.r.type('/password'), DENIED, 'the password policy is checked before anything is asked');
  t.equal(noPw.r.shell.prompt(), '[np@MikroTik] > ');
});
