// Remote management with the real clients (issue 17): routerd in a namespace of its own, the
// clients in a second one behind a veth ("LAN" 10.77.0.0/24) and a second veth on the
// "internet" side (198.18.77.0/24). node-routeros (npm) and Debian's python3-librouteros speak
// the API, OpenSSH's ssh (with sshpass for passwords) the console; a read-group user is refused
// every change; a disabled service does not listen; the internet side is not let in.
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair, exec, type Netns } from '../lib/netns.js';
import { startRouterd, type Routerd } from '../lib/routerd.js';
import { generate } from 'selfsigned';
import { tsLoader } from '../lib/ts-loader.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const clients = join(root, 'test', 'remote', 'clients');
const PYTHON = '/usr/bin/python3';
const ROUTER = '10.77.0.1';
const WAN = '198.18.77.1';

interface Lab {
  readonly rt: Netns;
  readonly cl: Netns;
  readonly r: Routerd;
  readonly home: string;
}

async function lab(t: Test): Promise<Lab> {
  const rt = await createNetns(t, 'rmrt');
  const cl = await createNetns(t, 'rmcl');
  await createVethPair(rt, cl, { addrA: `${ROUTER}/24`, addrB: '10.77.0.2/24' });
  await createVethPair(rt, cl, { addrA: `${WAN}/24`, addrB: '198.18.77.2/24' });
  const r = await startRouterd(t, rt);
  await r.poll('/log print', (out) => /api-ssl: listening on port 8729/.test(out), 60_000);
  const home = mkdtempSync(join(tmpdir(), 'remote-home-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  await r.configure('/user set admin password=Adm1n-pw');
  await r.configure('/user add name=viewer group=read password=V1ew-pw');
  await r.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2');
  await r.configure('/interface pptp-client add name=gw connect-to=198.18.9.9 user=u password=p');
  return { rt, cl, r, home };
}

function sshArgs(l: Lab, extra: readonly string[]): string[] {
  return ['ssh', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(l.home, 'known_hosts')}`, '-o', 'ConnectTimeout=20', ...extra];
}

async function nodeClient(l: Lab, user: string, password: string, mode: string): Promise<Record<string, unknown>> {
  const r = await l.cl.exec(['node', '--import', tsLoader, join(clients, 'node-routeros-client.ts'), ROUTER, user, password, mode]);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`node-routeros client: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
}

async function pyClient(l: Lab, host: string, user: string, password: string, mode: string): Promise<Record<string, unknown>> {
  const r = await l.cl.exec([PYTHON, join(clients, 'librouteros_client.py'), host, user, password, mode]);
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
  } catch {
    throw new Error(`librouteros client: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
}

t.test('remote management: API, api-ssl and SSH with the real clients', async (t) => {
  const l = await lab(t);
  const { r, cl } = l;

  t.test('print lists the three services on their ports', async (t) => {
    const out = await r.command('/ip service print');
    t.match(out, /ssh\s+22\b/);
    t.match(out, /api\s+8728\b/);
    t.match(out, /api-ssl\s+8729\b/);
  });

  t.test('node-routeros: login, list, add (=ret=), query, set, listen, !trap, monitor once, remove', async (t) => {
    const res = await nodeClient(l, 'admin', 'Adm1n-pw', 'full');
    t.notOk(res.error, String(res.error ?? ''));
    t.same(res.before, ['ex']);
    t.match(res.ret, /^\*[0-9A-F]+$/);
    t.same(res.queried, [{ name: 'node1', 'remote-address': '10.0.103.9' }], '.proplist and ?name=');
    t.same(res.either, ['ex', 'node1'], '?#| gives either');
    t.equal(res.disabled, 'true');
    t.match(res.badValue, /input does not match|invalid value/, 'a bad value is a !trap with its message');
    t.match(res.noCommand, /no such command/);
    t.same(res.active, [], 'no tunnel yet: /ppp/active/print is empty');
    t.match((res.monitor as Record<string, string>[])[0], { status: /./ }, 'monitor =once= gives one status');
    t.match(res.resource, { uptime: /./, 'architecture-name': /./ });
    t.match(res.identity, { name: 'MikroTik' });
    const events = res.events as Record<string, string>[];
    t.ok(events.some((e) => e.name === 'node1'), 'listen saw the add');
    t.ok(events.some((e) => e.name === 'node1' && e.disabled === 'true'), 'listen saw the set');
    t.same(res.after, ['ex']);
  });

  t.test('librouteros: login, list, add, listen sees it, !trap for a bad value', async (t) => {
    const res = await pyClient(l, ROUTER, 'admin', 'Adm1n-pw', 'full');
    t.same(res.before, ['ex']);
    t.match(res.ret, /^\*[0-9A-F]+$/);
    t.same(res.found, [{ name: 'py1', service: 'pptp' }]);
    t.equal(res.listenReply, '!re');
    t.match((res.listenWords as string[]).join(' '), /name=py1/);
    t.match(res.trap, /input does not match|invalid value/);
    t.same(res.after, ['ex']);
    // The console sees what the API did: the add and remove left the config as it was.
    t.notMatch(await r.command('/ppp secret print'), /py1/);
  });

  t.test('librouteros over api-ssl: TLS with the self-signed certificate kept in the data directory', async (t) => {
    const res = await pyClient(l, ROUTER, 'admin', 'Adm1n-pw', 'ssl');
    t.equal(res.identity, 'MikroTik');
    t.match(readFileSync(join(r.dataDir, 'api-ssl.crt'), 'utf8'), /BEGIN CERTIFICATE/);
  });

  t.test('api-ssl with the certificate named in /ip service', async (t) => {
    const pems = await generate([{ name: 'commonName', value: 'office.example' }], { keyType: 'ec', algorithm: 'sha256' });
    writeFileSync(join(r.dataDir, 'office.crt'), pems.cert);
    writeFileSync(join(r.dataDir, 'office.key'), pems.private);
    await r.configure('/ip service set api-ssl certificate=office');
    const script = `import ssl,sys\nprint(ssl.get_server_certificate(('${ROUTER}', 8729)))`;
    let served = '';
    for (let i = 0; i < 50 && !served.includes(pems.cert.trim().split('\n')[1]!); i++) {
      served = (await cl.exec([PYTHON, '-c', script])).stdout;
      await new Promise((res) => setTimeout(res, 200));
    }
    t.ok(served.includes(pems.cert.trim().split('\n')[1]!), 'the new certificate is served');
    const res = await pyClient(l, ROUTER, 'admin', 'Adm1n-pw', 'ssl');
    t.equal(res.identity, 'MikroTik');
  });

  t.test('ssh with a password runs a command and exits', async (t) => {
    const res = await cl.exec(['sshpass', '-p', 'Adm1n-pw', ...sshArgs(l, [`admin@${ROUTER}`, '/ppp secret print; /user active print'])]);
    t.equal(res.code, 0, res.stderr);
    t.match(res.stdout, /name="ex"|ex\b/);
    t.match(res.stdout, /admin\s+10\.77\.0\.2\s+ssh/, '/user active shows this login, from where, by which service');
  });

  t.test('ssh with a terminal gets the console with its prompt and line editor; quit ends it', async (t) => {
    // ssh -tt asks for a pty although its stdin is a pipe; DEL (0x7f) erases the typed x.
    const res = await cl.exec(['sshpass', '-p', 'Adm1n-pw', ...sshArgs(l, ['-tt', `admin@${ROUTER}`])], '/system identity printx\x7f\r/quit\r');
    t.equal(res.code, 0, res.stderr);
    t.match(res.stdout, /\[admin@MikroTik\] > /);
    t.match(res.stdout, /name: MikroTik\r\n/);
  });

  t.test('ssh without a terminal reads plain lines until its input ends', async (t) => {
    const res = await cl.exec(['sshpass', '-p', 'Adm1n-pw', ...sshArgs(l, ['-T', `admin@${ROUTER}`])], '/system identity print\n/ip service print\n');
    t.equal(res.code, 0, res.stderr);
    t.match(res.stdout, /name: MikroTik\n/);
    t.match(res.stdout, /api-ssl\s+8729/);
    t.notMatch(res.stdout, /\x1b\[/, 'no terminal control sequences');
  });

  t.test('ssh with a key imported by /user ssh-keys import', async (t) => {
    const key = join(l.home, 'id_ed25519');
    const gen = await exec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'ops@hq', '-f', key]);
    t.equal(gen.code, 0, gen.stderr);
    writeFileSync(join(r.dataDir, 'ops.pub'), readFileSync(`${key}.pub`));
    await r.configure('/user ssh-keys import public-key-file=ops.pub user=admin');
    t.match(await r.command('/user ssh-keys print'), /admin\s+ops@hq/);
    const res = await cl.exec(sshArgs(l, ['-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', '-i', key, `admin@${ROUTER}`, '/system identity print']));
    t.equal(res.code, 0, res.stderr);
    t.match(res.stdout, /name: MikroTik/);
  });

  t.test('a wrong password is refused and logged', async (t) => {
    const res = await cl.exec(['sshpass', '-p', 'wrong', ...sshArgs(l, ['-o', 'NumberOfPasswordPrompts=1', `admin@${ROUTER}`, '/system identity print'])]);
    t.not(res.code, 0);
    t.match(await r.logText(), /login failure for user admin from 10\.77\.0\.2 via ssh/);
  });

  t.test('a user of group read can change nothing, over the API or SSH', async (t) => {
    const node = await nodeClient(l, 'viewer', 'V1ew-pw', 'read-only');
    t.same(node.secrets, ['ex'], 'but may look');
    t.match(node.addTrap, /not enough permissions/);
    t.match(node.setTrap, /not enough permissions/);
    const py = await pyClient(l, ROUTER, 'viewer', 'V1ew-pw', 'read-only');
    t.match(py.addTrap, /not enough permissions/);
    const res = await cl.exec(['sshpass', '-p', 'V1ew-pw', ...sshArgs(l, [`viewer@${ROUTER}`, '/ppp secret add name=sneaky password=x'])]);
    t.match(res.stdout, /not enough permissions/);
    t.notMatch(await r.command('/ppp secret print'), /sneaky/);
    t.equal((await r.command('/system identity get name')).trim(), 'MikroTik');
  });

  t.test('the log records API and SSH logins with their source', async (t) => {
    const log = await r.logText();
    t.match(log, /user admin logged in from 10\.77\.0\.2 via api\b/);
    t.match(log, /user admin logged in from 10\.77\.0\.2 via api-ssl/);
    t.match(log, /user admin logged in from 10\.77\.0\.2 via ssh/);
  });

  t.test('the internet side is not let in by the default address list', async (t) => {
    const res = await cl.exec(['timeout', '20', PYTHON, '-c', `import socket,sys\ns=socket.create_connection(('${WAN}',8728),10)\nsys.exit(0 if s.recv(1)==b'' else 1)`]);
    t.equal(res.code, 0, `closed at once: ${res.stderr}`);
    t.match(await r.logText(), /api: connection from 198\.18\.77\.2 refused/);
  });

  t.test('bytes that are not API framing close that connection alone, with the reason logged', async (t) => {
    const res = await cl.exec(['timeout', '20', PYTHON, '-c', `import socket\ns=socket.create_connection(('${ROUTER}',8728),10)\ns.sendall(bytes([5])+b'/quit'+bytes([0xf8]))\nprint(s.recv(100))`]);
    t.equal(res.code, 0, res.stderr);
    t.match(await r.logText(), /api: closing connection from 10\.77\.0\.2: API sentence: bad word length at offset 6: reserved control byte 0xf8/);
    const after = await pyClient(l, ROUTER, 'admin', 'Adm1n-pw', 'ssl');
    t.equal(after.identity, 'MikroTik', 'the router still answers');
  });

  t.test('a disabled service does not listen; enabled on another port it does', async (t) => {
    await r.configure('/ip service set api disabled=yes');
    await r.configure('/ip service set ssh port=2222');
    await r.poll('/log print', (out) => /api: stopped listening/.test(out) && /ssh: listening on port 2222/.test(out));
    const probe = (port: number) => cl.exec(['timeout', '10', 'bash', '-c', `exec 3<>/dev/tcp/${ROUTER}/${port}`]);
    t.not((await probe(8728)).code, 0, 'nothing on 8728');
    const moved = await cl.exec(['sshpass', '-p', 'Adm1n-pw', ...sshArgs(l, ['-p', '2222', `admin@${ROUTER}`, '/ip service print'])]);
    t.equal(moved.code, 0, moved.stderr);
    t.match(moved.stdout, /X\*?\s+api\s+8728/);
    t.not((await probe(22)).code, 0, 'nothing on 22 any more');
    t.match(await r.command('/export'), /\/ip service\nset \[ find name=ssh \] port=2222\nset \[ find name=api \] disabled=yes/);
  });
});
