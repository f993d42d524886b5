// Packet captures of interop scenarios and the wire check: dumpcap records an interface of the
// test's namespace into a pcap; wireCheck runs Wireshark's dissectors (tshark) over it and lists
// every PPTP, GRE or PPP packet (LCP, PAP, CHAP, IPCP, CCP) that Wireshark calls malformed, flags
// with an expert error, or whose option lengths it finds invalid. A scenario passes the wire
// check when that list is empty.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { exec, waitFor, type Netns, type TeardownHost } from '../lib/netns.js';

export interface Capture {
  readonly file: string;
  /** Stops dumpcap (by its PID) and waits until the file is complete. Idempotent. */
  stop(): Promise<void>;
}

/** Starts capturing iface of ns into file (pcap format); stopped at t.teardown at the latest. */
export async function startCapture(t: TeardownHost, ns: Netns, iface: string, file: string): Promise<Capture> {
  const child = spawn('ip', ['netns', 'exec', ns.name, 'dumpcap', '-q', '-P', '-i', iface, '-w', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const stop = async (): Promise<void> => {
    if (running && child.pid !== undefined) child.kill('SIGTERM');
    await exited;
  };
  t.teardown(stop);
  // dumpcap writes the pcap file header once the interface is open.
  const ready = await waitFor(() => {
    try {
      return statSync(file).size >= 24;
    } catch {
      return false;
    }
  }, 10_000);
  if (!ready || !running) {
    await stop();
    throw new Error(`dumpcap on ${iface} did not start: ${stderr.trim()}`);
  }
  return { file, stop };
}

/** The protocols the wire check covers (Wireshark's filter names). */
export const CHECKED_PROTOCOLS = ['pptp', 'gre', 'ppp', 'lcp', 'pap', 'chap', 'ipcp', 'ccp'] as const;

/** Severity value of an expert error in Wireshark (PI_ERROR). */
const EXPERT_ERROR = 0x00800000;

export interface WireProblem {
  readonly frame: number;
  /** frame.protocols, e.g. "eth:ethertype:ip:gre:ppp:lcp". */
  readonly protocols: string;
  /** Wireshark's expert messages on the packet. */
  readonly expert: string;
  /** The Info column. */
  readonly info: string;
}

/** Rows of `tshark -T fields` over a capture, one array of field values per packet that matches filter. */
/**
 * The TCP inside a tunnel is the test's HTTP transfer, not a protocol of ours: its retransmissions
 * (a lost GRE packet) must not read as expert errors of the frames that carry it.
 */
const INNER_TCP_QUIET = ['-o', 'tcp.desegment_tcp_streams:FALSE', '-o', 'tcp.analyze_sequence_numbers:FALSE'];

export async function tsharkFields(file: string, filter: string, fields: readonly string[]): Promise<string[][]> {
  const argv = ['tshark', '-n', ...INNER_TCP_QUIET, '-r', file, '-Y', filter, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  for (const f of fields) argv.push('-e', f);
  const r = await exec(argv);
  if (r.code !== 0) throw new Error(`tshark failed (exit ${r.code}) on ${file}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

/**
 * The wire check: every PPTP/GRE/PPP/LCP/PAP/CHAP/IPCP/CCP packet Wireshark calls malformed,
 * marks with an expert error, or finds an option of invalid length in. Empty means clean.
 */
export async function wireCheck(file: string): Promise<WireProblem[]> {
  const filter =
    `(${CHECKED_PROTOCOLS.join(' || ')}) && ` +
    `(_ws.malformed || _ws.expert.severity == ${EXPERT_ERROR} || ppp.opt.len.invalid)`;
  const rows = await tsharkFields(file, filter, ['frame.number', 'frame.protocols', '_ws.expert.message', '_ws.col.Info']);
  return rows.map((r) => ({ frame: Number(r[0]), protocols: r[1] ?? '', expert: r[2] ?? '', info: r[3] ?? '' }));
}

/** How many packets of the capture match a display filter. */
export async function countPackets(file: string, filter: string): Promise<number> {
  return (await tsharkFields(file, filter, ['frame.number'])).length;
}

/** Writes the packets of `file` that match a display filter to `out` (pcap), e.g. a golden capture without a bulk transfer. */
export async function extractCapture(file: string, filter: string, out: string): Promise<void> {
  const r = await exec(['tshark', '-n', '-r', file, '-Y', filter, '-F', 'pcap', '-w', out]);
  if (r.code !== 0) throw new Error(`tshark could not extract from ${file}: ${r.stderr.trim()}`);
}

/**
 * What a run may keep of a call's capture: with INTEROP_UPDATE_FIXTURES=1 it becomes the golden
 * capture `fixture`, without the bulk transfer (set-up, pings, hang-up); with INTEROP_KEEP=DIR the
 * whole capture is copied there under the fixture's name. Returns what was done, for the log.
 */
export async function keepCapture(capture: string, fixture: string, transfer: { from: number; to: number } | undefined): Promise<string[]> {
  const done: string[] = [];
  if (process.env.INTEROP_UPDATE_FIXTURES === '1') {
    const window = transfer ? `!(frame.time_epoch >= ${transfer.from} && frame.time_epoch <= ${transfer.to})` : 'frame';
    await extractCapture(capture, window, fixture);
    chmodSync(fixture, 0o644);
    done.push(`golden capture written to ${fixture}`);
  }
  if (process.env.INTEROP_KEEP) {
    copyFileSync(capture, join(process.env.INTEROP_KEEP, basename(fixture)));
    done.push(`capture kept in ${process.env.INTEROP_KEEP}`);
  }
  return done;
}
