// Property types of the menu schema. Each type knows how to read what a user typed (parse),
// how RouterOS prints it (format, quoted or not) and which words complete it. A parse failure is
// the one-line message the console prints; nothing throws.
import { isIP } from 'node:net';

export type Value = string | number | boolean | readonly string[];

export class ValueError {
  constructor(readonly message: string) {}
}

export interface PropType<T extends Value> {
  /** What `?` shows, e.g. "yes | no", "integer: 512..65535 | disabled". */
  readonly describe: string;
  parse(raw: string, prop: string): T | ValueError;
  format(value: T): string;
  /** Printed in quotes in detail prints and exports (text values). */
  readonly quoted: boolean;
  /** Words offered by tab completion. */
  readonly choices: readonly string[];
  /**
   * Checks a value read from config.json when parse(format(v)) cannot (a one-way hash): returns
   * the value to keep, which may differ from the stored one (an old plain-text form, migrated).
   */
  fromStored?(stored: unknown, prop: string): T | ValueError;
}

const noMatch = (prop: string) => new ValueError(`input does not match any value of ${prop}`);
const invalid = (prop: string) => new ValueError(`invalid value for argument ${prop}`);

export const yesNo: PropType<boolean> = {
  describe: 'yes | no',
  parse(raw, prop) {
    if (raw === 'yes' || raw === 'true') return true;
    if (raw === 'no' || raw === 'false') return false;
    return noMatch(prop);
  },
  format: (v) => (v ? 'yes' : 'no'),
  quoted: false,
  choices: ['yes', 'no'],
};

export function integer(min: number, max: number): PropType<number> {
  return {
    describe: `integer: ${min}..${max}`,
    parse(raw, prop) {
      if (!/^-?\d+$/.test(raw)) return invalid(prop);
      const n = Number(raw);
      if (n < min || n > max) return new ValueError(`value of ${prop} out of range (${min}..${max})`);
      return n;
    },
    format: (v) => String(v),
    quoted: false,
    choices: [],
  };
}

/** An integer or the word "disabled" (mrru). Stored as the number, or 0 for disabled. */
export function integerOrDisabled(min: number, max: number): PropType<number> {
  const int = integer(min, max);
  return {
    describe: `integer: ${min}..${max} | disabled`,
    parse: (raw, prop) => (raw === 'disabled' ? 0 : int.parse(raw, prop)),
    format: (v) => (v === 0 ? 'disabled' : String(v)),
    quoted: false,
    choices: ['disabled'],
  };
}

export function oneOf<const W extends string>(words: readonly W[]): PropType<W> {
  return {
    describe: words.join(' | '),
    parse: (raw, prop) => ((words as readonly string[]).includes(raw) ? (raw as W) : noMatch(prop)),
    format: (v) => v,
    quoted: false,
    choices: words,
  };
}

/**
 * A set of words typed as a comma list in any order; stored and printed in the order given here
 * (SPEC: the client's allow prints as pap,chap,mschap1,mschap2, the server's authentication as
 * mschap2,mschap1 — each property has its own fixed order).
 */
export function setOf(words: readonly string[], opts: { atLeastOne?: boolean } = {}): PropType<readonly string[]> {
  return {
    describe: `multiple choice: ${words.join(', ')}`,
    parse(raw, prop) {
      const given = raw === '' ? [] : raw.split(',').map((w) => w.trim());
      for (const w of given) if (!words.includes(w)) return noMatch(prop);
      if (opts.atLeastOne && given.length === 0) return new ValueError(`failure: ${prop} needs at least one of ${words.join(', ')}`);
      return words.filter((w) => given.includes(w));
    },
    // An empty set saved by an earlier version still loads (and still refuses every login).
    fromStored(stored, prop) {
      if (!Array.isArray(stored) || !stored.every((w) => typeof w === 'string' && words.includes(w))) return invalid(prop);
      return words.filter((w) => stored.includes(w));
    },
    format: (v) => v.join(','),
    quoted: false,
    choices: words,
  };
}

/**
 * What no typed name or text may hold: control characters (C0, DEL, C1), the bidirectional
 * marks and overrides that make a printed name read as something it is not, U+FFFD (what
 * invalid UTF-8 decodes to) and lone surrogates.
 */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Values written by an earlier version were checked by that version's rules; a stricter rule
 * now must not make a saved configuration unloadable, so stored strings are kept as they are.
 */
