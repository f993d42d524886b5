// The loader a test hands to the node processes it starts from TypeScript sources: tsx (esbuild),
// the same one tap runs the test files with (package.json "tap"."node-arg"). It transpiles a
// file in about a tenth of the CPU time tap's ts-node loader took.
import { fileURLToPath } from 'node:url';

export const tsLoader = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
