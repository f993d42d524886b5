// Loads the Node-API addon built from native/. Each TypeScript wrapper (crypto, tun, gre)
// asks for the functions it needs with requireNativeFunction, so a missing symbol fails with a
// message that names it instead of an "undefined is not a function" later.
//
// PPTP_NATIVE_ADDON overrides the path (the arm64 tests load a cross-built addon that way).
// The bench-only addon (pptp_bench.node: key-schedule dump, benchmark loops) sits beside it;
// PPTP_BENCH_ADDON overrides its path.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('native addon: cannot find the project root (package.json)');
    dir = up;
  }
  return dir;
}

let cached: Record<string, unknown> | undefined;

export function nativeAddonPath(): string {
  const override = process.env.PPTP_NATIVE_ADDON;
  if (override) return resolve(override);
  return join(projectRoot(), 'native', 'build', 'Release', 'pptp_native.node');
}

export function loadNativeAddon(): Record<string, unknown> {
  if (!cached) {
    const path = nativeAddonPath();
    if (!existsSync(path)) {
      throw new Error(`native addon not built: ${path} is missing (run "make native")`);
    }
    cached = require(path) as Record<string, unknown>;
  }
  return cached;
}

let benchCached: Record<string, unknown> | undefined;

export function benchAddonPath(): string {
  const override = process.env.PPTP_BENCH_ADDON;
  if (override) return resolve(override);
  return join(dirname(nativeAddonPath()), 'pptp_bench.node');
}

/** An export of the bench-only addon (tests and bench/, never the daemon). */
export function requireBenchExport<T>(name: string): T {
  if (!benchCached) {
    const path = benchAddonPath();
    if (!existsSync(path)) throw new Error(`bench addon not built: ${path} is missing (run "make native")`);
    benchCached = require(path) as Record<string, unknown>;
  }
  const value = benchCached[name];
  if (value === undefined) throw new Error(`bench addon: export "${name}" is missing`);
  return value as T;
}

export function requireNativeExport<T>(name: string): T {
  const addon = loadNativeAddon();
  const value = addon[name];
  if (value === undefined) throw new Error(`native addon: export "${name}" is missing`);
  return value as T;
}
