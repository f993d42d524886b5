// The short version of `make fuzz` for the TypeScript targets (issue 15): each target replays its
// corpus (seeds from the interop captures) and every saved finding (fuzz/regressions/ts/), then
// runs FUZZ_TEST_S seconds (default 1) of new inputs. Nothing may make a target throw.
import t from 'tap';
import { fuzzTarget, regressions } from '../../fuzz/ts/run.js';
import { targets } from '../../fuzz/ts/targets.js';

const seconds = Number(process.env.FUZZ_TEST_S ?? '1');

for (const target of targets) {
  t.test(`fuzz target ${target.name}: corpus, regressions and ${seconds} s of new inputs raise nothing`, async (t) => {
    t.ok(target.seeds().length > 0, `${target.seeds().length} corpus inputs`);
    const r = await fuzzTarget(target, seconds, false);
    t.same(r.findings.map((f) => f.error), [], `${r.executions} executions (${regressions(target.name).length} saved regressions)`);
  });
}
