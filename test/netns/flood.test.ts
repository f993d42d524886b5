// Issue 15 item 2, at a tenth of `make bench-flood`'s scale: a SYN flood, control connections that
// never place a call, LCP storms inside one authenticated session and GRE spoofed from the
// client's address with the live call ID (which once stopped a tunnel for good), each while a
// tunnel between two routerd carries checked transfers. Checks behaviour, not speed: the tunnel
// passes traffic during and after each flood, the caps on connections without a call hold and
// show in the console, the console answers, routerd's memory stays bounded.
import t from 'tap';
import { runFloods, type FloodFigures } from '../../bench/flood-run.js';

// The daemon's heap moves by tens of MiB between collections; a leak of the floods' size (a few
// KiB per connection, 1000 of them) would show above this.
const RSS_GROWTH_KIB = 96 * 1024;

t.test('floods leave the tunnel, the caps and the console working', async (t) => {
  const figures = await runFloods(t, {
    syns: 1000,
    synPps: 1000,
    idle: 1000,
    idlePerSecond: 500,
    idleSources: 12,
    lcpPps: 2000,
    lcpSeconds: 1.5,
    spoofPps: 2000,
    spoofSeconds: 5,
    transferBytes: 1024 * 1024,
    baselineSeconds: 1.5,
  });
  const by = (name: string): FloodFigures => figures.find((f) => f.name === name)!;
  for (const f of figures) {
    t.ok(f.before.ok && f.during.ok && f.after.ok, `${f.name} (${f.size}): checked transfers before, during and after (${f.before.mbps.toFixed(0)} -> ${f.during.mbps.toFixed(0)} -> ${f.after.mbps.toFixed(0)} Mbit/s)`);
    t.ok(f.pingsAfter, `${f.name}: pings through the tunnel after the flood`);
    t.match(f.consoleOutput, /connections\s+total/, `${f.name}: the console answered during the flood (${f.consolePrints} prints, the slowest ${f.consoleMs} ms)`);
    t.comment(`${f.name}: ${JSON.stringify({ ...f.facts, heldPrint: undefined })}`);
    t.ok(f.rssPeakKiB - f.rssBeforeKiB < RSS_GROWTH_KIB, `${f.name}: routerd RSS ${(f.rssBeforeKiB / 1024).toFixed(0)} -> peak ${(f.rssPeakKiB / 1024).toFixed(0)} MiB`);
  }

  const syn = by('syn');
  t.equal(syn.facts.sent, 1000, 'every SYN was sent');
  t.ok(syn.facts.genuineConnectDuringFlood, 'a genuine connection to port 1723 completed during the SYN flood');

  const idle = by('idle');
  t.equal(Number(idle.facts.opened) + Number(idle.facts.failed), 1000, 'the flooder dialed 1000 connections');
  t.equal(idle.facts.maxConnectionsHeld, 192, 'the console showed the total cap reached, and never more');
  // What the flooder still had open (heldAtEnd) is not asserted: a refusal the server has decided
  // may still be on its way, and on a slow machine the first holders time out before the end.
  const held = String(idle.facts.heldPrint);
  const total = /connections\s+total\s+(\d+)\s+192\s+15s/.exec(held);
  t.ok(total && Number(total[1]) <= 192, `the console shows the total held against its cap and timeout\n${held}`);
  const perAddress = [...held.matchAll(/connections\s+198\.18\.25\.\d+\s+(\d+)\s+48\s/g)].map((m) => Number(m[1]));
  t.ok(perAddress.length >= 4 && perAddress.every((n) => n <= 48) && perAddress.includes(48), `per address at most 48, and the cap reached (${perAddress.join(', ')})`);
  t.ok(Number(idle.facts.refusalsLogged) >= 1, 'refusals are logged (at most one a second)');
  t.ok(idle.facts.releasedByTimeout, `the server closed the connections the flooder kept, no call within 15 s (pool empty ${idle.facts.secondsAfterFlood} s after the flood)`);
  t.equal(idle.facts.stillOpenAtClientAtTheEnd, 0, 'none of them was still open at the flooder');

  const configure = by('lcp-configure');
  t.ok(Number(configure.facts.sent) >= 2000, `the Configure-Request storm was sent (${configure.facts.sent})`);
  t.ok(configure.facts.serverEndedStorm, `the server ended the storming session at the renegotiation it asked for (${configure.facts.serverEndedStorm})`);
  const echo = by('lcp-echo');
  t.ok(Number(echo.facts.sent) >= 2000, `the Echo-Request storm was sent (${echo.facts.sent})`);
  t.equal(echo.facts.stormLinkDown, 'still up', 'the session sending Echo-Requests stays up');
  t.notOk(echo.facts.serverEndedStorm, 'Echo-Requests are no renegotiation: the server keeps that session');
  // The session's control budget (64 at once, then 32 a second) over the storm's 1.5 s and the
  // set-up, with room for a slow machine: far below one answer per request.
  t.ok(Number(echo.facts.packetsToStormer) < 300, `the server answered within the session's control budget (${echo.facts.packetsToStormer} packets for ${echo.facts.sent} requests)`);

  const spoof = by('gre-spoof');
  t.ok(Number(spoof.facts.sent) > 5000, `the spoofer sent its junk (${spoof.size})`);
  t.ok(spoof.facts.pingsDuring, 'pings pass while the junk flows');
});
