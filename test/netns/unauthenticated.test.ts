// Issue 19 items 1 and 2 performed against routerd: a peer that never authenticates must not take
// the licence (level 1: one tunnel), must not hold calls or connections past the caps and the
// deadline however it restarts LCP, and must not make the router queue output it never reads.
// The attacker is test/netns/fixtures/pptp-attacker.ts in its own namespace on the server's
// second port; the legitimate client is a second routerd on the first.
import type { Test as TestBase } from 'tap';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../lib/netns.js';
import { createNetns, link, pings, startRouter, type RouterNode } from '../lib/routers.js';
import type { Netns } from '../lib/netns.js';
import { DEFAULT_ADMISSION_LIMITS } from '../../src/pptp/server.js';
import { NETWORK_DEADLINE_MS } from '../../src/router/server-side.js';
import { MAX_UNSENT_BYTES } from '../../src/pptp/control-socket.js';
import { tsLoader } from '../lib/ts-loader.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const attackerScript = join(root, 'test', 'netns', 'fixtures', 'pptp-attacker.ts');

interface AttackerState {
  connections: number;
  open: number;
  refusedConnections: number;
  established: number;
  callsConnected: number;
  callsBusy: number;
  callsNotAccepted: number;
  callsOther: number;
  disconnectNotifies: number;
  lcpOpened: number;
  renegotiations: number;
  echoBytesSent: number;
}

/** Starts the attacker in ns; state() is its latest report, until() waits for one that fits. */
function attacker(t: TestBase, ns: Netns, args: readonly string[]) {
  const child = ns.spawn('node', ['--import', tsLoader, attackerScript, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let latest: AttackerState | undefined;
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('{')) latest = JSON.parse(l) as AttackerState;
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return {
    state: () => latest,
    async until(what: string, cond: (s: AttackerState) => boolean, ms: number): Promise<AttackerState> {
      const ok = await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`the attacker exited (${child.exitCode}): ${err.trim()}`);
        return latest !== undefined && cond(latest);
      }, ms, 200);
      if (!ok) throw new Error(`attacker: ${what} not seen within ${ms / 1000} s; last state ${JSON.stringify(latest)}; ${err.trim()}`);
      return latest!;
    },
  };
}

/** Server (level 1, the default) with the legitimate client on ether1 and the attacker on ether2. */
async function topology(t: TestBase, net: number): Promise<{ server: RouterNode; client: RouterNode; attackerNs: Netns }> {
  const [serverNs, clientNs, attackerNs] = [await createNetns(t, 'ua-srv'), await createNetns(t, 'ua-cli'), await createNetns(t, 'ua-atk')];
  await link(serverNs, 'ether1', clientNs, 'ether1');
  await link(serverNs, 'ether2', attackerNs, 'eth0');
  await attackerNs.run(['ip', 'addr', 'add', `198.18.${net + 1}.2/24`, 'dev', 'eth0']);
  const [server, client] = await Promise.all([
    startRouter(t, serverNs, ['ether1', 'ether2'], { identity: 'Server' }),
    startRouter(t, clientNs, ['ether1'], { identity: 'Client' }),
  ]);
  await server.routerd.configure(`/ip address add address=198.18.${net}.1/24 interface=ether1`);
  await server.routerd.configure(`/ip address add address=198.18.${net + 1}.1/24 interface=ether2`);
  await client.routerd.configure(`/ip address add address=198.18.${net}.2/24 interface=ether1`);
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.0.1 remote-address=10.0.0.2');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  return { server, client, attackerNs };
}

const tunDevices = async (ns: Netns): Promise<string[]> =>
  (await ns.run(['ip', '-o', 'link', 'show', 'type', 'tun'])).stdout.split('\n').filter((l) => l.trim() !== '');

// One topology for both scenarios (starting two routerd processes is the slow part); the flood
// goes first, as the calls scenario ends with the attacker's address holding its share again.
const shared = topology(t, 35);

t.test('a peer flooding Echo-Requests without reading is cut off; the router does not grow with it', async (t) => {
  const { server, attackerNs } = await shared;
  const rss = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.routerd.pid}/status`, 'utf8'))![1]) / 1024;
  const before = rss();
  const started = Date.now();
  const atk = attacker(t, attackerNs, ['198.18.36.1', 'echo-flood']);
  const why = new RegExp(`control connection with 198\\.18\\.36\\.2:\\d+: peer does not read: more than ${MAX_UNSENT_BYTES / 1024} KiB of unsent output, closing`);
  const log = await server.routerd.poll('/log print', (o) => why.test(o), 30_000, 500);
  t.pass(`the server cut the connection off after ${((Date.now() - started) / 1000).toFixed(1)} s: ${why.exec(log)![0]}`);
  const grown = rss() - before;
  t.ok(grown < 64, `routerd's resident memory grew ${grown.toFixed(1)} MB`);
  const s = await atk.until('the connection closed', (x) => x.established === 1 && x.open === 0, 60_000);
  t.pass(`the attacker saw its connection end after sending ${(s.echoBytesSent / 1024 / 1024).toFixed(1)} MB of Echo-Requests`);
});

