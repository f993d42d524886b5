// Every console line of the seed (seed/000_0cee3238e7b4c8e8.txt), typed as written with its `\`
// continuations, on one in-memory router per prompt identity; every print and monitor output
// compared with the text the seed shows after it.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { makeRouter, type TestRouter } from './harness.js';

const SEED = '/work/shared/seed/000_0cee3238e7b4c8e8.txt';
const seedText = readFileSync(new URL('./seed.txt', import.meta.url), 'utf8');

interface Step {
  readonly router: string;
  readonly path: string;
  readonly lines: string[]; // what is typed: first line, then continuation lines
  readonly expected: string[]; // printed text the seed shows after it
}

const PROMPT = /^\[admin@([\w-]+)\]\s*(.*?)>\s?(.*)$/;

function steps(text: string): Step[] {
  const lines = text.split('\n');
  const out: Step[] = [];
  // The road-warrior example is a second RemoteOffice, separate from the router-to-router one.
  let section = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('Łączenie Zdalnego Klienta')) section++;
    const m = PROMPT.exec(lines[i]!);
    if (!m || m[3] === '') continue;
    const typed = [m[3]!];
    while (lines[i + 1]?.startsWith('\\...')) typed.push(lines[++i]!);
    // SPEC: the road-warrior secret line that runs on without `\` is two lines joined.
    if (/^[a-z-]+=\S/.test(lines[i + 1] ?? '')) {
      typed[typed.length - 1] += ' \\';
      typed.push(lines[++i]!);
    }
    const expected: string[] = [];
    while (i + 1 < lines.length && !PROMPT.test(lines[i + 1]!) && lines[i + 1] !== '' ) expected.push(lines[++i]!);
    // A detail print is followed by a blank line, then the prompt.
    while (i + 2 < lines.length && lines[i + 1] === '' && !PROMPT.test(lines[i + 1]!) && PROMPT.test(lines[i + 2]!) && /print/.test(m[3]!)) i++;
    out.push({ router: `${m[1]}#${section}`, path: m[2]!.trim(), lines: typed, expected });
  }
  return out;
}

function setupRouter(name: string): TestRouter {
  const r = makeRouter(name.split('#')[0]);
  const rt = r.runtime;
  // Run-time facts the seed's prints show: a connected user ex, a connected client.
  if (name.startsWith('MikroTik')) {
    rt.active.set('s1', {
      id: 's1', user: 'ex', service: 'pptp', callerId: '198.18.0.9', address: '10.0.0.202',
      clientAddress: '10.0.0.202', uptime: 6 * 60 + 32, encoding: 'none', mtu: 1460, mru: 1460, bytesIn: 0, bytesOut: 0,
    });
    rt.clients.set('test2', { status: 'connected', uptime: 6 * 3600 + 44 * 60 + 9, idleTime: 6 * 3600 + 44 * 60 + 9, encoding: 'MPPE128 stateless', mtu: 1460, mru: 1460 });
  }
  if (name.startsWith('RemoteOffice')) {
    rt.clients.set('pptp-out1', { status: 'connected', uptime: 10, encoding: 'MPPE128 stateless', mtu: 1460, mru: 1460 });
    rt.ports = [
      { defaultName: 'ether1', mac: '00:30:4F:0B:7B:C1', running: true },
      { defaultName: 'ether2', mac: '00:30:4F:06:62:12', running: true },
    ];
  }
  return r;
}

/** Seed typos and disagreements decided in SPEC.md, applied to the seed's expected text. */
function decided(line: string): string {
  return line
    .replace('routes==""', 'routes=""')
    .replace(/ mtu=(\d+) mru=(\d+)/, ' max-mtu=$1 max-mru=$2')
    // SPEC: authentication defaults to mschap2,mschap1 (the seed's first print); two later prints
    // show only mschap2 after the same `set enabled=yes`.
    .replace(/authentication: mschap2$/, 'authentication: mschap2,mschap1');
}

const words = (lines: readonly string[]) => lines.join(' ').trim().split(/\s+/).filter((w) => w !== '');

t.test('the fixture is the seed', async (t) => {
  t.equal(seedText, readFileSync(SEED, 'utf8'));
});

t.test('every seed console line is accepted and prints match the seed', async (t) => {
  const routers = new Map<string, TestRouter>();
  const all = steps(seedText);
  t.ok(all.length >= 25, `found ${all.length} console commands in the seed`);
  let compared = 0;
  for (const step of all) {
    if (step.lines[0]!.startsWith('/ping')) continue; // needs a tunnel: test/cli/ping.test.ts
    let r = routers.get(step.router);
    if (!r) {
      r = setupRouter(step.router);
      routers.set(step.router, r);
      if (step.router.startsWith('RemoteOffice')) {
        await r.type('/interface ethernet set ether1 name=ToInternet');
        await r.type('/interface ethernet set ether2 name=Office');
      }
    }
    await r.type('/' + step.path);
    let printed = '';
    for (const line of step.lines) printed += await r.type(line);
    const where = `[${step.router}] ${step.path}> ${step.lines.join(' / ')}`;
    if (/^(print|monitor)/.test(step.lines[0]!)) {
      const got = printed.split('\n').filter((l) => l !== '');
      const want = step.expected.map(decided);
      t.same(words(got), words(want), `${where}: same text as the seed`);
      compared++;
      // Where the seed's own layout survived (property lists), it must match line for line.
      if (want.some((l) => /^ \d /.test(l) && l.includes('="')) && !step.expected.some((l) => / mtu=|authentication/.test(l))) {
        t.same(got, want, `${where}: same lines as the seed`);
      }
    } else {
      t.equal(printed, '', `${where}: accepted without error`);
    }
  }
  t.ok(compared >= 12, `${compared} prints compared`);
});
