// The config archive the harness appends to the guest's initrd: GNU cpio must read back exactly
// the files, modes and parent directories we wrote, and an appended archive must start on a
// 4-byte boundary.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../lib/netns.js';
import { renderGuestFiles } from './guest-role.js';
import { appendArchive, newcArchive } from './newc.js';

t.test('GNU cpio extracts the newc archive with the same files, modes and parent directories', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `interop-${process.pid}-newc-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const archive = newcArchive([
    { path: 'etc/ppp/chap-secrets', data: '"ex" "pptpd" "lkj rht" *\n', mode: 0o600 },
    { path: 'etc/guest/config', data: "GUEST_ROLE='pptpd'\n" },
    { path: 'usr/sbin/tool', data: Buffer.from([0, 1, 2, 255]), mode: 0o755 },
    { path: 'var/empty' },
  ]);
  t.equal(archive.length % 4, 0, 'the archive is padded to 4 bytes');
  const r = await exec(['sh', '-c', `cd ${dir} && cpio -idm --quiet`], archive);
  t.equal(r.code, 0, r.stderr);
  t.equal(readFileSync(join(dir, 'etc/ppp/chap-secrets'), 'utf8'), '"ex" "pptpd" "lkj rht" *\n');
  t.equal(statSync(join(dir, 'etc/ppp/chap-secrets')).mode & 0o777, 0o600, 'secrets stay 0600');
  t.same([...readFileSync(join(dir, 'usr/sbin/tool'))], [0, 1, 2, 255], 'binary data intact');
  t.equal(statSync(join(dir, 'usr/sbin/tool')).mode & 0o777, 0o755);
  t.ok(statSync(join(dir, 'var/empty')).isDirectory(), 'a directory entry');
  t.ok(statSync(join(dir, 'etc/ppp')).isDirectory(), 'parents are created');
  t.throws(() => newcArchive([{ path: '../escape', data: 'x' }]), /relative/);
});

t.test('an appended archive starts on a 4-byte boundary after the initrd', async (t) => {
  const archive = newcArchive([{ path: 'a', data: 'b' }]);
  for (const size of [0, 1, 2, 3, 4, 7]) {
    const joined = appendArchive(Buffer.alloc(size, 0x1f), archive);
    const at = joined.length - archive.length;
    t.equal(at % 4, 0, `initrd of ${size} bytes`);
    t.ok(joined.subarray(size, at).every((b) => b === 0), 'padding is zeros');
  }
});

t.test('role files: pptpd users become chap-secrets lines, the client gets a peers file with its pty', async (t) => {
  const server = renderGuestFiles({
    name: 'srv',
    address: '198.18.40.2/24',
    role: { kind: 'pptpd', users: [{ name: 'DOM\\ex', password: 'a "b"' }], localIp: '10.0.0.1', remoteIp: '10.0.0.2-9', pppdOptions: ['require-mppe-128'] },
  });
  const text = (p: string): string => String(server.find((f) => f.path === p)?.data ?? '');
  t.equal(text('etc/ppp/chap-secrets'), '"DOM\\\\ex" "pptpd" "a \\"b\\"" *\n', 'quoted as pppd reads words');
  t.match(text('etc/pptpd.conf'), /^localip 10\.0\.0\.1$/m);
  t.match(text('etc/ppp/pptpd-options'), /^require-mppe-128$/m);
  t.match(text('etc/guest/config'), /^GUEST_ROLE='pptpd'$/m);
  const client = renderGuestFiles({
    name: 'cli',
    address: '198.18.40.3/24',
    role: { kind: 'pptp', server: '198.18.40.1', user: 'ex', password: 'pw', pppdOptions: ['refuse-pap'], dial: 'on-request' },
  });
  const peers = String(client.find((f) => f.path === 'etc/ppp/peers/guest')?.data ?? '');
  t.match(peers, /^pty "pptp 198\.18\.40\.1 --nolaunchpppd"$/m);
  t.match(peers, /^refuse-pap$/m);
  t.match(String(client.find((f) => f.path === 'etc/guest/config')?.data), /^GUEST_DIAL='on-request'$/m);
  t.throws(() => renderGuestFiles({ name: 'x', address: '10.0.0.2/24', role: { kind: 'idle' } }), /198\.18\.0\.0\/15/);
});
