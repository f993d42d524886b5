// Licence levels: each level's tunnel limit, and keys that are forged, edited or for another
// board refused with a clear line (the router keeps its level).
import t from 'tap';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { sign } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOARD_ID_FILE, issueKey, License, licenseSerial, softwareIdFrom, tunnelLimit, UNBOUND_SOFTWARE_ID } from '../../src/config/license.js';
import { makeRouter } from '../cli/harness.js';

const fixtures = new URL('../fixtures/license/', import.meta.url).pathname;
const privateKey = createPrivateKey(readFileSync(join(fixtures, 'test-private.pem')));
const publicKey = readFileSync(join(fixtures, 'test-public.pem'), 'utf8');
const ID = softwareIdFrom('10000000a1b2c3d4');

function licence(t: typeof import('tap').default): License {
  const dir = mkdtempSync(join(tmpdir(), `routerd-lic-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return new License({ dir, softwareId: ID, publicKey });
}

t.test('software-id is stable per serial and differs between boards', async (t) => {
  t.match(ID, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  t.equal(softwareIdFrom('10000000a1b2c3d4'), ID);
  t.not(softwareIdFrom('10000000a1b2c3d5'), ID);
});

t.test('each level reports its tunnel limit', async (t) => {
  t.equal(tunnelLimit(1), 1);
  for (const [level, limit] of [[1, 1], [3, 200], [4, 200], [5, Infinity], [6, Infinity]] as const) {
    const lic = licence(t);
    t.equal(lic.tunnelLimit, 1, 'no key means level 1');
    let told: number | undefined;
    lic.onChange((l) => (told = l));
    t.equal(lic.install(issueKey(privateKey, ID, level)), undefined, `level ${level} key installs`);
    t.equal(lic.tunnelLimit, limit, `level ${level} allows ${limit} tunnels`);
    t.same(lic.status(), { softwareId: ID, level, limit });
    if (level !== 1) t.equal(told, limit, 'the tunnel code is told the new limit');
    // The installed key is found again after a restart.
    const again = new License({ dir: (lic as unknown as { options: { dir: string } }).options.dir, softwareId: ID, publicKey });
    t.equal(again.load(), undefined);
    t.equal(again.tunnelLimit, limit, 'the level survives a restart');
  }
});

t.test('forged, edited and foreign keys are refused', async (t) => {
  const lic = licence(t);
  t.equal(lic.install(issueKey(privateKey, ID, 3)), undefined);
  const other = generateKeyPairSync('ed25519').privateKey;
  t.match(lic.install(issueKey(other, ID, 6)), /^failure: licence key signature is not valid/, 'signed by another key');
  const good = issueKey(privateKey, ID, 4);
  const [prefix, payload, sig] = good.split('.');
  const edited = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { level: number };
  edited.level = 6;
  const editedKey = `${prefix}.${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${sig}`;
  t.match(lic.install(editedKey), /signature is not valid \(edited or forged key\)/, 'level edited');
  t.match(lic.install(issueKey(privateKey, softwareIdFrom('another board'), 6)), /^failure: licence key is for software-id .*, this router is /, 'foreign board');
  t.match(lic.install('hello'), /^failure: not a licence key/, 'not a key');
  t.match(lic.install(`${prefix}.${payload}.${'A'.repeat(86)}`), /signature is not valid/, 'garbage signature');
  t.equal(lic.status().level, 3, 'the old level stays');
  t.throws(() => issueKey(privateKey, ID, 2), /level must be one of/, 'no level 2 keys');
});

t.test('a refused license.key at start means level 1 and says why', async (t) => {
  const lic = licence(t);
  const dir = (lic as unknown as { options: { dir: string } }).options.dir;
  writeFileSync(join(dir, 'license.key'), issueKey(generateKeyPairSync('ed25519').privateKey, ID, 6));
  t.match(lic.load(), /license\.key: failure: licence key signature is not valid.*running at level 1/);
  t.equal(lic.tunnelLimit, 1);
});

t.test('/system license print and import on the console', async (t) => {
  const lic = licence(t);
  const dir = (lic as unknown as { options: { dir: string } }).options.dir;
  const r = makeRouter('MikroTik', { license: lic });
  t.equal(await r.type('/system license print'), `  software-id: ${ID}\n        level: 1\n tunnel-limit: 1\n`);
  writeFileSync(join(dir, 'key.txt'), issueKey(privateKey, ID, 5));
  t.equal(await r.type('/system license import file-name=key.txt'), 'licence level 5 installed\n');
  t.match(await r.type('/system license print'), /level: 5\n tunnel-limit: unlimited\n/);
  t.match(await r.type(`/system license import key="${issueKey(privateKey, softwareIdFrom('x'), 6)}"`), /^failure: licence key is for software-id/);
  t.match(await r.type('/system license get level'), /^5\n$/);
});

// Issue 19, finding 11: every board without a readable serial used to report the software-id of
// "unknown", so one key licensed them all.
t.test('a board without a serial is bound to its own board id; keys for the shared id are refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-lic-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(licenseSerial('10000000a1b2c3d4', dir), '10000000a1b2c3d4', 'a serial is used as it is');
  const first = licenseSerial(undefined, dir);
  t.match(readFileSync(join(dir, BOARD_ID_FILE), 'utf8'), /^[0-9a-f]{32}\n$/, 'a random board id is kept on the data partition');
  t.equal(licenseSerial(undefined, dir), first, 'and found again after a restart');
  const otherDir = mkdtempSync(join(tmpdir(), `routerd-lic-${process.pid}-`));
  t.teardown(() => rmSync(otherDir, { recursive: true, force: true }));
  t.not(softwareIdFrom(licenseSerial(undefined, otherDir)), softwareIdFrom(first), 'another serial-less board gets another software-id');

  t.throws(() => issueKey(privateKey, UNBOUND_SOFTWARE_ID, 6), /belongs to no one board/, 'the tool issues no key for the shared id');
  // A key for the shared id signed by the vendor before this change: refused even by a board
  // that (wrongly) still reports that id.
  const payload = Buffer.from(JSON.stringify({ softwareId: UNBOUND_SOFTWARE_ID, level: 6, issued: new Date().toISOString() }));
  const old = `routerd-license-1.${payload.toString('base64url')}.${sign(null, payload, privateKey).toString('base64url')}`;
  const lic = new License({ dir, softwareId: UNBOUND_SOFTWARE_ID, publicKey });
  t.match(lic.install(old), /^failure: licence key is for software-id .*, which belongs to no one board/);
  t.equal(lic.tunnelLimit, 1, 'the router stays at level 1');
});
