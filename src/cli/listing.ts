// What a list menu shows: its configured rows with flags and run-time columns, plus the dynamic
// rows the runtime reports, numbered in print order. Items typed by the user (0, 1,2, a name,
// `[ find name=x ]`, *7) resolve against this listing.
import type { ConfigModel } from '../config/model.js';
import type { RuntimeState } from '../config/runtime.js';
import { propOrder, type ListMenu, type StatusMenu } from '../config/schema.js';
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

/** showSensitive: whether the user may see sensitive values (the `sensitive` policy). */
export function listRows(menu: ListMenu, model: ConfigModel, runtime: RuntimeState, showSensitive = false): RowView[] {
  const order = propOrder(menu);
  const configured: RowView[] = model.rows(menu.path).map((row) => {
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
  const taken = new Set(configured.map((r) => r.values.user).filter((u) => u !== undefined));
  const dynamic: RowView[] = (menu.runtime?.dynamic?.(runtime) ?? [])
    // A connected user with a static entry shows on that entry, not as a dynamic row.
    .filter((d) => !(d.values.user !== undefined && taken.has(d.values.user) && d.values.name === `<pptp-${d.values.user}>` && 'user' in menu.props))
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
}

const FLAG_WORDS: Record<string, string> = { disabled: 'X', dynamic: 'D', running: 'R', default: '*' };

/** Whether the row meets every condition; meter is charged a step per condition and the regex work. */
export function matches(row: RowView, conds: readonly Condition[], meter?: StepMeter): boolean {
  return conds.every((c) => {
    meter?.spend(1);
    if (c.op === 'flag' || c.op === '!flag') {
      const has = row.flags.includes(FLAG_WORDS[c.key] ?? '?');
      return c.op === 'flag' ? has : !has;
    }
    const actual = c.key in FLAG_WORDS && !(c.key in row.values)
      ? row.flags.includes(FLAG_WORDS[c.key]!) ? 'yes' : 'no'
      : row.values[c.key] ?? '';
    if (c.op === '=') return actual === c.value;
    if (c.op === '!=') return actual !== c.value;
    // A `~` condition without a compiled pattern matches nothing rather than guess.
    return c.regex?.test(actual, meter) ?? false;
  });
}

