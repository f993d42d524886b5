// What a list menu shows: its configured rows with flags and run-time columns, plus the dynamic
// rows the runtime reports, numbered in print order. Items typed by the user (0, 1,2, a name,
// `[ find name=x ]`, *7) resolve against this listing.
import type { ConfigModel } from '../config/model.js';
import type { RuntimeState } from '../config/runtime.js';
import { propOrder, type ListMenu, type Menu, type StatusMenu } from '../config/schema.js';
import type { PropType, Value } from '../config/types.js';
import type { Regex, StepMeter } from './regex/index.js';

export interface Flag {
  readonly letter: string;
  readonly label: string;
}

export type RowRef = { readonly kind: 'config'; readonly id: number } | { readonly kind: 'dynamic'; readonly key: string };

export interface RowView {
  readonly ref: RowRef;
  readonly flags: string;
  /** Property and column values as printed (not quoted). */
  readonly values: Readonly<Record<string, string>>;
  /** Keys whose values print in quotes. */
  readonly quoted: ReadonlySet<string>;
  /** Print order of keys present in values. */
  readonly keys: readonly string[];
  /** Printed as `;;; text` above the row rather than as a property. */
  readonly comment?: string;
}

export function legend(menu: ListMenu | StatusMenu, model: ConfigModel): Flag[] {
  if (menu.kind === 'status') return [...(menu.flags ?? [])];
  const flags: Flag[] = [];
  for (const spec of Object.values(menu.props)) if (spec.flag) flags.push(spec.flag);
  flags.push(...(menu.runtimeFlags ?? []));
  if (menu.builtin && menu.builtin.length > 0) flags.push({ letter: '*', label: 'default' });
  void model;
  return flags;
}

export function formatValue(type: PropType<Value>, v: Value): string {
  return (type as PropType<Value>).format(v as never);
}

/**
 * showSensitive: whether the user may see sensitive values (the `sensitive` policy). only: just
 * the configured row of that id (a script's `get $i` in a loop over thousands of rows).
 */
export function listRows(menu: ListMenu, model: ConfigModel, runtime: RuntimeState, showSensitive = false, only?: number): RowView[] {
  const order = propOrder(menu);
  const stored = only === undefined ? model.rows(menu.path) : [model.row(menu.path, only)].filter((r) => r !== undefined);
  const configured: RowView[] = stored.map((row) => {
    const shown = model.shownValues(menu.path, row.values);
    const values: Record<string, string> = {};
    const quoted = new Set<string>();
    const keys: string[] = [];
    let flags = '';
    for (const [key, spec] of Object.entries(menu.props)) {
      if (spec.flag && row.values[key] === true) flags += spec.flag.letter;
    }
    for (const key of order) {
      const spec = menu.props[key]!;
      const v = shown[key];
      if (spec.flag || spec.secret || (spec.sensitive && !showSensitive) || v === undefined) continue;
      values[key] = formatValue(spec.type, v);
      if (key === 'comment') continue;
      if (spec.type.quoted) quoted.add(key);
      keys.push(key);
    }
    const status = menu.runtime?.status?.(row, runtime);
    if (status?.running) flags += 'R';
    flags += menu.runtime?.flags?.(row, runtime) ?? '';
    if (model.isBuiltin(menu.path, row)) flags += '*';
    for (const [key, text] of Object.entries(status?.values ?? {})) {
      if (key in values) continue;
      values[key] = text;
      if (menu.columns?.[key]?.quoted) quoted.add(key);
      if (menu.print.style === 'table') keys.push(key);
    }
    const comment = values.comment || undefined;
    return { ref: { kind: 'config', id: row.id }, flags: orderFlags(flags, menu, model), values, quoted, keys, comment };
  });
  const dynamic: RowView[] = (only === undefined ? menu.runtime?.dynamic?.(runtime, model.rows(menu.path)) ?? [] : [])
    .map((d) => {
      const quoted = new Set<string>();
      for (const key of Object.keys(d.values)) {
        if (menu.props[key]?.type.quoted || menu.columns?.[key]?.quoted) quoted.add(key);
      }
      return {
        ref: { kind: 'dynamic', key: d.key },
        flags: orderFlags('D' + (d.running ? 'R' : '') + (d.flags ?? ''), menu, model),
        values: d.values,
        quoted,
        keys: Object.keys(d.values),
      };
    });
  return menu.runtime?.dynamicFirst ? [...dynamic, ...configured] : [...configured, ...dynamic];
}

function orderFlags(flags: string, menu: ListMenu, model: ConfigModel): string {
  return legend(menu, model)
    .map((f) => f.letter)
    .filter((l) => flags.includes(l))
    .join('');
}

/** A condition of `print where` / `find where`: name=x, mtu!=1460, name~"^pptp", disabled, !running. */
export interface Condition {
  readonly key: string;
  readonly op: '=' | '!=' | '~' | 'flag' | '!flag';
  readonly value: string;
  /** For `~`: the pattern, compiled once for all rows. */
  readonly regex?: Regex;
  /** The flag letter the key names in this menu's legend (`active` -> A on /ip route). */
  readonly letter?: string;
}

const FLAG_WORDS: Record<string, string> = { disabled: 'X', dynamic: 'D', running: 'R', default: '*' };

/** What `where` may name in a menu: its properties and columns, its flags by label, its yes/no properties. */
export interface WhereWords {
  readonly keys: ReadonlySet<string>;
  readonly flags: ReadonlyMap<string, string>;
  readonly yesNo: ReadonlySet<string>;
}

export function whereWords(menu: Menu, model: ConfigModel): WhereWords {
  const props = menu.kind === 'status' ? {} : menu.props;
  const columns = menu.kind === 'settings' ? {} : (menu.columns ?? {});
  const labels = menu.kind === 'settings' ? [] : legend(menu, model);
  // A dynamic row may be listed in a menu without a D in its legend; `dynamic` is always a flag.
  const flags = new Map<string, string>([['dynamic', 'D'], ...labels.map((f) => [f.label, f.letter] as const)]);
  const yesNo = new Set(Object.entries(props).filter(([, p]) => !p.flag && p.type.choices.join() === 'yes,no').map(([k]) => k));
  return { keys: new Set([...Object.keys(props), ...Object.keys(columns)]), flags, yesNo };
}

/** Whether the row meets every condition; meter is charged a step per condition and the regex work. */
export function matches(row: RowView, conds: readonly Condition[], meter?: StepMeter): boolean {
  return conds.every((c) => {
    meter?.spend(1);
    const letter = c.letter ?? FLAG_WORDS[c.key];
    if (c.op === 'flag' || c.op === '!flag') {
      const has = row.flags.includes(letter ?? '?');
      return c.op === 'flag' ? has : !has;
    }
    const actual = letter !== undefined && !(c.key in row.values)
      ? row.flags.includes(letter) ? 'yes' : 'no'
      : row.values[c.key] ?? '';
    if (c.op === '=') return actual === c.value;
    if (c.op === '!=') return actual !== c.value;
    // A `~` condition without a compiled pattern matches nothing rather than guess.
    return c.regex?.test(actual, meter) ?? false;
  });
}

