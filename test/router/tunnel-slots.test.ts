// The licence's tunnel limit as the router counts it: one pool of slots for server calls and
// client dials together, 1 / 200 / unlimited by level, each slot given back exactly once, and a
// licence installed while running taking effect for the next tunnel.
import t, { type Test } from 'tap';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueKey, License, softwareIdFrom } from '../../src/config/license.js';
import { TunnelSlots } from '../../src/router/tunnel-slots.js';

const fixtures = new URL('../fixtures/license/', import.meta.url).pathname;
const privateKey = createPrivateKey(readFileSync(join(fixtures, 'test-private.pem')));
const publicKey = readFileSync(join(fixtures, 'test-public.pem'), 'utf8');
const ID = softwareIdFrom('10000000cafe0001');

function licence(t: Test, level: number): License {
  const dir = mkdtempSync(join(tmpdir(), `routerd-slots-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lic = new License({ dir, softwareId: ID, publicKey });
  if (level > 1) t.equal(lic.install(issueKey(privateKey, ID, level)), undefined, `level ${level} installed`);
  return lic;
}

function fill(slots: TunnelSlots, upTo: number) {
  const held: (() => void)[] = [];
  for (let i = 0; i < upTo; i++) {
    const r = slots.reserve();
    if (!r.ok) return { held, refusal: r.reason };
    held.push(r.release);
  }
  return { held, refusal: undefined };
}

t.test('levels 1, 3 and 5 allow 1, 200 and any number of tunnels', async (t) => {
  for (const [level, expected] of [[1, 1], [3, 200], [4, 200]] as const) {
    const slots = new TunnelSlots(licence(t, level));
    const { held, refusal } = fill(slots, 1000);
    t.equal(held.length, expected, `level ${level}: ${expected} admitted`);
    t.match(refusal, new RegExp(`licence level ${level} allows ${expected} PPTP tunnels? at once`), 'the refusal names the licence');
  }
  const unlimited = new TunnelSlots(licence(t, 5));
  const { held, refusal } = fill(unlimited, 5000);
  t.equal(held.length, 5000, 'level 5: 5000 admitted, no refusal');
  t.equal(refusal, undefined);
});

t.test('a slot comes back once, however often release is called', async (t) => {
  const slots = new TunnelSlots(licence(t, 1));
  const first = slots.reserve();
  t.ok(first.ok);
  t.notOk(slots.reserve().ok, 'the second is refused');
  let woken = 0;
  slots.onRelease(() => woken++);
  if (first.ok) {
    first.release();
    first.release();
  }
  t.equal(slots.inUse, 0);
  t.equal(woken, 1, 'waiting clients are woken once');
  const second = slots.reserve();
  t.ok(second.ok, 'the freed slot can be taken again');
  t.notOk(slots.reserve().ok, 'but only one');
});

t.test('a licence installed while running counts from the next tunnel', async (t) => {
  const lic = licence(t, 1);
  const slots = new TunnelSlots(lic);
  t.ok(slots.reserve().ok);
  t.notOk(slots.reserve().ok);
  t.equal(lic.install(issueKey(privateKey, ID, 3)), undefined);
  t.ok(slots.reserve().ok, 'level 3 now: a second tunnel is admitted; the first was untouched');
});
