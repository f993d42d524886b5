// The options of `print` (RouterOS: detail, terse, brief, count-only, as-value, from=,
// without-paging), read before `where`. Anything else is an error: an option silently ignored
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
  /** What follows `where`. */
  readonly where: readonly Token[];
}

const WORDS = ['detail', 'terse', 'brief', 'count-only', 'as-value', 'without-paging'] as const;
/** RouterOS options this router does not implement: named in the refusal, not ignored. */
const NOT_HERE = ['file', 'interval', 'follow', 'follow-only', 'append'];

export function parsePrintOptions(rest: readonly Token[], opts: { stats: boolean }): PrintOptions | string {
  const whereAt = rest.findIndex((t) => t.text === 'where' && t.key === undefined && !t.quoted);
  const head = whereAt >= 0 ? rest.slice(0, whereAt) : rest;
  const seen = new Set<string>();
  let from: Token[] | undefined;
  for (const t of head) {
    if (t.key === 'from') {
      from = t.text.split(',').filter((p) => p !== '').map((text) => ({ ...t, key: undefined, text }));
      if (from.length === 0) return 'failure: from needs at least one item';
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
  return {
    detail: seen.has('detail'),
    terse: seen.has('terse'),
    brief: seen.has('brief'),
    countOnly: seen.has('count-only'),
    asValue: seen.has('as-value'),
    stats: seen.has('stats'),
    from,
    where: whereAt >= 0 ? rest.slice(whereAt + 1) : [],
  };
}
