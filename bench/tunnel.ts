// make bench-tunnel (issue 13 item 5): iperf3 through one tunnel between two network namespaces,
// 10 s per case: no encryption, MPPE-128 stateless, MPPE-128 stateful, each on the reference and
// the native data plane; in the same run the bare veth and the single-core crypto ceiling of
// each mode (the C MPPE loop of the bench addon at 1400 bytes). Prints Gbit/s, the ratios to
// both, and the data planes' CPU seconds per GB carried. Then the 1000-tunnel set-up time and
// routerd's RSS per idle tunnel (bench/scale-run.ts, what `make bench-scale` runs; about two more
// minutes, most of them pinging through every tunnel): BENCH_SCALE_TUNNELS sets the count, 0 skips it.
//
// Each side is the data plane routerd runs (test/dataplane/fixtures/peer.ts), with the session
// opened directly rather than negotiated: routerd's configuration cannot ask for stateful MPPE
// (RouterOS offers no such setting), and negotiation adds nothing per packet. Needs root.
import { createNetns, createVethPair, type Netns } from '../test/lib/netns.js';
import { Teardown } from './teardown.js';
import { Peer } from '../test/dataplane/fixtures/peer-driver.js';
import { cryptoBenchmark } from '../src/crypto/native-crypto.js';
import type { DataPlaneKind } from '../src/dataplane/factory.js';
import { runScale, scaleReport } from './scale-run.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MTU = 1400;
const PACKET = 1400;

type Mode = 'none' | 'stateless' | 'stateful';
// BENCH_MODES=none,stateless and BENCH_PLANES=native run a subset (profiling one case).
const MODES = (process.env.BENCH_MODES?.split(',') ?? ['none', 'stateless', 'stateful']) as Mode[];
const PLANES = (process.env.BENCH_PLANES?.split(',') ?? ['reference', 'native']) as DataPlaneKind[];
const SCALE_TUNNELS = Number(process.env.BENCH_SCALE_TUNNELS ?? 1000);


async function iperf(server: Netns, client: Netns, address: string): Promise<{ gbps: number; bytes: number }> {
  const srv = server.spawn('iperf3', ['-s', '-1', '-B', address], { stdio: 'ignore' });
  try {
    let last = '';
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const r = await client.exec(['iperf3', '-c', address, '-t', String(SECONDS), '-J']);
      last = r.stdout + r.stderr;
      if (r.code === 0) {
        const j = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number; bytes: number } } };
        return { gbps: j.end.sum_received.bits_per_second / 1e9, bytes: j.end.sum_received.bytes };
      }
      if (!/connect|refused/i.test(last)) break;
    }
    throw new Error(`iperf3 failed: ${last}`);
  } finally {
    srv.kill();
  }
}

function cryptoCeilingGbps(mode: Mode): number | undefined {
  if (mode === 'none') return undefined;
  const kind = mode === 'stateless' ? 'mppe-stateless' : 'mppe-stateful';
  let count = 20_000;
  let seconds = cryptoBenchmark(kind, PACKET, count);
  while (seconds < 0.5) {
    count *= 4;
    seconds = cryptoBenchmark(kind, PACKET, count);
  }
  return (count * PACKET * 8) / seconds / 1e9;
}

interface Row {
  mode: Mode;
  plane: DataPlaneKind;
  gbps: number;
  cpuPerGB: number;
  // of the sending side (iperf3's client, A: TUN read and encrypt) alone
  senderCpuPerGB: number;
}

