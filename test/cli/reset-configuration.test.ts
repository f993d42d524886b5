// /system reset-configuration asks y/N like RouterOS, resets only on y, and ends the session.
import t from 'tap';
import { makeRouter } from './harness.js';

function configured() {
  let logouts = 0;
  const r = makeRouter('MikroTik', { logout: () => logouts++ });
  return { r, logouts: () => logouts };
}

t.test('y resets the configuration to the defaults and logs the user out', async (t) => {
  const { r, logouts } = configured();
  await r.type('/system identity set name=Branch');
  await r.type('/ppp secret add name=ex password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2');
  await r.type('/user set admin password=s3cret');
  const events: string[] = [];
  r.model.onChange((e) => events.push(e.op));
  t.equal(await r.type('/system reset-configuration'), '', 'nothing happens before the answer');
  t.equal(r.shell.prompt(), 'Dangerous! Reset anyway? [y/N]: ');
  t.equal(r.model.rows('/ppp secret').length, 1, 'still configured while the question waits');
  t.equal(await r.type('y'), 'system configuration will be reset\n');
  t.same(events, ['reset'], 'one reset event (the store saves on it)');
  t.equal(r.model.rows('/ppp secret').length, 0, 'secrets gone');
  t.equal(r.model.settingsValues('/system identity').name, 'MikroTik', 'identity back to its default');
  t.equal(r.model.rows('/user').find((u) => u.values.name === 'admin')?.values.password, '', 'admin password empty again');
  t.equal(logouts(), 1, 'the session ends, as RouterOS closes it');
  t.equal(r.shell.prompt(), '[admin@MikroTik] > ', 'the question is gone');
});

t.test('anything but y (n, Enter, a command) cancels and changes nothing', async (t) => {
  for (const answer of ['n', '', 'N', '/ppp secret print', 'yy']) {
    const { r, logouts } = configured();
    await r.type('/ppp secret add name=ex password=lkjrht');
    await r.type('/system reset-configuration');
    t.equal(await r.type(answer), 'action cancelled\n', `answer ${JSON.stringify(answer)}`);
    t.equal(r.model.rows('/ppp secret').length, 1);
    t.equal(logouts(), 0);
    t.equal(r.shell.prompt(), '[admin@MikroTik] > ');
  }
});

t.test('Y and yes also reset; typed from inside /system as well', async (t) => {
  for (const answer of ['Y', 'yes']) {
    const { r } = configured();
    await r.type('/ppp secret add name=ex password=lkjrht');
    await r.type('/system');
    await r.type('reset-configuration no-defaults=yes skip-backup=yes');
    t.equal(await r.type(answer), 'system configuration will be reset\n');
    t.equal(r.model.rows('/ppp secret').length, 0);
  }
});

t.test('bad arguments are one line and ask nothing', async (t) => {
  const { r } = configured();
  t.equal(await r.type('/system reset-configuration keep-users=yes'), 'expected end of command (unknown parameter keep-users)\n');
  t.equal(await r.type('/system reset-configuration no-defaults=maybe'), 'input does not match any value of no-defaults\n');
  t.equal(await r.type('/system reset-configuration now'), 'expected end of command (line 1 column 29)\n');
  t.equal(r.shell.prompt(), '[admin@MikroTik] > ');
});

t.test('a read-group user may not reset', async (t) => {
  const { r } = configured();
  await r.type('/user add name=viewer group=read');
  const viewer = makeRouter('MikroTik', { user: 'viewer', model: r.model });
  t.equal(await viewer.type('/system reset-configuration'), 'not enough permissions (9)\n');
  t.equal(viewer.shell.prompt(), '[viewer@MikroTik] > ');
});

t.test('help and completion offer reset-configuration under /system', async (t) => {
  const { r } = configured();
  t.match(r.shell.help('/system').join('\n'), /reset-configuration +-- command/);
  t.same(r.shell.complete('/system res')[0].sort(), ['reset-configuration', 'resource']);
});
