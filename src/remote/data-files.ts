// Files a user names at the console (`/user ssh-keys import public-key-file=id.pub`): a relative
// name is looked up in the data directory, where an admin copies them (scp is not offered);
// an absolute path is read as given, as `/system license import` does. Small files only.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { ValueError } from '../config/types.js';

const MAX_BYTES = 64 * 1024;

export function dataFileReader(dataDir: string): (name: string) => string | ValueError {
  return (name) => {
    const path = isAbsolute(name) ? name : join(dataDir, normalize(name));
    try {
      if (statSync(path).size > MAX_BYTES) return new ValueError(`failure: ${name} is over ${MAX_BYTES} bytes`);
      return readFileSync(path, 'utf8');
    } catch {
      return new ValueError(`failure: cannot read ${name}`);
    }
  };
}
