// routerd's stdio console on a real terminal (a pty made by script(1)): the daemon puts the tty
// in raw mode and edits lines itself, so Ctrl-C drops a half-typed line there too, and arrow
// keys and history work as on the serial console.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns } from '../lib/netns.js';
import { waitUntil } from '../lib/pty.js';
import { daemonArgs } from '../lib/daemon-command.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

t.test('Ctrl-C, arrows and history at routerd --console stdio on a terminal', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-tty-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Its own namespace: the router it starts must not touch this machine's network.
  const ns = await createNetns(t, 'tty');
  const command = ['node', ...daemonArgs(), '--data', dir, '--console', 'stdio', '--identity', 'Tty'].join(' ');
  const child = ns.spawn('script', ['-qfec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: root,
  });
  let screen = '';
  child.stdout!.on('data', (d: Buffer) => (screen += d.toString()));
  const type = (keys: string) => void child.stdin!.write(keys);
  // The tty turns our \r\n into \r\r\n (ONLCR stays on in raw mode): patterns allow both.
  const waitFor = (re: RegExp, ms = 30_000) => waitUntil(() => re.test(screen), `${re}; the screen:\n${screen.slice(-1500)}`, ms);

  await waitFor(/Login: $/, 60_000);
  type('admin\r');
  await waitFor(/Password: $/);
  type('\r');
  await waitFor(/\[admin@Tty\] > $/);

  screen = '';
  type('/system identity set name=Glued');
  await waitFor(/name=Glued$/);
  type('\x03');
  await waitFor(/name=Glued\^C\r*\n\[admin@Tty\] > $/);
  t.pass('Ctrl-C shows ^C and a fresh prompt (the tty sends no SIGINT: the daemon runs on)');
  type('/ppp secret add name=tty password=p\r');
  await waitFor(/password=p\r*\n\[admin@Tty\] > $/);
  screen = '';
  type('/ppp secret print\r');
  await waitFor(/\n\[admin@Tty\] > $/);
  t.match(screen, /\btty\b/, 'the new command ran');
  t.notMatch(screen, /Glued/, 'the dropped one did not');

  screen = '';
  type('\x1b[A\x1b[A' + '\x17\x17' + 'name=two password=q' + '\x1b[D'.repeat(13) + '\x1b[3~' + 'x\r');
  await waitFor(/\n\[admin@Tty\] > $/);
  screen = '';
  type('/ppp secret print\r');
  await waitFor(/\n\[admin@Tty\] > $/);
  t.match(screen, /\btxo\b/, 'history, Ctrl-W, left arrow, Delete and insertion: name=two became name=txo');
  t.match(screen, /\[admin@Tty\] > $/, 'identity unchanged');
});
