// Issue 19, finding 7: text an unauthenticated peer sends reaches `/log print` and the journal.
// A PPTP host name with a newline, an escape sequence and a bidi override must show up escaped,
// so it can neither forge a log line nor repaint the admin's terminal.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, link, startRouter } from '../lib/routers.js';
import { tsLoader } from '../lib/ts-loader.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

t.test('a PPTP host name with control characters is logged escaped', async (t) => {
  const [serverNs, clientNs] = [await createNetns(t, 'li-srv'), await createNetns(t, 'li-cli')];
  await link(serverNs, 'ether1', clientNs, 'ether1');
  await clientNs.run(['ip', 'addr', 'add', '198.18.15.2/24', 'dev', 'ether1']);
  const server = await startRouter(t, serverNs, ['ether1'], { identity: 'Server' });
  await server.routerd.configure('/ip address add address=198.18.15.1/24 interface=ether1');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');

  const hostile = 'evil\r\nsystem,error,critical admin password changed\u001b[2J\u202egnp.exe';
  const peer = clientNs.spawn('node', ['--import', tsLoader, join(root, 'test', 'netns', 'fixtures', 'pptp-call-only.ts'), '198.18.15.1', JSON.stringify(hostile)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (peer.exitCode === null && peer.signalCode === null) peer.kill('SIGKILL');
  });
  const log = await server.routerd.poll('/log print', (o) => /host "evil/.test(o), 20_000, 500);
  const line = log.split('\n').find((l) => l.includes('host "evil'));
  t.ok(line, 'the connection is logged');
  t.match(line!, /host "evil\\x0D\\x0Asystem,error,critical admin password changed\\x1B\[2J(\\u\{202E\}|\.)gnp\.exe"/, 'on one line, its control characters escaped');
  t.notOk(/^\S*\s*system,error,critical admin password changed/m.test(log), 'no forged entry starts a line');
  t.notOk(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/u.test(log), 'the console got no raw control character');
  t.notOk(/\u001b\[2J|\u202e/u.test(server.routerd.output), "nothing routerd wrote (console and journal) holds the raw escape or bidi override");
});
