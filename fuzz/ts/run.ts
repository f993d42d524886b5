// Runs the TypeScript fuzz targets: `node --import <ts loader> fuzz/ts/run.ts [SECONDS] [TARGET...]`.
// Each target first replays its corpus (seeds from the interop captures) and its regression
// inputs (fuzz/regressions/ts/<target>/), then runs fast-check for SECONDS with inputs that are
// mutated seeds (bit flips, byte changes, cuts, splices, repeats) or fresh random bytes. A
// finding is an input that makes the target throw; it is written to fuzz/regressions/ts/<target>/
// (the test suite then replays it for ever) and reported. Prints one line per target:
//   <target> executions=<n> findings=<n> seconds=<s>
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { targets, type FuzzTarget } from './targets.js';

export const regressionRoot = fileURLToPath(new URL('../regressions/ts/', import.meta.url));

export function regressions(target: string): Buffer[] {
  const dir = join(regressionRoot, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
}

function mutated(seeds: Buffer[]): fc.Arbitrary<Buffer> {
  const fresh = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));
  if (seeds.length === 0) return fresh;
  const edit = fc.tuple(fc.nat({ max: 5 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }));
  const mutant = fc.tuple(fc.constantFrom(...seeds), fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 8 })).map(([a, b, edits]) => {
    let buf = Buffer.from(a);
    for (const [kind, p, q, v] of edits) {
      const at = buf.length ? p % buf.length : 0;
      switch (kind) {
        case 0: if (buf.length) buf[at] = buf[at]! ^ (1 << (v & 7)); break; // bit flip
        case 1: if (buf.length) buf[at] = v; break; // byte
        case 2: buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + (q % 8))]); break; // cut
        case 3: buf = Buffer.concat([buf.subarray(0, at), Buffer.from([v, v ^ 0xff]), buf.subarray(at)]); break; // insert
        case 4: buf = Buffer.concat([buf.subarray(0, at), b.subarray(q % (b.length + 1))]); break; // splice
        default: buf = Buffer.concat([buf, buf.subarray(at, at + (q % 64))]); // repeat
      }
    }
    return buf;
  });
  return fc.oneof({ arbitrary: mutant, weight: 4 }, { arbitrary: fresh, weight: 1 }, { arbitrary: fc.constantFrom(...seeds), weight: 1 });
}

export interface TargetReport {
  readonly target: string;
  readonly executions: number;
  readonly findings: readonly { readonly input: Buffer; readonly error: string; readonly file: string }[];
  readonly seconds: number;
}

function record(target: string, input: Buffer): string {
  const dir = join(regressionRoot, target);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, createHash('sha1').update(input).digest('hex').slice(0, 16));
  writeFileSync(file, input);
  return file;
}

export async function fuzzTarget(target: FuzzTarget, seconds: number, save = true): Promise<TargetReport> {
  const started = Date.now();
  let executions = 0;
  const findings: { input: Buffer; error: string; file: string }[] = [];
  const runOne = async (input: Buffer): Promise<string | undefined> => {
    executions++;
    try {
      await target.run(input);
      return undefined;
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const seeds = target.seeds();
  for (const input of [...seeds, ...regressions(target.name)]) {
    const error = await runOne(input);
    if (error) findings.push({ input, error, file: save ? record(target.name, input) : '' });
  }
  if (seconds > 0) {
    const result = await fc.check(
      fc.asyncProperty(mutated(seeds), async (input) => (await runOne(input)) === undefined),
      { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false, endOnFailure: true },
    );
    if (result.failed && result.counterexample) {
      const input = result.counterexample[0];
      findings.push({ input, error: (await runOne(input)) ?? String(result.errorInstance), file: save ? record(target.name, input) : '' });
    }
  }
  return { target: target.name, executions, findings, seconds: (Date.now() - started) / 1000 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? process.env.FUZZ_S ?? '300');
  const only = process.argv.slice(3);
  let total = 0;
  for (const target of targets.filter((t) => only.length === 0 || only.includes(t.name))) {
    const r = await fuzzTarget(target, seconds);
    total += r.findings.length;
    console.log(`ts:${r.target} executions=${r.executions} findings=${r.findings.length} seconds=${r.seconds.toFixed(0)}`);
    for (const f of r.findings) console.log(`  finding: ${f.error.split('\n')[0]} (saved as ${f.file})`);
  }
  process.exitCode = total > 0 ? 1 : 0;
}
