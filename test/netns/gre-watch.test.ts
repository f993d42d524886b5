// SPEC.md example 4: a firewall that passes TCP 1723 but not IP protocol 47. The control
// connection and the call come up, no GRE ever arrives, and after 10 s the server's log says so
// and names protocol 47 as the likely culprit.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, link, startRouter } from '../lib/routers.js';
import { tsLoader } from '../lib/ts-loader.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

t.test('a call without GRE is reported after 10 s, naming IP protocol 47', async (t) => {
  const [serverNs, clientNs] = [await createNetns(t, 'gw-srv'), await createNetns(t, 'gw-cli')];
  await link(serverNs, 'ether1', clientNs, 'ether1');
  await clientNs.run(['ip', 'addr', 'add', '198.18.14.2/24', 'dev', 'ether1']);
  const server = await startRouter(t, serverNs, ['ether1'], { identity: 'Server' });
  await server.routerd.configure('/ip address add address=198.18.14.1/24 interface=ether1');
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.0.1 remote-address=10.0.0.2');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');

  const client = clientNs.spawn('node', ['--import', tsLoader, join(root, 'test', 'netns', 'fixtures', 'pptp-call-only.ts'), '198.18.14.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    client.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('call-up')) resolve();
    });
    client.on('exit', (code) => reject(new Error(`the test client exited (${code}) before its call was up`)));
  });
  const placed = Date.now();
  const log = await server.routerd.poll('/log print', (o) => /no GRE packets/.test(o), 20_000, 500);
  const seconds = (Date.now() - placed) / 1000;
  t.match(log, /no GRE packets from 198\.18\.14\.2 within 10 s although the control connection \(TCP 1723\) is up: a firewall on the way probably blocks IP protocol 47 \(GRE\)/, 'the log names the likely culprit');
  t.ok(seconds >= 9 && seconds < 15, `reported ${seconds.toFixed(1)} s after the call was placed`);
});
