// `/tool fetch url=http://...`: downloads a file over HTTP into the data directory (where
// `/system package update install` and `/system license import` find files). Plain HTTP only:
// an update file carries its own signature, so the transport need not be trusted.
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** The file name `url` is saved under (dst-path, else the last path segment), or an error line. */
export function fetchTarget(url: string, dstPath: string | undefined): { url: URL; name: string } | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `failure: bad url ${url}`;
  }
  if (u.protocol !== 'http:') return `failure: mode ${u.protocol.replace(':', '')} is not supported (http only)`;
  const name = dstPath ?? basename(decodeURIComponent(u.pathname));
  if (!NAME_RE.test(name)) return `failure: bad dst-path "${name}" (a file name on the data partition)`;
  return { url: u, name };
}

/** Fetches into dir/name (through a temporary name: a broken download leaves no file behind). */
export function fetchToFile(url: URL, dir: string, name: string, timeoutMs = 600_000): Promise<number> {
  const tmp = join(dir, `.${name}.part`);
  return new Promise<number>((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode ?? '?'} from ${url.host}`));
        return;
      }
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      pipeline(res, createWriteStream(tmp)).then(
        () => {
          renameSync(tmp, join(dir, name));
          resolve(bytes);
        },
        (e: Error) => {
          rmSync(tmp, { force: true });
          reject(e);
        },
      );
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => {
      rmSync(tmp, { force: true });
      reject(e);
    });
  });
}
