// The start-up reclaim takes only what an earlier routerd of this boot claimed and what is still
// there as it was claimed: a device made again under the same name (by the admin, say), an
// address or route that is no longer there, a claim file of another boot, are not its own.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Host } from '../../src/system/host.js';
import { HostClaims, kernelIdentity, processStart } from '../../src/system/host-claims.js';
import { reclaimLeftovers } from '../../src/router/leftovers.js';
import { createNetns, createVethPair } from '../lib/netns.js';
import type { Logger } from '../../src/log.js';

const lines: string[] = [];
const log: Logger = {
  debug: (m) => lines.push(m),
  info: (m) => lines.push(m),
  warning: (m) => lines.push(m),
  error: (m) => lines.push(m),
  critical: (m) => lines.push(m),
  child: () => log,
};

async function ifindex(host: Host, name: string): Promise<number> {
  const l = await host.getLink(name);
  if (!l.ok || !l.value) throw new Error(`no ${name}`);
  return l.value.ifindex;
}

t.test('only what was claimed, and is still there as claimed, is taken', async (t) => {
  const ns = await createNetns(t, 'left');
  const peer = await createNetns(t, 'lpeer');
  await createVethPair(ns, peer, { nameA: 'ether1', nameB: 'ether1' });
  const host = new Host(ns.name);
  const dir = mkdtempSync(join(tmpdir(), `routerd-left-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'host-claims.json');
  const identity = { boot: kernelIdentity().boot, netns: `test:${ns.name}` };

  // What an earlier routerd made and claimed.
  const earlier = new HostClaims(file, identity);
  for (const name of ['ifb-rl1', 'ifb-rl2']) {
    await ns.run(['ip', 'link', 'add', name, 'type', 'ifb']);
    earlier.claim({ kind: 'link', name, ifindex: await ifindex(host, name) });
  }
  const e1 = await ifindex(host, 'ether1');
  await ns.run(['ip', 'address', 'add', '10.1.0.1/24', 'dev', 'ether1']);
  await ns.run(['ip', 'address', 'add', '10.2.0.1/24', 'dev', 'ether1']);
  earlier.claim({ kind: 'address', ifindex: e1, address: { device: 'ether1', local: '10.1.0.1', prefixLength: 24 } });
  earlier.claim({ kind: 'address', ifindex: e1, address: { device: 'ether1', local: '10.3.0.1', prefixLength: 24 } });
  await ns.run(['ip', 'route', 'add', '10.9.0.0/24', 'via', '10.1.0.254', 'metric', '1']);
  earlier.claim({ kind: 'route', route: { dst: '10.9.0.0/24', gateway: '10.1.0.254', distance: 1 } });
  earlier.claim({ kind: 'route', route: { dst: '10.8.0.0/24', gateway: '10.1.0.254', distance: 1 } });
  // It died; the admin then made ifb-rl2 again by hand, and added 10.2.0.1 (never claimed).
  await ns.run(['ip', 'link', 'del', 'ifb-rl2']);
  await ns.run(['ip', 'link', 'add', 'ifb-rl2', 'type', 'ifb']);

  const next = new HostClaims(file, identity);
  t.equal(next.inherited.length, 6, 'the next run reads the six claims');
  const left = await reclaimLeftovers(host, next, log);
  t.same(left.removed, ['ifb-rl1'], 'the claimed device is removed');
  const exists = async (name: string): Promise<boolean> => {
    const l = await host.getLink(name);
    return l.ok && l.value !== undefined;
  };
  t.notOk(await exists('ifb-rl1'), 'it is gone from the kernel');
  t.ok(await exists('ifb-rl2'), 'the one made again under the same name stays');
  t.same(left.addresses, [{ device: 'ether1', local: '10.1.0.1', prefixLength: 24 }], 'the claimed address still there is handed over');
  t.same(left.routes, [{ dst: '10.9.0.0/24', gateway: '10.1.0.254', distance: 1 }], 'and the claimed route');
  const after = JSON.parse(readFileSync(file, 'utf8')) as { claims: unknown[] };
  t.equal(after.claims.length, 2, 'claims of what is gone or not ours are dropped; the two handed over stay claimed');
  t.match(lines.join('\n'), /removed what an earlier run left behind: ifb-rl1/);

  const otherBoot = new HostClaims(file, { ...identity, boot: 'another-boot' });
  t.same(otherBoot.inherited, [], 'a claim file of another boot claims nothing');
  const otherNs = new HostClaims(file, { ...identity, netns: 'net:[1]' });
  t.same(otherNs.inherited, [], 'nor one of another namespace');
});

t.test('programs an earlier run started are stopped; a PID used again since is not touched', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-left-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'host-claims.json');
  const identity = { boot: kernelIdentity().boot, netns: 'test:processes' };
  const sleeper = () => {
    const c = spawn('sleep', ['300'], { stdio: 'ignore' });
    t.teardown(() => c.kill('SIGKILL'));
    return c;
  };
  const gone = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

  // A claimed program that exits on its own is released.
  const claims = new HostClaims(file, identity);
  const brief = sleeper();
  await new Promise((r) => brief.once('spawn', r));
  claims.claimProcess('sleep', brief);
  t.ok(claims.all().some((c) => c.kind === 'process' && c.pid === brief.pid), 'claimed once started');
  brief.kill('SIGTERM');
  await gone(brief);
  t.notOk(claims.all().some((c) => c.kind === 'process'), 'released when it exits');

  // An earlier run's two programs: one still runs as claimed, the other's PID now names
  // another process (same PID, another start time).
  const ours = sleeper();
  const other = sleeper();
  await Promise.all([ours, other].map((c) => new Promise((r) => c.once('spawn', r))));
  claims.claim({ kind: 'process', name: 'dnsmasq', pid: ours.pid!, start: processStart(ours.pid!)! });
  claims.claim({ kind: 'process', name: 'udhcpc', pid: other.pid!, start: processStart(other.pid!)! - 1 });
  const next = new HostClaims(file, identity);
  lines.length = 0;
  const left = await reclaimLeftovers(new Host(), next, log);
  t.same(left.removed, [`dnsmasq (pid ${ours.pid})`], 'the claimed program is reported');
  await gone(ours);
  t.equal(ours.signalCode, 'SIGKILL', 'and killed');
  t.equal(other.exitCode ?? other.signalCode, null, 'the other process runs on');
  t.same(next.all(), [], 'both claims are released');
  t.match(lines.join('\n'), /removed what an earlier run left behind: dnsmasq \(pid \d+\)/);
});