t.test('a peer that never authenticates cannot lock a level 1 router out, and what it holds expires', async (t) => {
  const { server, client, attackerNs } = await shared;
  const { connections, pendingCalls } = DEFAULT_ADMISSION_LIMITS;
  const conns = connections.perAddress + 6;
  const atk = attacker(t, attackerNs, ['198.18.36.1', 'calls', String(conns), '3']);
  const placed = Date.now();
  const s = await atk.until('every connection answered', (x) => x.refusedConnections + x.established === conns &&
    x.callsConnected + x.callsBusy + x.callsNotAccepted + x.callsOther === x.established * 3, 30_000);
  t.equal(s.refusedConnections, 6, `connections over ${connections.perAddress} from one address are turned away`);
  t.equal(s.callsConnected, pendingCalls.perAddress, `${pendingCalls.perAddress} calls wait for authentication, no more`);
  t.equal(s.callsBusy, (connections.perAddress - pendingCalls.perAddress) * 3, 'the other connections get "busy" for every call');
  t.equal(s.callsNotAccepted, pendingCalls.perAddress * 2, 'a connection with a call gets no second one');
  const log = await server.routerd.command('/log print');
  t.match(log, new RegExp(`refused: too many control connections without an authenticated call from 198\\.18\\.36\\.2 \\(at most ${connections.perAddress}\\)`), 'the log says why connections are refused');
  t.match(log, new RegExp(`refused: too many calls waiting for authentication from 198\\.18\\.36\\.2 \\(at most ${pendingCalls.perAddress}\\)`), 'and why calls are');
  t.match(log, /refused: this control connection already carries a call \(one call per connection\)/);

  // The legitimate user gets the licence's one tunnel although the attacker holds 16 calls.
  await client.routerd.configure('/interface pptp-client add name=out connect-to=198.18.35.1 user=ex password=lkjrht disabled=no');
  await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "connected"/.test(o), 30_000);
  const ping = await pings(client.ns, '10.0.0.1');
  t.ok(ping.ok, `the legitimate client pings through its tunnel\n${ping.output}`);
  t.equal((await tunDevices(server.ns)).length, pendingCalls.perAddress + 1, 'the pending calls and the tunnel each have a TUN device');

  // The attacker keeps restarting LCP (which resets PPP's authentication timer); the deadline holds.
  await atk.until('LCP renegotiations', (x) => x.renegotiations >= pendingCalls.perAddress, 30_000);
  const hung = await server.routerd.poll('/log print', (o) => (o.match(/hung up: no network phase within 30 s of the call/g) ?? []).length >= pendingCalls.perAddress, NETWORK_DEADLINE_MS + 30_000, 1000);
  const seconds = (Date.now() - placed) / 1000;
  t.ok(seconds >= NETWORK_DEADLINE_MS / 1000 - 1, `all ${pendingCalls.perAddress} pending calls hung up at the deadline (${seconds.toFixed(0)} s after they were placed)`);
  t.match(hung, /call \d+ from 198\.18\.36\.2 hung up: no network phase within 30 s of the call/);
  const after = await atk.until('Call-Disconnect-Notify for every call', (x) => x.disconnectNotifies === pendingCalls.perAddress, 20_000);
  t.ok(after.renegotiations >= pendingCalls.perAddress * 5, `the attacker restarted LCP ${after.renegotiations} times meanwhile`);
  t.ok(await waitFor(async () => (await tunDevices(server.ns)).length === 1, 5000), 'their TUN devices are gone; the legitimate tunnel stays');
  // With no call left, the attacker's connections are closed soon after.
  await atk.until('every connection closed', (x) => x.open === 0, 40_000);
  t.match(await server.routerd.command('/log print'), /placed no call within 15 s, closing control connection/);
  t.ok((await pings(client.ns, '10.0.0.1')).ok, 'the legitimate tunnel is untouched');

  // A new call while the licence is full (the client's tunnel holds the one slot) is refused at once.
  const late = attacker(t, attackerNs, ['198.18.36.1', 'calls', '1', '1']);
  const l = await late.until('an answer', (x) => x.callsConnected + x.callsBusy + x.callsNotAccepted + x.callsOther === 1, 30_000);
  t.equal(l.callsNotAccepted, 1, 'with the licence full, a new call is refused at Outgoing-Call');
  t.match(await server.routerd.command('/log print'), /call from 198\.18\.36\.2:\d+ \(peer call 1\) refused: licence level 1 allows 1 PPTP tunnel at once/);

  // Nothing lasting: once the licence has room, the attacker's address gets its full share again.
  await client.routerd.configure('/interface pptp-client disable out');
  await server.routerd.poll('/ppp active print', (o) => !/\bex\s+pptp\b/.test(o), 15_000);
  const again = attacker(t, attackerNs, ['198.18.36.1', 'calls', String(pendingCalls.perAddress), '1']);
  const r = await again.until('answers', (x) => x.callsConnected + x.callsBusy + x.callsNotAccepted + x.callsOther === pendingCalls.perAddress, 30_000);
  t.equal(r.callsConnected, pendingCalls.perAddress, `${pendingCalls.perAddress} new calls from the same address wait for authentication again: nothing leaked`);
});

