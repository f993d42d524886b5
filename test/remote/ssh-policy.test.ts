// Issue 12 §1: /user group policies over SSH, with the real ssh2 client on loopback. A group
// without `ssh` cannot log in that way; a user of group read runs commands and scripts that
// look, and every one that changes something is refused with nothing changed.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { createSshServer } from '../../src/remote/ssh-server.js';
import { ActiveUsers } from '../../src/remote/active-users.js';
import { LoginThrottle } from '../../src/console/login-throttle.js';
import { LogBook } from '../../src/log.js';
import { makeRouter } from '../cli/harness.js';

const { Client } = ssh2;

/** Runs command as user over SSH: the output, or the client's error when the login fails. */
function sshRun(port: number, user: string, password: string, command: string): Promise<{ out: string } | { error: string }> {
  return new Promise((resolve) => {
    const c = new Client();
    c.on('error', (e) => resolve({ error: e.message }));
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return resolve({ error: err.message });
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (out += d.toString()));
        stream.on('close', () => {
          c.end();
          resolve({ out });
        });
      });
    });
    c.connect({ host: '127.0.0.1', port, username: user, password, readyTimeout: 20_000 });
  });
}

t.test('ssh: the ssh policy to log in, read to look, write to change, scripts included', async (t) => {
  const r = makeRouter();
  for (const line of [
    '/user group add name=no-ssh policy=local,read,write,api',
    '/user group add name=looker policy=ssh,read',
    '/user add name=nossh group=no-ssh password=N0ssh-pw',
    '/user add name=viewer group=looker password=V1ew-pw',
    '/ppp secret add name=alice password=secret-a',
  ]) t.equal(await r.type(line), '', line);
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const log = new LogBook();
  const server = createSshServer(
    { model: r.model, runtime: r.runtime, log, notices: [], loginThrottle: new LoginThrottle({ free: 10, firstDelayMs: 1, maxDelayMs: 1 }), activeUsers: new ActiveUsers() },
    privateKey,
    () => [],
  );
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  t.teardown(() => new Promise<void>((res) => server.close(() => res())));
  const port = (server.address() as AddressInfo).port;

  const refused = await sshRun(port, 'nossh', 'N0ssh-pw', '/ppp secret print');
  t.match(refused, { error: /authentication methods failed/ }, 'the right password, but the group lacks ssh');
  t.match(log.list().map((e) => e.message).join('\n'), /login failure for user nossh from 127\.0\.0\.1 via ssh/);

  const looked = await sshRun(port, 'viewer', 'V1ew-pw', '/ppp secret print count-only');
  t.same(looked, { out: '1\n' }, 'read: print works');
  const before = (await r.type('/export show-sensitive')).replace(/^#.*\n/gm, '');
  for (const command of [
    '/ppp secret add name=bob password=x',
    '/ppp secret set alice comment=x',
    '/ppp secret remove alice',
    ':foreach i in=[/ppp secret find] do={/ppp secret set $i comment=hacked}',
    '/user set viewer group=full',
    '/system reboot',
  ]) {
    const res = await sshRun(port, 'viewer', 'V1ew-pw', command);
    t.match(res, { out: /not enough permissions \(9\)/ }, command);
  }
  t.equal((await r.type('/export show-sensitive')).replace(/^#.*\n/gm, ''), before, 'nothing changed');
});
