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

let cached: readonly string[] | undefined;

/** node's arguments that run the daemon; the daemon's own options follow them. */
export function daemonArgs(): readonly string[] {
  cached ??= compiledIsFresh() ? [join(root, 'dist', 'src', 'daemon.js')] : ['--import', tsLoader, join(root, 'src', 'daemon.ts')];
  return cached;
}
