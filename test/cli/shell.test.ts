// Shell behaviour beyond the seed: navigation, print where, monitor once, find, completion, help.
import t from 'tap';
import { makeRouter } from './harness.js';

t.test('navigation by path, .. and /', async (t) => {
  const r = makeRouter();
  t.equal(r.shell.prompt(), '[admin@MikroTik] > ');
  await r.type('/interface pptp-server server');
  t.equal(r.shell.prompt(), '[admin@MikroTik] /interface pptp-server server> ');
  await r.type('..');
  t.equal(r.shell.prompt(), '[admin@MikroTik] /interface pptp-server> ');
  await r.type('/');
  t.equal(r.shell.prompt(), '[admin@MikroTik] > ');
  await r.type('ppp secret add name=a \\');
  t.equal(r.shell.prompt(), '\\... ', 'continuation prompt');
  await r.type('password=b');
  t.equal(r.model.rows('/ppp secret')[0]!.values.password, 'b');
});

t.test('print where, find, get and [ find ] items', async (t) => {
  const r = makeRouter();
  await r.type('/ppp secret');
  await r.type('add name=a service=pptp');
  await r.type('add name=b');
  await r.type('add name=c service=pptp disabled=yes');
  t.match(await r.type('print where service=pptp'), /\n 0   a +pptp.*\n 1 X c +pptp/);
  t.equal(await r.type('find where service=pptp'), '0,2\n');
  t.equal(await r.type('get 1 service'), 'any\n');
  t.equal(await r.type('set [ find service=pptp ] password=x'), '');
  t.same(r.model.rows('/ppp secret').map((row) => row.values.password), ['x', '', 'x']);
  t.match(await r.type('print where disabled'), /^Flags: X - disabled\n #.*\n 0 X c/);
  t.equal(await r.type('remove 0'), '', 'numbers refer to the last print (0 is c there)');
  t.same(r.model.rows('/ppp secret').map((row) => row.values.name), ['a', 'b']);
});

t.test('monitor once shows the status of a client', async (t) => {
  const r = makeRouter();
  await r.type('/interface pptp-client add name=test2 connect-to=198.18.0.1 user=john disabled=no');
  r.runtime.clients.set('test2', { status: 'verifying password...' });
  t.equal(await r.type('/interface pptp-client monitor test2 once'), ' status: "verifying password..."\n');
  r.runtime.clients.set('test2', { status: 'connected', uptime: 9, idleTime: 1, encoding: 'MPPE128 stateless', mtu: 1460, mru: 1460 });
  t.equal(
    await r.type('/interface pptp-client monitor 0 once'),
    '    status: "connected"\n    uptime: 9s\n idle-time: 1s\n  encoding: "MPPE128 stateless"\n       mtu: 1460\n       mru: 1460\n',
  );
  await r.type('/interface pptp-client disable test2');
  t.equal(await r.type('/interface pptp-client monitor test2 once'), ' status: "terminated"\n', 'a disabled client is terminated');
});

t.test('/ppp active lists users and remove disconnects', async (t) => {
  const r = makeRouter();
  r.runtime.active.set('s1', {
    id: 's1', user: 'ex', service: 'pptp', callerId: '198.18.0.9', address: '10.0.0.202', clientAddress: '198.18.0.9',
    uptime: 392, encoding: 'MPPE128 stateless', mtu: 1460, mru: 1460, bytesIn: 10, bytesOut: 20,
  });
  t.match(await r.type('/ppp active print'), /\n 0\s+ex\s+pptp\s+198\.18\.0\.9\s+10\.0\.0\.202\s+6m32s\s+MPPE128 stateless\n$/);
  t.match(await r.type('/interface pptp-server print'), / 0 DR <pptp-ex>/);
  t.equal(await r.type('/interface pptp-server remove 0'), '', 'removing the dynamic row disconnects');
  t.equal(r.runtime.sessions().length, 0);
});

t.test('a connected user with a static pptp-server entry shows on that entry, not as a dynamic row', async (t) => {
  const r = makeRouter();
  t.equal(await r.type('/interface pptp-server add name=FromLaptop user=ex'), '');
  for (const [id, user] of [['s1', 'ex'], ['s2', 'other']] as const) {
    r.runtime.active.set(id, {
      id, user, service: 'pptp', callerId: '198.18.0.9', address: '10.0.0.202', clientAddress: '198.18.0.9',
      uptime: 5, encoding: 'MPPE128 stateless', mtu: 1460, mru: 1460, bytesIn: 0, bytesOut: 0,
    });
  }
  const out = await r.type('/interface pptp-server print');
  t.match(out, / 0 DR <pptp-other>/, 'a user without an entry: a dynamic row, listed first');
  t.match(out, / 1 R +FromLaptop\s+ex /, 'the user with an entry: on it, running');
  t.notMatch(out, /<pptp-ex>/);
});

t.test('tab completion and ? help come from the schema', async (t) => {
  const r = makeRouter();
  t.same(r.shell.complete('/interface pptp-cl')[0], ['/interface pptp-client'].map((s) => s.split(' ')[1]!));
  await r.type('/interface pptp-client');
  t.same(r.shell.complete('add allow=pap,ms')[0], ['allow=pap,mschap1', 'allow=pap,mschap2']);
  t.same(r.shell.complete('add prof')[0], ['profile=']);
  t.same(r.shell.complete('add profile=def')[0], ['profile=default', 'profile=default-encryption']);
  t.match((await r.type('add ?')), /connect-to\s+-- address of the PPTP server \(IP address\)/);
  t.match((await r.type('?')), /monitor\s+-- command/);
  t.equal(await r.type('add name=c1 connect-to=198.18.0.1 user=u'), '');
  t.same(r.shell.complete('print ')[0], ['as-value', 'brief', 'count-only', 'detail', 'file=', 'from=', 'interval=', 'terse', 'where', 'without-paging'], 'after print: its options, not properties');
  t.same(r.shell.complete('print d')[0], ['detail']);
  t.same(r.shell.complete('print where di')[0], ['disabled=', 'disabled'], 'after where: properties and flags');
  t.same(r.shell.complete('monitor ')[0], ['once', 'interval=', 'c1'], 'after monitor: its arguments and the items');
  t.same(r.shell.complete('/interface print ')[0].at(-1), 'stats', 'stats where the menu has it');
});

t.test('a read-only user cannot change the configuration', async (t) => {
  const r = makeRouter('MikroTik', { user: 'viewer' });
  r.model.add('/user', { name: 'viewer', group: 'read' });
  t.equal(await r.type('/ppp secret add name=x'), 'not enough permissions (9)\n');
  t.equal(r.model.rows('/ppp secret').length, 0);
});
