// Files a user names at the console (`/user ssh-keys import public-key-file=id.pub`): a relative
// name is looked up in the data directory, where an admin copies them (scp is not offered);
// an absolute path is read as given, as `/system license import` does. Small files only.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * `print file=NAME`: the print goes to NAME.txt in the data directory (RouterOS writes it to its
 * /file store, adding .txt). Only a plain name is taken, so no file outside the directory can be
 * written; the file is replaced whole and readable by root only (a print may hold passwords).
 */
export function dataFileWriter(dataDir: string): (name: string, text: string) => string | undefined {
  return (name, text) => {
    const base = name.endsWith('.txt') ? name.slice(0, -4) : name;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(base)) return `failure: bad file name ${JSON.stringify(name)} (letters, digits, . _ -)`;
    const path = join(dataDir, `${base}.txt`);
    try {
      writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
      return undefined;
    } catch (e) {
      return `failure: cannot write ${base}.txt: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  };
}
