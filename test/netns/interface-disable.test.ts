// Issue 12 §2 through routerd's own console: `/interface disable` takes a pptp-client tunnel down
// (the server sees the session go) and `enable` brings it back; a pasted script finds the tunnel
// and reads it; `print file=` writes into the data directory.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { twoRouters } from '../lib/routers.js';

t.test('/interface disable|enable on a tunnel, a script and print file= at the console', async (t) => {
  const { server, client } = await twoRouters(t, { subnet: '198.18.61' });
  const s = server.routerd;
  const c = client.routerd;
  await s.configure('/ppp secret add name=john password=pw-john local-address=10.61.0.1 remote-address=10.61.0.2');
  await s.configure('/interface pptp-server add name=in-john user=john');
  await s.configure('/interface pptp-server server set enabled=yes');
  await c.configure('/interface pptp-client add name=out1 connect-to=198.18.61.1 user=john password=pw-john disabled=no');
  await c.poll('/interface pptp-client monitor out1 once', (o) => /status: "connected"/.test(o), 30_000);

  const updown = ':if ([:len [/ppp active find]] > 0) do={:put "up"} else={:put "down"}';
  t.equal(await s.command(updown), 'up\n', "the issue's :if example on the server");
  t.equal(await s.command(':foreach i in=[/ppp active find] do={:put ([/ppp active get $i name] . " " . [/ppp active get $i address])}'), 'john 10.61.0.2\n');
  t.match(await c.command('/interface print where name=out1'), /\n 0 +R +out1 +pptp-out/, 'running before');

  t.equal(await c.command('/interface disable out1'), '');
  t.match(await c.command('/interface print where name=out1'), /\n 0 X +out1 +pptp-out/, 'shown disabled, not running');
  await s.poll('/ppp active print count-only', (o) => o === '0\n', 30_000);
  t.pass('the server saw the session end');
  t.equal(await s.command(updown), 'down\n');
  t.equal(await c.command('/interface pptp-client get out1 disabled'), 'yes\n');

  t.equal(await c.command('/interface enable out1'), '');
  await c.poll('/interface pptp-client monitor out1 once', (o) => /status: "connected"/.test(o), 30_000);
  t.equal(await s.command('/ppp active print count-only'), '1\n', 'connected again');

  t.equal(await s.command('/ppp secret print file=secrets'), '');
  t.match(readFileSync(join(s.dataDir, 'secrets.txt'), 'utf8'), /john/, 'print file= wrote DATA/secrets.txt');
});
