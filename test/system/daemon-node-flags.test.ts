// The image starts routerd with the Node options the tests and benchmarks use
// (test/lib/daemon-command.ts DAEMON_NODE_FLAGS): a memory figure measured by bench-scale holds
// for the image only if both run the daemon the same way.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DAEMON_NODE_FLAGS } from '../lib/daemon-command.js';

const unit = readFileSync(new URL('../../rootfs/etc/systemd/system/routerd.service', import.meta.url), 'utf8');

t.test('routerd.service passes node the options the tests start routerd with', async (t) => {
  const exec = /^ExecStart=(\S+) (.*?)\s*\/opt\/routerd\/dist\/src\/daemon\.js /m.exec(unit);
  t.ok(exec, 'ExecStart runs node on the compiled daemon');
  t.match(exec?.[1] ?? '', /\/node$/, 'the program is node');
  t.same((exec?.[2] ?? '').split(' ').filter((a) => a !== ''), DAEMON_NODE_FLAGS, 'the same node options, in the same order');
  t.ok(DAEMON_NODE_FLAGS.includes('--max-semi-space-size=1'), 'the young generation is capped (README "Many tunnels")');
});