function storedString(stored: unknown, prop: string): string | ValueError {
  return typeof stored === 'string' ? stored : invalid(prop);
}

/** Free text: printable, at most `max` characters. */
export function textOf(max: number, opts: { required?: boolean } = {}): PropType<string> {
  return {
    describe: opts.required ? `text (1..${max} characters)` : `text (at most ${max} characters)`,
    parse(raw, prop) {
      if (opts.required && raw === '') return new ValueError(`failure: ${prop} must not be empty`);
      if (raw.length > max) return new ValueError(`value of ${prop} is too long (at most ${max} characters)`);
      if (UNSAFE.test(raw)) return invalid(prop);
      return raw;
    },
    format: (v) => v,
    quoted: true,
    choices: [],
    fromStored: storedString,
  };
}

export const text: PropType<string> = textOf(1024);

/** A password: MS-CHAP hashes at most 256 characters of it (RFC 2759 NtPasswordHash). */
export const password: PropType<string> = textOf(256);

/** The name a PPP client logs in with: may hold a DOMAIN\\ part, so it is text, not a name. */
export const pppUser: PropType<string> = textOf(255, { required: true });

/** An object name: non-empty, printable, no quotes. */
export const name: PropType<string> = {
  describe: 'name',
  parse(raw, prop) {
    if (raw === '' || raw.length > 64 || /["\\]/.test(raw) || UNSAFE.test(raw)) return invalid(prop);
    return raw;
  },
  format: (v) => v,
  quoted: true,
  choices: [],
  fromStored: storedString,
};

/** A name or nothing (bridge= of a profile: empty means no bridge). */
export const optionalNameRef: PropType<string> = {
  describe: 'name or empty',
  parse: (raw, prop) => (raw === '' ? '' : name.parse(raw, prop)),
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** A name printed without quotes (profile=default as in the seed's prints). */
export const nameRef: PropType<string> = { ...name, quoted: false };

export const ipv4: PropType<string> = {
  describe: 'IP address',
  parse: (raw, prop) => (isIP(raw) === 4 ? raw : invalid(prop)),
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** An address or empty (unset); local-address of a secret may be blank. */
export const optionalIpv4: PropType<string> = {
  describe: 'IP address',
  parse: (raw, prop) => (raw === '' || isIP(raw) === 4 ? raw : invalid(prop)),
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** An address or an /ip pool name (remote-address=pool1). Existence of the pool is checked by ref. */
export const ipv4OrPool: PropType<string> = {
  describe: 'IP address | pool name',
  parse(raw, prop) {
    if (raw === '' || isIP(raw) === 4) return raw;
    if (/^[0-9.]+$/.test(raw)) return invalid(prop);
    return name.parse(raw, prop);
  },
  format: (v) => v,
  quoted: false,
  choices: [],
};

function parsePrefix(raw: string): { addr: string; len: number } | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d{1,2}))?$/.exec(raw);
  if (!m || isIP(m[1]!) !== 4) return undefined;
  const len = m[2] === undefined ? 32 : Number(m[2]);
  return len <= 32 ? { addr: m[1]!, len } : undefined;
}

/** Address with prefix length, host bits allowed: 10.150.2.254/24 (/ip address). */
export const ipv4Interface: PropType<string> = {
  describe: 'IP address/prefix',
  parse(raw, prop) {
    const p = parsePrefix(raw);
    return p ? `${p.addr}/${p.len}` : invalid(prop);
  },
  format: (v) => v,
  quoted: false,
  choices: [],
};

export function ipv4ToInt(addr: string): number {
  return addr.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** A network prefix: host bits are cleared as RouterOS does (10.150.1.7/24 -> 10.150.1.0/24). */
export const ipv4Prefix: PropType<string> = {
  describe: 'IP prefix',
  parse(raw, prop) {
    const p = parsePrefix(raw);
    if (!p) return invalid(prop);
    const mask = p.len === 0 ? 0 : (~0 << (32 - p.len)) >>> 0;
    return `${intToIpv4((ipv4ToInt(p.addr) & mask) >>> 0)}/${p.len}`;
  },
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** Comma list of addresses (dns-server). */
export const ipv4List: PropType<readonly string[]> = {
  describe: 'IP address list',
  parse(raw, prop) {
    const parts = raw === '' ? [] : raw.split(',');
    for (const p of parts) if (isIP(p) !== 4) return invalid(prop);
    return parts;
  },
  format: (v) => v.join(','),
  quoted: false,
  choices: [],
};

/** Pool ranges: 10.0.0.200-10.0.0.250,10.0.1.0/24 */
export const ipRanges: PropType<readonly string[]> = {
  describe: 'IP ranges (a.b.c.d-e.f.g.h or prefix), comma separated',
  parse(raw, prop) {
    const parts = raw.split(',').filter((p) => p !== '');
    if (parts.length === 0) return invalid(prop);
    for (const p of parts) {
      const range = p.split('-');
      if (range.length === 2) {
        if (isIP(range[0]!) !== 4 || isIP(range[1]!) !== 4) return invalid(prop);
        if (ipv4ToInt(range[0]!) > ipv4ToInt(range[1]!)) return invalid(prop);
      } else if (!parsePrefix(p)) return invalid(prop);
    }
    return parts;
  },
  format: (v) => v.join(','),
  quoted: false,
  choices: [],
};

/** Time in seconds; accepts 30, 30s, 1m30s, 1h, 2d. Printed RouterOS style (6h44m9s). */
export function duration(maxSeconds: number): PropType<number> {
  return {
    describe: 'time',
    parse(raw, prop) {
      const s = parseDuration(raw);
      if (s === undefined) return invalid(prop);
      if (s > maxSeconds) return new ValueError(`value of ${prop} out of range (0..${maxSeconds})`);
      return s;
    },
    format: (v) => String(v),
    quoted: false,
    choices: [],
  };
}

/**
 * A time that may be unset (RouterOS session-timeout): "" or a time, kept as text in RouterOS
 * form ("3600" is stored and printed as 1h), so a configuration saved before the property was
 * checked still loads.
 */
export function optionalDuration(maxSeconds: number): PropType<string> {
  return {
    describe: 'time (empty: none)',
    parse(raw, prop) {
      if (raw === '') return '';
      const s = parseDuration(raw);
      if (s === undefined) return invalid(prop);
      if (s > maxSeconds) return new ValueError(`value of ${prop} out of range (0..${maxSeconds})`);
      return formatDuration(s);
    },
    format: (v) => v,
    quoted: false,
    choices: [],
  };
}

export function parseDuration(raw: string): number | undefined {
  if (/^\d+$/.test(raw)) return Number(raw);
  const m = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(raw);
  if (!m || raw === '') return undefined;
  const [w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  return (((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s;
}

export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.floor(seconds));
  const w = Math.floor(s / 604800); s %= 604800;
  const d = Math.floor(s / 86400); s %= 86400;
  const h = Math.floor(s / 3600); s %= 3600;
  const m = Math.floor(s / 60); s %= 60;
  let out = '';
  if (w) out += `${w}w`;
  if (d) out += `${d}d`;
  if (h) out += `${h}h`;
  if (m) out += `${m}m`;
  if (s || out === '') out += `${s}s`;
  return out;
}

/**
 * Routes pushed while a PPP user is connected: "dst gateway distance" triples separated by
 * commas ("10.150.1.0/24 10.0.103.2 1"). Kept as the typed text, validated here.
 */
export const pppRoutes: PropType<string> = {
  describe: 'text: "dst-address [gateway] [distance]", comma separated',
  parse(raw, prop) {
    if (raw.trim() === '') return '';
    const routes = raw.split(',').map((r) => r.trim().split(/\s+/));
    for (const r of routes) {
      if (r.length > 3 || !parsePrefix(r[0]!)) return invalid(prop);
      if (r[1] !== undefined && isIP(r[1]) !== 4) return invalid(prop);
      if (r[2] !== undefined && !/^\d{1,3}$/.test(r[2])) return invalid(prop);
    }
    return routes.map((r) => r.join(' ')).join(',');
  },
  format: (v) => v,
  quoted: true,
  choices: [],
};

export const macAddress: PropType<string> = {
  describe: 'MAC address',
  parse: (raw, prop) =>
    /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(raw) ? raw.toUpperCase() : invalid(prop),
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** A MAC address or nothing (a bridge's admin-mac). */
export const optionalMacAddress: PropType<string> = {
  describe: 'MAC address or empty',
  parse: (raw, prop) => (raw === '' ? '' : macAddress.parse(raw, prop)),
  format: (v) => v,
  quoted: false,
  choices: [],
};
