// RouterOS interface names ("pptp-in1", "FromLaptop", "<pptp-ex>") against Linux's: at most 15
// characters (IFNAMSIZ - 1), no '/', no whitespace, not "." or "..". Names that fit are used as
// they are, so `ip link` shows what the console shows; the others get a short, stable form with
// a hash suffix. Each kernel name is held by one tunnel at a time.
import { createHash } from 'node:crypto';
import type { ConfigModel } from '../config/model.js';
import { ethernet } from '../config/menus/index.js';

const FITS = /^[A-Za-z0-9_.-]{1,15}$/;

/** The kernel form of a RouterOS name (without uniqueness). */
export function kernelForm(name: string): string {
  const bare = name.replace(/^<(.*)>$/, '$1');
  if (FITS.test(bare) && bare !== '.' && bare !== '..') return bare;
  const clean = bare.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^\.+/, '') || 'if';
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 4);
  return `${clean.slice(0, 10)}-${hash}`;
}

/** The kernel device of an interface reference (`*3`): a port's own name, else the tunnel's link name. */
export function kernelDevice(model: ConfigModel, ref: string): string | undefined {
  const target = model.interfaceById(ref);
  if (!target) return undefined;
  if (target.path === ethernet.path) return String(target.row.values['default-name']);
  return kernelForm(String(target.row.values.name));
}

export class LinkNames {
  private readonly taken = new Map<string, string>(); // kernel name -> RouterOS name

  /** A free kernel name for a RouterOS name; the caller gives it back with release(). */
  claim(name: string): string {
    const base = kernelForm(name);
    let candidate = base;
    for (let n = 2; this.taken.has(candidate); n++) {
      const suffix = `-${n}`;
      candidate = base.slice(0, 15 - suffix.length) + suffix;
    }
    this.taken.set(candidate, name);
    return candidate;
  }

  release(kernelName: string): void {
    this.taken.delete(kernelName);
  }

  /** A name for a TUN device that is not yet named after its user (server call before login). */
  temporary(callId: number): string {
    return this.claim(`pptp-call${callId}`);
  }
}