async function tunnelCase(plane: DataPlaneKind, mode: Mode, index: number): Promise<Row> {
  const t = new Teardown();
  try {
    const a = await createNetns(t, 'bta');
    const b = await createNetns(t, 'btb');
    await createVethPair(a, b, { addrA: '198.18.30.1/24', addrB: '198.18.30.2/24' });
    const pa = new Peer(a, plane);
    const pb = new Peer(b, plane);
    t.teardown(async () => {
      await pa.call('close').catch(() => {});
      await pb.call('close').catch(() => {});
    });
    const keyAB = Buffer.alloc(16, 0x5a).toString('hex');
    const keyBA = Buffer.alloc(16, 0xa5).toString('hex');
    const mppe = (send: string, receive: string): Record<string, unknown> =>
      mode === 'none' ? {} : { mppe: { module: new URL('../src/crypto/mppe-native.ts', import.meta.url).pathname, bits: 128, stateless: mode === 'stateless', sendKey: send, receiveKey: receive } };
    const common = { key: 't', mtu: MTU, acfc: true, pfc: true };
    await pa.call('open', { ...common, localCallId: 10 + index, peerCallId: 20 + index, peerAddress: '198.18.30.2', tunName: 'bencha', local: '10.31.0.1', peer: '10.31.0.2', ...mppe(keyAB, keyBA) });
    await pb.call('open', { ...common, localCallId: 20 + index, peerCallId: 10 + index, peerAddress: '198.18.30.1', tunName: 'benchb', local: '10.31.0.2', peer: '10.31.0.1', ...mppe(keyBA, keyAB) });
    // Stateful MPPE needs the CCP part: a lost packet makes one side ask the other to flush.
    pa.onEvent = (e) => void (e.event === 'mppe-reset' && pb.call('resetMppeSend', { key: 't' }));
    pb.onEvent = (e) => void (e.event === 'mppe-reset' && pa.call('resetMppeSend', { key: 't' }));
    const a0 = (await pa.call('cpu')).seconds as number;
    const b0 = (await pb.call('cpu')).seconds as number;
    const r = await iperf(b, a, '10.31.0.2');
    const a1 = (await pa.call('cpu')).seconds as number;
    const b1 = (await pb.call('cpu')).seconds as number;
    const gb = r.bytes / 1e9;
    return { mode, plane, gbps: r.gbps, cpuPerGB: (a1 - a0 + b1 - b0) / gb, senderCpuPerGB: (a1 - a0) / gb };
  } finally {
    await t.run();
  }
}

async function main(): Promise<void> {
  const t = new Teardown();
  let vethGbps: number;
  try {
    const a = await createNetns(t, 'bva');
    const b = await createNetns(t, 'bvb');
    await createVethPair(a, b, { addrA: '198.18.31.1/24', addrB: '198.18.31.2/24' });
    vethGbps = (await iperf(b, a, '198.18.31.2')).gbps;
  } finally {
    await t.run();
  }
  const ceilings = new Map(MODES.map((m) => [m, cryptoCeilingGbps(m)]));
  const rows: Row[] = [];
  let index = 0;
  for (const mode of MODES) {
    for (const plane of PLANES) {
      const row = await tunnelCase(plane, mode, index++);
      rows.push(row);
      process.stderr.write(`${mode} ${plane}: ${row.gbps.toFixed(3)} Gbit/s, CPU s per GB ${row.cpuPerGB.toFixed(2)} (sender ${row.senderCpuPerGB.toFixed(2)})\n`);
    }
  }
  const label = { none: 'unencrypted', stateless: 'MPPE-128 stateless', stateful: 'MPPE-128 stateful' };
  const lines = [
    `iperf3 TCP through one tunnel (MTU ${MTU}), ${SECONDS} s per case; bare veth ${vethGbps.toFixed(2)} Gbit/s`,
    '| case | path | Gbit/s | x veth | crypto ceiling (1 core, Gbit/s) | x ceiling | native / reference | CPU s per GB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const ceiling = ceilings.get(r.mode);
    const ref = rows.find((x) => x.mode === r.mode && x.plane === 'reference');
    lines.push(
      `| ${label[r.mode]} | ${r.plane} | ${r.gbps.toFixed(3)} | ${(r.gbps / vethGbps).toFixed(3)} | ${ceiling === undefined ? '-' : ceiling.toFixed(2)} | ${ceiling === undefined ? '-' : (r.gbps / ceiling).toFixed(2)} | ${r.plane === 'native' && ref !== undefined ? (r.gbps / ref.gbps).toFixed(1) : '-'} | ${r.cpuPerGB.toFixed(1)} |`,
    );
  }
  console.log(lines.join('\n'));
  if (SCALE_TUNNELS > 0) {
    const scale = new Teardown();
    try {
      const r = await runScale(scale, { count: SCALE_TUNNELS, dataplane: 'native', progress: (l) => process.stderr.write(`${l}\n`) });
      console.log(`\n${scaleReport(r, 'native')}`);
    } finally {
      await scale.run();
    }
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench-tunnel: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
