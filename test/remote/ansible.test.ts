// Ansible against routerd (issue 17), in `make test` (and alone: `make test-ansible`). Debian's
// ansible 7.7 with community.routeros: the api module adds a pptp-client and a secret through librouteros;
// command and facts speak the console over SSH (network_cli with paramiko).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair } from '../lib/netns.js';
import { startRouterd } from '../lib/routerd.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

t.test('ansible-playbook sets up a branch office over the API and reads it over SSH', async (t) => {
  const rt = await createNetns(t, 'anrt');
  const cl = await createNetns(t, 'ancl');
  await createVethPair(rt, cl, { addrA: '10.78.0.1/24', addrB: '10.78.0.2/24' });
  const r = await startRouterd(t, rt, { identity: 'Branch' });
  await r.poll('/log print', (out) => /ssh: listening on port 22/.test(out) && /api: listening/.test(out), 60_000);
  await r.configure('/user set admin password=Adm1n-pw');
  const dir = mkdtempSync(join(tmpdir(), 'ansible-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'hosts.ini'),
    'branch ansible_host=10.78.0.1 ansible_user=admin+cet1024w ansible_password=Adm1n-pw api_user=admin api_password=Adm1n-pw\n',
  );
  const res = await cl.exec([
    'env', `HOME=${dir}`, 'ANSIBLE_HOST_KEY_CHECKING=False', 'ANSIBLE_NOCOLOR=1', `ANSIBLE_LOCAL_TEMP=${dir}/tmp`,
    'ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3',
    'ansible-playbook', '-i', join(dir, 'hosts.ini'), join(root, 'test', 'remote', 'ansible', 'branch-office.yml'),
  ]);
  t.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
  t.match(res.stdout, /branch\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
  t.match(await r.command('/interface pptp-client print'), /to-hq/);
  t.match(await r.command('/ppp secret print'), /laptop/);
});
