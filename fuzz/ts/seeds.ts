// Seed inputs for the TypeScript fuzz targets, cut from the real captures in test/fixtures/interop
// (libpcap, Ethernet): PPTP control messages from TCP port 1723, enhanced GRE packets, and inside
// them the PPP frames by protocol (LCP, PAP, CHAP, IPCP, CCP) and their option lists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const interopCaptures = fileURLToPath(new URL('../../test/fixtures/interop/', import.meta.url));

export interface Seeds {
  readonly control: Buffer[]; // TCP 1723 payloads (one or more control messages)
  readonly gre: Buffer[]; // whole enhanced GRE packets
  readonly ppp: Buffer[]; // PPP frames (the GRE payload)
  readonly byProtocol: Map<number, Buffer[]>; // PPP packets (code, id, length, data) per protocol
}

function* packets(file: Buffer): Generator<Buffer> {
  const little = file.readUInt32LE(0) === 0xa1b2c3d4 || file.readUInt32LE(0) === 0xa1b23c4d;
  let at = 24;
  while (at + 16 <= file.length) {
    const caplen = little ? file.readUInt32LE(at + 8) : file.readUInt32BE(at + 8);
    at += 16;
    if (at + caplen > file.length) return;
    yield file.subarray(at, at + caplen);
    at += caplen;
  }
}

function pppInfo(frame: Buffer): { protocol: number; info: Buffer } | undefined {
  let at = 0;
  if (frame[0] === 0xff && frame[1] === 0x03) at = 2;
  if (frame.length < at + 1) return undefined;
  if ((frame[at]! & 1) === 1) return { protocol: frame[at]!, info: frame.subarray(at + 1) };
  if (frame.length < at + 2) return undefined;
  return { protocol: frame.readUInt16BE(at), info: frame.subarray(at + 2) };
}

let cached: Seeds | undefined;

export function interopSeeds(): Seeds {
  if (cached) return cached;
  const seeds: Seeds = { control: [], gre: [], ppp: [], byProtocol: new Map() };
  for (const name of readdirSync(interopCaptures).filter((n) => n.endsWith('.pcap')).sort()) {
    for (const eth of packets(readFileSync(join(interopCaptures, name)))) {
      if (eth.length < 34 || eth.readUInt16BE(12) !== 0x0800) continue;
      const ip = eth.subarray(14);
      const ihl = (ip[0]! & 0x0f) * 4;
      const total = Math.min(ip.readUInt16BE(2), ip.length);
      const body = ip.subarray(ihl, total);
      if (ip[9] === 6 && body.length >= 20) {
        const ports = [body.readUInt16BE(0), body.readUInt16BE(2)];
        const payload = body.subarray((body[12]! >> 4) * 4);
        if (ports.includes(1723) && payload.length > 0) seeds.control.push(Buffer.from(payload));
      } else if (ip[9] === 47 && body.length >= 8) {
        seeds.gre.push(Buffer.from(body));
        const flags = body.readUInt16BE(0);
        const start = 8 + (flags & 0x1000 ? 4 : 0) + (flags & 0x0080 ? 4 : 0);
        const frame = body.subarray(start, start + body.readUInt16BE(4));
        if (frame.length === 0) continue;
        seeds.ppp.push(Buffer.from(frame));
        const p = pppInfo(frame);
        if (p) seeds.byProtocol.set(p.protocol, [...(seeds.byProtocol.get(p.protocol) ?? []), Buffer.from(p.info)]);
      }
    }
  }
  cached = seeds;
  return seeds;
}
