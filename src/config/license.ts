// Licence levels (SPEC.md): a key is a signed statement "software-id S has level L", signed with
// the vendor's Ed25519 private key, which never ships; the firmware holds only the public key.
// No key, or a refused one, means level 1. The tunnel code asks `tunnelLimit` before it accepts
// or dials a tunnel; the limit counts server and client tunnels together.
//
// Key text: "routerd-license-1." + base64url(JSON payload) + "." + base64url(signature over the
// payload bytes). Anything else, an edited payload, another software-id or a bad signature is
// refused with a line that says which.
//
// A board with no readable serial number (some PCs and VMs) is bound to its installation
// instead: a random board id kept on the data partition, made on first start, as RouterOS's x86
// licences are bound to the installed disk. Keys for the old catch-all id of such boards
// (derived from "unknown") are neither issued nor accepted: one key would have licensed them all.
import { createHash, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { ValueError } from './types.js';

export const LICENSE_FILE = 'license.key';
export const BOARD_ID_FILE = 'board-id';
const PREFIX = 'routerd-license-1';
export const LEVELS = [1, 3, 4, 5, 6] as const;

/** PPTP tunnels allowed at once for a level: 1 -> 1, 3 and 4 -> 200, 5 and 6 -> unlimited. */
export function tunnelLimit(level: number): number {
  if (level >= 5) return Infinity;
  if (level >= 3) return 200;
  return 1;
}

export interface LicensePayload {
  readonly softwareId: string;
  readonly level: number;
  readonly issued: string;
}

/** RouterOS-like software id (XXXX-XXXX) derived from the board serial number. */
export function softwareIdFrom(serial: string): string {
  const digest = createHash('sha256').update(`routerd software-id\0${serial.trim().toLowerCase()}`).digest();
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let id = '';
  for (let i = 0; i < 8; i++) id += alphabet[digest[i]! % alphabet.length];
  return `${id.slice(0, 4)}-${id.slice(4)}`;
}

/** The software-id every serial-less board shared before board ids existed. */
export const UNBOUND_SOFTWARE_ID = softwareIdFrom('unknown');

/**
 * What the software-id is derived from: the board's serial when it has one, else the board id
 * kept in dir (made now, at random, when missing).
 */
export function licenseSerial(boardSerial: string | undefined, dir: string): string {
  if (boardSerial !== undefined) return boardSerial;
  const file = join(dir, BOARD_ID_FILE);
  let id = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (!/^[0-9a-f]{32}$/.test(id)) {
    id = randomBytes(16).toString('hex');
    writeFileAtomic(file, `${id}\n`);
  }
  return `board-id:${id}`;
}

export function issueKey(privateKey: KeyObject, softwareId: string, level: number, issued = new Date()): string {
  if (!(LEVELS as readonly number[]).includes(level)) throw new Error(`level must be one of ${LEVELS.join(', ')}`);
  if (!/^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(softwareId)) throw new Error('software-id must look like ABCD-EF23');
  if (softwareId === UNBOUND_SOFTWARE_ID) throw new Error(`software-id ${softwareId} belongs to no one board (a board without a serial before board ids); the board reports its own`);
  const payload = Buffer.from(JSON.stringify({ softwareId, level, issued: issued.toISOString() }));
  const signature = sign(null, payload, privateKey);
  return `${PREFIX}.${payload.toString('base64url')}.${signature.toString('base64url')}`;
}

export function verifyKey(text: string, publicKey: KeyObject, softwareId: string): LicensePayload | ValueError {
  const parts = text.trim().split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return new ValueError('failure: not a licence key');
  const payload = Buffer.from(parts[1]!, 'base64url');
  const signature = Buffer.from(parts[2]!, 'base64url');
  let ok = false;
  try {
    ok = signature.length === 64 && verify(null, payload, publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok) return new ValueError('failure: licence key signature is not valid (edited or forged key)');
  let data: Partial<LicensePayload>;
  try {
    data = JSON.parse(payload.toString('utf8')) as Partial<LicensePayload>;
  } catch {
    return new ValueError('failure: licence key is malformed');
  }
  if (data.softwareId === UNBOUND_SOFTWARE_ID) {
    return new ValueError(`failure: licence key is for software-id ${UNBOUND_SOFTWARE_ID}, which belongs to no one board`);
  }
  if (data.softwareId !== softwareId) {
    return new ValueError(`failure: licence key is for software-id ${String(data.softwareId)}, this router is ${softwareId}`);
  }
  if (typeof data.level !== 'number' || !(LEVELS as readonly number[]).includes(data.level)) {
    return new ValueError('failure: licence key names an unknown level');
  }
  return { softwareId: data.softwareId, level: data.level, issued: String(data.issued) };
}

export interface LicenseOptions {
  readonly dir: string;
  readonly softwareId: string;
  /** The vendor's public key (PEM or KeyObject). */
  readonly publicKey: string | KeyObject;
}

export class License {
  private level = 1;
  private readonly publicKey: KeyObject;
  private readonly listeners = new Set<(limit: number) => void>();

  constructor(private readonly options: LicenseOptions) {
    this.publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  }

  get softwareId(): string {
    return this.options.softwareId;
  }

  /** Reads DATA/license.key; returns why it was refused (the router then runs at level 1). */
  load(): string | undefined {
    const file = join(this.options.dir, LICENSE_FILE);
    if (!existsSync(file)) return undefined;
    const result = verifyKey(readFileSync(file, 'utf8'), this.publicKey, this.softwareId);
    if (result instanceof ValueError) {
      this.setLevel(1);
      return `${file}: ${result.message}; running at level 1`;
    }
    this.setLevel(result.level);
    return undefined;
  }

  /** Verifies and installs a key; the old licence stays when the key is refused. */
  install(text: string): string | undefined {
    const result = verifyKey(text, this.publicKey, this.softwareId);
    if (result instanceof ValueError) return result.message;
    writeFileAtomic(join(this.options.dir, LICENSE_FILE), text.trim() + '\n');
    this.setLevel(result.level);
    return undefined;
  }

  readKeyFile(name: string): string | ValueError {
    const path = isAbsolute(name) ? name : join(this.options.dir, normalize(name));
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return new ValueError(`failure: cannot read ${name}`);
    }
  }

  status(): { softwareId: string; level: number; limit: number } {
    return { softwareId: this.softwareId, level: this.level, limit: tunnelLimit(this.level) };
  }

  /** The tunnel limit now; server and client tunnels count together. */
  get tunnelLimit(): number {
    return tunnelLimit(this.level);
  }

  /** Called with the new limit whenever a key is installed. */
  onChange(listener: (limit: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setLevel(level: number): void {
    if (level === this.level) return;
    this.level = level;
    for (const l of this.listeners) l(this.tunnelLimit);
  }
}
