// The README's walkthrough, as written: `tools/demo.sh` (what `make demo` runs) builds the two
// offices and opens tmux; this test types every `[admin@HomeOffice] > ` / `[admin@RemoteOffice] > `
// / `remote-pc# ` line of the README's Tunnels section into the matching pane, on a real
// terminal, and checks the answers the README promises.
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** tools/demo.sh leaves a tmux server behind that would hold a pipe open: no pipes here. */
const demo = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  new Promise<number | null>((resolve) => spawn('bash', [join(root, 'tools', 'demo.sh'), ...args], { env, stdio: 'ignore' }).on('exit', resolve));
const root = fileURLToPath(new URL('../../', import.meta.url));
const name = `pdemo${process.pid}`;
const PANES = { HomeOffice: 0, RemoteOffice: 1, 'remote-pc': 2 } as const;

function walkthrough(): { pane: number; line: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- section:tunnels -->'), readme.indexOf('<!-- /section:tunnels -->'));
  const lines: { pane: number; line: string }[] = [];
  for (const l of section.split('\n')) {
    const m = /^\[admin@(HomeOffice|RemoteOffice)\] > (.*)$/.exec(l) ?? /^(remote-pc)# (.*)$/.exec(l);
    if (m) lines.push({ pane: PANES[m[1] as keyof typeof PANES], line: m[2]! });
  }
  return lines;
}

const screen = async (pane: number) => (await run('tmux', ['capture-pane', '-p', '-J', '-S', '-200', '-t', `${name}:0.${pane}`])).stdout;
const type = (pane: number, text: string) => run('tmux', ['send-keys', '-t', `${name}:0.${pane}`, text, 'Enter']);

async function until(pane: number, re: RegExp, ms = 20_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await screen(pane);
    if (re.test(s)) return s;
    if (Date.now() > end) throw new Error(`pane ${pane}: no ${re} within ${ms} ms:\n${s}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

t.test('the README walkthrough works as written in make demo', { skip: existsSync(join(root, 'dist', 'src', 'daemon.js')) ? false : 'needs make build (dist/)' }, async (t) => {
  const env = { ...process.env, DEMO_NAME: name, DEMO_ATTACH: 'no' };
  t.teardown(() => demo(env, 'clean').then(() => undefined));
  t.equal(await demo(env), 0, 'tools/demo.sh sets the demo up');
  const lines = walkthrough();
  t.ok(lines.length >= 15, `${lines.length} lines found in the README`);
  for (const pane of [0, 1]) {
    await until(pane, /Login:\s*$/, 30_000);
    await type(pane, 'admin');
    await until(pane, /Password:\s*$/);
    await type(pane, '');
    await until(pane, /\] >\s*$/);
  }
  for (const { pane, line } of lines) {
    t.comment(`pane ${pane}: ${line}`);
    if (line.startsWith('/interface pptp-client monitor')) {
      // The tunnel needs a moment: ask again until it is up, as a person would.
      const end = Date.now() + 30_000;
      while (!/status: "connected"/.test(await screen(pane)) && Date.now() < end) {
        await type(pane, line);
        await new Promise((r) => setTimeout(r, 1000));
      }
      continue;
    }
    const before = (await screen(pane)).length;
    await type(pane, line);
    if (pane === 2) continue;
    await until(pane, new RegExp(`${line.slice(0, 20).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[^]*\\] >\\s*$`), 30_000).catch(async (e: Error) => {
      if ((await screen(pane)).length === before) throw e;
    });
  }
  const remote = await until(1, /10\.150\.2\.254 pong[^]*packets received[^]*\] >\s*$/, 30_000);
  t.match(remote, /status: "connected"/, 'monitor shows connected');
  t.match(remote, /encoding: "MPPE128 stateless"/, 'with the encoding the README promises');
  t.match(remote, /3 packets transmitted, 3 packets received, 0% packet loss[^]*3 packets transmitted, 3 packets received, 0% packet loss/, 'both /ping lines answer');
  const pc = await until(2, /3 received/, 30_000);
  t.match(pc, /3 packets transmitted, 3 received, 0% packet loss/, 'the RemoteOffice PC pings the HomeOffice PC');
  await type(0, '/interface pptp-server print');
  const home = await until(0, /R pptp-in1\s+ex\s+1460 198\.18\.81\.1/, 10_000);
  t.pass(`HomeOffice shows the running static entry\n${home.split('\n').slice(-5).join('\n')}`);
});
