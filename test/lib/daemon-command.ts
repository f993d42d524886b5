// How tests start routerd: the compiled daemon (dist/, what `make build` and the image run) when
// it is at least as new as every source file, else the TypeScript sources through tap's loader.
// The compiled start costs about 0.6 s of CPU against 5.5 s for transpiling the daemon's ~250
// modules, and the suite starts routerd well over a hundred times.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsLoader } from './ts-loader.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

function compiledIsFresh(): boolean {
  if (process.env.ROUTERD_FROM_SOURCE === '1') return false;
  try {
    return sources(join(root, 'src')).every((src) => {
      const out = join(root, 'dist', relative(root, src)).replace(/\.ts$/, '.js');
      return statSync(out).mtimeMs >= statSync(src).mtimeMs;
    });
  } catch {
    return false; // a source without its compiled file: not built since it was added
  }
}

/**
 * Node's options for routerd, the same as ExecStart in rootfs/etc/systemd/system/routerd.service
 * (test/system/daemon-node-flags.test.ts keeps the two in step), so tests and benchmarks run the
 * daemon as the image does. --max-semi-space-size=1: V8's young generation otherwise grows to two
 * 16 MiB semi-spaces while a thousand tunnels negotiate and stays resident when they are idle
 * (31 KiB per tunnel of the 89-96 KiB measured at 1000 tunnels, README "Many tunnels").
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

let cached: readonly string[] | undefined;

/** node's arguments that run the daemon; the daemon's own options follow them. */
export function daemonArgs(): readonly string[] {
  cached ??= compiledIsFresh() ? [join(root, 'dist', 'src', 'daemon.js')] : ['--import', tsLoader, join(root, 'src', 'daemon.ts')];
  return cached;
}
