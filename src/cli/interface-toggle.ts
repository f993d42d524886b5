// `/interface disable NAME` and `enable` in the general /interface menu, as on RouterOS: the item
// is whichever interface carries that name (an ethernet port, a pptp-client, a pptp-server
// binding) and the change is its own menu's `disabled`, so export, print and the data plane see
// one setting. Dynamic interfaces (a server tunnel with no binding) cannot be changed. Every
// item is checked before any is changed: one bad item is one line and nothing changes.
import type { ConfigModel } from '../config/model.js';
import type { RowView } from './listing.js';
import type { Token } from './tokens.js';

export function toggleInterfaces(model: ConfigModel, rows: readonly RowView[], numbered: readonly string[] | undefined, words: readonly Token[], disable: boolean): string | undefined {
  if (words.length === 0) return 'failure: no item given';
  const byPath = new Map<string, number[]>();
  for (const w of words) {
    if (w.key !== undefined) return `expected end of command (unknown parameter ${w.key})`;
    for (const part of w.text.split(',')) {
      const name = /^\d+$/.test(part) ? (numbered ?? rows.map((r) => r.values.name ?? ''))[Number(part)] : part;
      const row = rows.find((r) => r.values.name === name) ?? rows.find((r) => /^\*[0-9a-f]+$/i.test(part) && model.interfaceById(part.toUpperCase())?.row.values.name === r.values.name);
      if (!row) return 'no such item';
      if (row.flags.includes('D')) return 'failure: can not change dynamic entry';
      const ref = model.interfaceRefByName(row.values.name ?? '');
      const target = ref === undefined ? undefined : model.interfaceById(ref);
      if (!target) return 'failure: can not change dynamic entry';
      const ids = byPath.get(target.path) ?? [];
      ids.push(target.row.id);
      byPath.set(target.path, ids);
    }
  }
  for (const [path, ids] of byPath) {
    const err = model.setMany(path, ids, { disabled: disable ? 'yes' : 'no' });
    if (err) return err.message;
  }
  return undefined;
}
