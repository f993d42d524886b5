// The options of `print` (RouterOS: detail, terse, brief, count-only, as-value, from=,
// without-paging, interval=, file=), read before `where`. Anything else is an error: an option silently ignored
// would print something other than what the admin asked for.
import type { Token } from './tokens.js';

export interface PrintOptions {
  readonly detail: boolean;
  readonly terse: boolean;
  readonly brief: boolean;
  readonly countOnly: boolean;
  readonly asValue: boolean;
  readonly stats: boolean;
  /** Items given with from= (numbers, names, *ids), as words for the item resolver. */
  readonly from?: readonly Token[];
  /** interval=: print again every so many milliseconds until a key stops it. */
  readonly intervalMs?: number;
  /** file=: the print goes to this file (NAME.txt in the data directory), not the console. */
  readonly file?: string;
  /** What follows `where`. */
  readonly where: readonly Token[];
}

const WORDS = ['detail', 'terse', 'brief', 'count-only', 'as-value', 'without-paging'] as const;
/** RouterOS options this router does not implement: named in the refusal, not ignored. */
const NOT_HERE = ['follow', 'follow-only', 'append'];

export function parsePrintOptions(rest: readonly Token[], opts: { stats: boolean }): PrintOptions | string {
  const whereAt = rest.findIndex((t) => t.text === 'where' && t.key === undefined && !t.quoted);
  const head = whereAt >= 0 ? rest.slice(0, whereAt) : rest;
  const seen = new Set<string>();
  let from: Token[] | undefined;
  let intervalMs: number | undefined;
  let file: string | undefined;
  for (const t of head) {
    if (t.key === 'from') {
      from = t.text.split(',').filter((p) => p !== '').map((text) => ({ ...t, key: undefined, text }));
      if (from.length === 0) return 'failure: from needs at least one item';
      continue;
    }
    if (t.key === 'interval') {
      const ms = parseInterval(t.text);
      if (typeof ms === 'string') return ms;
      intervalMs = ms;
      continue;
    }
    if (t.key === 'file') {
      if (t.text === '') return 'failure: file needs a name';
      file = t.text;
      continue;
    }
    const word = t.key ?? t.text;
    if (NOT_HERE.includes(word) || NOT_HERE.includes(word.replace(/=.*/, ''))) return `failure: print ${word} is not supported by this router`;
    const known = t.key === undefined && !t.quoted && ((WORDS as readonly string[]).includes(word) || (opts.stats && word === 'stats'));
    if (!known) return `expected end of command (line 1 column ${t.start + 1})`;
    seen.add(word);
  }
  const layouts = ['detail', 'terse', 'brief', 'count-only', 'as-value'].filter((w) => seen.has(w));
  if (layouts.length > 1) return `failure: ${layouts.join(' and ')} cannot be combined`;
  if (file !== undefined && intervalMs !== undefined) return 'failure: file and interval cannot be combined';
  return {
    detail: seen.has('detail'),
    terse: seen.has('terse'),
    brief: seen.has('brief'),
    countOnly: seen.has('count-only'),
    asValue: seen.has('as-value'),
    stats: seen.has('stats'),
    from,
    intervalMs,
    file,
    where: whereAt >= 0 ? rest.slice(whereAt + 1) : [],
  };
}

/** interval=: 1, 1s, 500ms, 2m; a redraw more often than 10 a second would only load the router. */
export function parseInterval(raw: string): number | string {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw);
  if (!m) return 'invalid value for argument interval';
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return ms >= 100 && ms <= 3_600_000 ? ms : 'value of interval out of range (100ms..1h)';
}
