// `export`: a script that recreates the configuration when pasted into a console of a router
// with the factory configuration. Generated from the schema: for every list menu an `add` per
// row with the values that differ from the defaults, `set [ find ... ]` for rows the factory or
// the hardware provides, and `set` for settings menus that were changed.
import type { ConfigModel } from '../config/model.js';
import { propOrder, type ListMenu, type Menu, type SettingsMenu, type StoredRow } from '../config/schema.js';
import type { Value } from '../config/types.js';
import { quote } from './tokens.js';

function word(menu: ListMenu | SettingsMenu, key: string, v: Value): string {
  const spec = menu.props[key]!;
  return `${key}=${quote(spec.type.format(v as never))}`;
}

function same(a: Value | undefined, b: Value | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface ExportOptions {
  /** Include sensitive values (RouterOS v7 `export show-sensitive`); secret ones never are. */
  readonly showSensitive: boolean;
}

function exportList(menu: ListMenu, model: ConfigModel, options: ExportOptions): string[] {
  const lines: string[] = [];
  for (const row of model.rows(menu.path)) lines.push(...exportRow(menu, model, row, options));
  return lines;
}

function exportRow(menu: ListMenu, model: ConfigModel, row: StoredRow, options: ExportOptions): string[] {
  const builtin = menu.builtin?.find((b) => b.name === row.values.name);
  const baseline: Record<string, Value | undefined> = {};
  for (const [key, spec] of Object.entries(menu.props)) baseline[key] = spec.default;
  if (builtin) Object.assign(baseline, builtin);
  if (menu.hardwareKey) baseline.name = row.values[menu.hardwareKey];
  const words: string[] = [];
  // Interface references as names: the pasted script resolves them against its own ids.
  const shown = model.shownValues(menu.path, row.values);
  for (const key of propOrder(menu)) {
    const spec = menu.props[key]!;
    const v = shown[key];
    if (v === undefined || spec.readOnly || spec.noExport || spec.secret) continue;
    if (spec.sensitive && !options.showSensitive) continue;
    // New rows always carry their name, so a pasted export gives the same names back.
    const always = key === 'name' && !builtin && !menu.hardwareKey;
    if (always || !same(v, baseline[key])) words.push(word(menu, key, v));
  }
  if (builtin || menu.hardwareKey) {
    if (words.length === 0) return [];
    const key = menu.hardwareKey ?? 'name';
    return [`set [ find ${key}=${quote(String(row.values[key]))} ] ${words.join(' ')}`];
  }
  return [`add ${words.join(' ')}`];
}

function exportSettings(menu: SettingsMenu, model: ConfigModel): string[] {
  const current = model.settingsValues(menu.path);
  const words = propOrder(menu)
    .filter((key) => !same(current[key], model.settingsDefault(menu.path, key)))
    .map((key) => word(menu, key, current[key]!));
  return words.length ? [`set ${words.join(' ')}`] : [];
}

/** The export of every menu under `under` ('' for all), with RouterOS's header comment. */
export function exportScript(
  model: ConfigModel,
  under: string,
  header: readonly string[],
  options: ExportOptions = { showSensitive: false },
): string[] {
  const lines = header.map((h) => `# ${h}`);
  for (const menu of model.menus as readonly Menu[]) {
    if (under !== '' && menu.path !== under && !menu.path.startsWith(under + ' ')) continue;
    const body =
      menu.kind === 'list' ? exportList(menu, model, options) : menu.kind === 'settings' ? exportSettings(menu, model) : [];
    if (body.length) lines.push(menu.path, ...body);
  }
  return lines;
}
