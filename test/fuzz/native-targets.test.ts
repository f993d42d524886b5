// The short version of `make fuzz` for the native targets (issue 15): each libFuzzer target
// (ASan + UBSan, Debian's clang) replays its seed corpus and every saved finding
// (fuzz/regressions/native/), then runs FUZZ_TEST_S seconds (default 1.5) of new inputs.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const seconds = Number(process.env.FUZZ_TEST_S ?? '1.5');
const build = spawnSync('bash', [join(root, 'fuzz', 'native', 'build.sh')], { encoding: 'utf8' });

t.equal(build.status, 0, `the libFuzzer targets build (clang, ASan + UBSan)\n${build.stderr}`);
const bin = build.stdout.trim();

for (const name of readdirSync(join(root, 'fuzz', 'native')).filter((f) => f.endsWith('.cc')).map((f) => f.slice(0, -3))) {
  t.test(`native fuzz target ${name}: seeds, regressions and ${seconds} s of new inputs find nothing`, async (t) => {
    const scratch = mkdtempSync(join(tmpdir(), `fuzz-${name}-`));
    t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
    const dirs = [scratch, join(root, 'fuzz', 'corpus', 'native', name), join(root, 'fuzz', 'regressions', 'native', name)].filter((d) => existsSync(d));
    const r = spawnSync(join(bin, name), [`-max_total_time=${seconds}`, '-print_final_stats=1', '-timeout=10', `-artifact_prefix=${scratch}/`, ...dirs], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const execs = /stat::number_of_executed_units: (\d+)/.exec(r.stderr)?.[1];
    t.equal(r.status, 0, `no crash, leak, UB or timeout (${execs ?? '?'} executions)\n${r.stderr.split('\n').filter((l) => /ERROR|SUMMARY|runtime error/.test(l)).join('\n')}`);
    t.ok(Number(execs) > 0, 'it ran');
  });
}
