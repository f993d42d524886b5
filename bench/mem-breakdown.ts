// Where routerd's resident memory goes (BENCH_MEM=dir make bench-scale): /proc/PID/smaps split
// into the main malloc arena ([heap]), the other glibc arenas (anonymous mappings at 64 MiB
// boundaries, where glibc places a thread's arena), thread stacks, file-backed pages and the rest
// of the anonymous memory (V8's heap pages, mostly), beside what V8 itself reports through
// bench/mem-probe.ts preloaded into routerd. Two readings, before the tunnels and with them all
// idle, give the cost per tunnel in each category.
import { existsSync, readFileSync } from 'node:fs';

export interface SmapsSplit {
  readonly rss: number;
  readonly mainArena: number;
  readonly threadArenas: number;
  readonly stacks: number;
  readonly files: number;
  readonly otherAnon: number;
}

const ARENA_ALIGN = 64n * 1024n * 1024n;

/** KiB resident per category. */
export function smapsSplit(pid: number): SmapsSplit {
  const acc = { rss: 0, mainArena: 0, threadArenas: 0, stacks: 0, files: 0, otherAnon: 0 };
  let kind: keyof typeof acc = 'otherAnon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      const [, start, , inode, name] = head;
      if (name === '[heap]') kind = 'mainArena';
      else if (name.startsWith('[stack')) kind = 'stacks';
      else if (inode !== '0' || name.startsWith('/')) kind = 'files';
      else if (BigInt(`0x${start}`) % ARENA_ALIGN === 0n) kind = 'threadArenas';
      else kind = 'otherAnon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      acc.rss += Number(rss[1]);
      acc[kind] += Number(rss[1]);
    }
  }
  return acc;
}

export interface V8Reading {
  /** KiB: V8's heap pages resident, and what live objects use, after a full collection. */
  readonly heapPhysical: number;
  readonly heapUsed: number;
  readonly heapUsedBeforeGc: number;
  /** KiB of memory outside the heap that V8 is told about (Buffers, ArrayBuffers). */
  readonly external: number;
  readonly arrayBuffers: number;
}

interface ProbeSample {
  memoryUsage: { external: number; arrayBuffers: number; heapUsed: number };
  heap: { total_physical_size: number; used_heap_size: number };
}

/** Asks the probe for a reading (SIGUSR2) and waits for its file. */
export async function v8Reading(pid: number, out: string, n: number): Promise<V8Reading> {
  process.kill(pid, 'SIGUSR2');
  const file = `${out}-${n}.json`;
  for (let i = 0; i < 600 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 200));
  const j = JSON.parse(readFileSync(file, 'utf8')) as { before: ProbeSample; afterGc?: ProbeSample };
  const s = j.afterGc ?? j.before;
  const k = (b: number): number => b / 1024;
  return {
    heapPhysical: k(s.heap.total_physical_size),
    heapUsed: k(s.heap.used_heap_size),
    heapUsedBeforeGc: k(j.before.heap.used_heap_size),
    external: k(s.memoryUsage.external),
    arrayBuffers: k(s.memoryUsage.arrayBuffers),
  };
}

export interface MemReading {
  readonly smaps: SmapsSplit;
  readonly v8: V8Reading;
}

/** The table bench-scale prints: KiB per tunnel in each category, (idle - before) / tunnels. */
export function breakdownTable(before: MemReading, idle: MemReading, tunnels: number): string {
  const per = (a: number, b: number): string => (tunnels > 0 ? ((b - a) / tunnels).toFixed(1) : 'no tunnel left');
  const rows: [string, number, number][] = [
    ['RSS (all of it; smaps, read after the full collection)', before.smaps.rss, idle.smaps.rss],
    ['  main malloc arena ([heap])', before.smaps.mainArena, idle.smaps.mainArena],
    ['  other malloc arenas (threads)', before.smaps.threadArenas, idle.smaps.threadArenas],
    ['  other anonymous (V8 heap pages, mostly)', before.smaps.otherAnon, idle.smaps.otherAnon],
    ['  thread stacks', before.smaps.stacks, idle.smaps.stacks],
    ['  file-backed', before.smaps.files, idle.smaps.files],
    ['V8 heap resident after a full collection', before.v8.heapPhysical, idle.v8.heapPhysical],
    ['V8 live objects after a full collection', before.v8.heapUsed, idle.v8.heapUsed],
    ['V8 heap used before that collection', before.v8.heapUsedBeforeGc, idle.v8.heapUsedBeforeGc],
    ['external (Buffers, ArrayBuffers)', before.v8.external, idle.v8.external],
  ];
  return [
    `| category | before, KiB | all idle, KiB | KiB per tunnel (${tunnels}) |`,
    '| --- | ---: | ---: | ---: |',
    ...rows.map(([name, a, b]) => `| ${name} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${per(a, b)} |`),
  ].join('\n');
}
