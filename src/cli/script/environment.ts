// The rows of `/system script environment` and its remove: the globals of console scripts.
import type { RowRef, RowView } from '../listing.js';
import type { SourceRow } from '../status-sources.js';
import type { Token } from '../tokens.js';
import { toStr, type ScriptValue } from './values.js';

export function environmentRows(globals: ReadonlyMap<string, ScriptValue>): SourceRow[] {
  return [...globals].map(([name, v]) => ({ key: name, values: { name, value: toStr(v) } }));
}

/** `remove g`, `remove 0,1` (numbers of the last print), `remove [find]`: all checked first. */
export function removeGlobals(globals: Map<string, ScriptValue>, rows: readonly RowView[], numbered: readonly RowRef[] | undefined, words: readonly Token[]): string | undefined {
  if (words.length === 0) return 'failure: no item given';
  const names: string[] = [];
  for (const w of words) {
    if (w.key !== undefined) return `expected end of command (unknown parameter ${w.key})`;
    if (w.expr !== undefined) return 'failure: give names or numbers';
    for (const part of w.text.split(',').filter((p) => p !== '')) {
      const ref = /^\d+$/.test(part) ? (numbered ?? rows.map((r) => r.ref))[Number(part)] : rows.find((r) => r.values.name === part)?.ref;
      if (!ref || ref.kind !== 'dynamic' || !globals.has(ref.key)) return 'no such item';
      names.push(ref.key);
    }
  }
  for (const n of names) globals.delete(n);
  return undefined;
}
