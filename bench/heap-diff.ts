// `node --import tsx bench/heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [N]`: what a V8
// heap grew by between two snapshots (bench-scale's BENCH_HEAP_SNAPSHOT=1 writes them), as bytes
// and object counts per (node type, constructor or string name), largest first.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function tally(file: string): Map<string, { bytes: number; count: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + iType]];
    // Strings and code are grouped by type alone: their names are their contents.
    const name = ['string', 'concatenated string', 'sliced string', 'code', 'number'].includes(type) ? '' : s.strings[s.nodes[i + iName]].slice(0, 60);
    const key = `${type} ${name}`;
    const e = out.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += s.nodes[i + iSize];
    e.count += 1;
    out.set(key, e);
  }
  return out;
}

const [before, after, n] = process.argv.slice(2);
if (!before || !after) {
  process.stderr.write('usage: heap-diff BEFORE.heapsnapshot AFTER.heapsnapshot [N]\n');
  process.exit(2);
}
const a = tally(before);
const b = tally(after);
const rows = [...b].map(([k, v]) => ({ k, bytes: v.bytes - (a.get(k)?.bytes ?? 0), count: v.count - (a.get(k)?.count ?? 0) }));
rows.sort((x, y) => y.bytes - x.bytes);
const total = rows.reduce((s, r) => s + r.bytes, 0);
console.log(`grew by ${(total / 1024).toFixed(0)} KiB`);
for (const r of rows.slice(0, Number(n ?? 40))) console.log(`${(r.bytes / 1024).toFixed(1).padStart(9)} KiB ${String(r.count).padStart(7)}  ${r.k}`);
