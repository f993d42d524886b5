// The configuration: rows of every list menu and values of every settings menu, validated
// against the schema on every change. Typed reads (list(pptpClient), settings(pptpServerSettings))
// and change events are what the router reconciles from; the console edits through add/set/remove.
// A change that fails validation returns the one-line error and leaves everything as it was.
import { isIP } from 'node:net';
import { menus as allMenus } from './menus/index.js';
import {
  allocateInterfaceId, findInterface, formatId, INTERFACE_MENUS, interfaceIdsUnique, interfaceRefKeys, migrate,
  referenceByName, referenceFor, storedRefValid,
} from './interface-refs.js';
import type { EthernetPort } from './runtime.js';
import {
  propOrder, type ListMenu, type Menu, type RowOf, type SettingsMenu, type SettingsOf, type StoredRow,
} from './schema.js';
import { ValueError, type Value } from './types.js';

export interface ConfigData {
  /** 2: interface properties hold ids (`*3`); 1 (read only): they held names. */
  readonly format: 2;
  readonly lists: Readonly<Record<string, { readonly nextId: number; readonly rows: readonly StoredRow[] }>>;
  /** Settings menus hold only what was set; defaults fill the rest when read. */
  readonly settings: Readonly<Record<string, Readonly<Record<string, Value>>>>;
}

export type ChangeEvent =
  | { readonly op: 'add' | 'set' | 'remove'; readonly path: string; readonly id: number }
  | { readonly op: 'settings'; readonly path: string }
  | { readonly op: 'reset' };

export type RawValues = Readonly<Record<string, string>>;

interface ListState {
  nextId: number;
  rows: StoredRow[];
}

export interface ModelOptions {
  /** Defaults that differ from the schema's (routerd --identity). */
  readonly settingsDefaults?: Readonly<Record<string, Readonly<Record<string, Value>>>>;
  readonly menus?: readonly Menu[];
}

export class ConfigModel {
  readonly menus: readonly Menu[];
  private lists = new Map<string, ListState>();
  private values = new Map<string, Record<string, Value>>();
  private readonly listeners = new Set<(e: ChangeEvent) => void>();
  /** Set by fromData when stored values were converted (plain-text passwords hashed): save it. */
  migrated = false;
  /** What loading an older configuration changed that a person should hear about. */
  private notes: string[] = [];

  constructor(private readonly options: ModelOptions = {}) {
    this.menus = options.menus ?? allMenus;
    this.wipe();
  }

  /** Rebuilds a model from stored data; a ValueError names what is wrong with it. */
  static fromData(data: unknown, options: ModelOptions = {}): ConfigModel | ValueError {
    const model = new ConfigModel(options);
    const problem = model.loadData(data);
    return problem ?? model;
  }

  /** Lines about references a migrated configuration could not resolve (shown once at start). */
  get migrationNotes(): readonly string[] {
    return this.notes;
  }

  menu(path: string): Menu | undefined {
    return this.menus.find((m) => m.path === path);
  }

  onChange(listener: (e: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ChangeEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ---- reads ------------------------------------------------------------------------------

  rows(path: string): readonly StoredRow[] {
    return this.lists.get(path)?.rows ?? [];
  }

  row(path: string, id: number): StoredRow | undefined {
    return this.rows(path).find((r) => r.id === id);
  }

  /** Typed rows of a list menu: model.list(pptpClient)[0]['connect-to']. */
  list<M extends ListMenu>(menu: M): RowOf<M>[] {
    return this.rows(menu.path).map((r) => ({ ...r.values, id: r.id }) as unknown as RowOf<M>);
  }

  /** The interface row a stored reference (`*3`) points to, with its menu; undefined if none. */
  interfaceById(ref: string): { readonly path: string; readonly row: StoredRow } | undefined {
    return findInterface(this.lists, ref);
  }

  /** The reference (`*3`) of the interface row now called name, if one is. */
  interfaceRefByName(name: string): string | undefined {
    return referenceByName(this.lists, name);
  }

  /** Current names of every interface, for completion. */
  interfaceNames(): string[] {
    return INTERFACE_MENUS.flatMap((p) => this.rows(p).map((r) => String(r.values.name)));
  }

  /**
   * A row's values as a person reads and types them: interface references as the interface's
   * current name, or as `*N` when it names none (RouterOS prints a dangling reference so).
   */
  shownValues(path: string, values: Readonly<Record<string, Value>>): Record<string, Value> {
    const menu = this.menu(path);
    const out: Record<string, Value> = { ...values };
    if (!menu || menu.kind !== 'list') return out;
    for (const key of interfaceRefKeys(menu)) {
      const v = out[key];
      const target = typeof v === 'string' ? this.interfaceById(v) : undefined;
      if (target) out[key] = String(target.row.values.name);
    }
    return out;
  }

  settingsValues(path: string): Record<string, Value> {
    const menu = this.menu(path);
    if (!menu || menu.kind !== 'settings') return {};
    const out: Record<string, Value> = {};
    for (const [key, spec] of Object.entries(menu.props)) {
      out[key] = this.settingsDefault(path, key) ?? (spec.default as Value);
    }
    return { ...out, ...(this.values.get(path) ?? {}) };
  }

  settingsDefault(path: string, key: string): Value | undefined {
    return this.options.settingsDefaults?.[path]?.[key] ?? (this.menu(path)?.kind === 'settings'
      ? ((this.menu(path) as SettingsMenu).props[key]?.default as Value | undefined)
      : undefined);
  }

  /** Typed settings: model.settings(pptpServerSettings).enabled. */
  settings<M extends SettingsMenu>(menu: M): SettingsOf<M> {
    return this.settingsValues(menu.path) as SettingsOf<M>;
  }

  isBuiltin(path: string, row: StoredRow): boolean {
    const menu = this.menu(path);
    return menu?.kind === 'list' && !!menu.builtin?.some((b) => b.name === row.values.name);
  }

  // ---- changes ----------------------------------------------------------------------------

  add(path: string, raw: RawValues): number | ValueError {
    const menu = this.listMenu(path);
    if (menu instanceof ValueError) return menu;
    if (menu.hardwareKey) return new ValueError(`failure: ${path} entries come from the hardware; use set`);
    if (menu.fixedRows) return new ValueError(`failure: ${path} has a fixed set of entries; use set`);
    const values: Record<string, Value> = {};
    for (const [key, spec] of Object.entries(menu.props)) if (spec.default !== undefined) values[key] = spec.default;
    const err = this.applyRaw(menu, values, raw, undefined);
    if (err) return err;
    for (const [key, spec] of Object.entries(menu.props)) {
      if (values[key] === undefined && !spec.readOnly) return new ValueError(`failure: ${key} must be set`);
    }
    if (menu.defaultName && values.name === '') values.name = this.generateName(menu);
    const clash = this.checkRow(menu, values, undefined);
    if (clash) return clash;
    const state = this.lists.get(path)!;
    const id = this.allocateId(path);
    state.rows.push({ id, values });
    this.emit({ op: 'add', path, id });
    return id;
  }

  set(path: string, id: number | undefined, raw: RawValues): ValueError | undefined {
    const menu = this.menu(path);
    if (!menu) return new ValueError('no such menu');
    if (menu.kind === 'status') return new ValueError(`failure: ${path} is read-only`);
    if (menu.kind === 'settings') {
      const current = this.settingsValues(path);
      const err = this.applyRaw(menu, current, raw, undefined);
      if (err) return err;
      const refErr = this.checkRefs(menu, current);
      if (refErr) return refErr;
      const stored = { ...(this.values.get(path) ?? {}) };
      for (const key of Object.keys(raw)) stored[key] = current[key]!;
      this.values.set(path, stored);
      this.emit({ op: 'settings', path });
      return undefined;
    }
    const state = this.lists.get(path)!;
    const index = state.rows.findIndex((r) => r.id === id);
    if (index < 0) return new ValueError('no such item');
    const old = state.rows[index]!;
    if (menu.fixedBuiltin && this.isBuiltin(path, old)) return new ValueError('failure: default entry cannot be changed');
    const values = { ...old.values };
    const err = this.applyRaw(menu, values, raw, old);
    if (err) return err;
    const clash = this.checkRow(menu, values, old.id, old);
    if (clash) return clash;
    state.rows[index] = { id: old.id, values };
    if (old.values.name !== values.name && typeof old.values.name === 'string') {
      this.renameRefs(path, old.values.name, String(values.name));
    }
    this.emit({ op: 'set', path, id: old.id });
    return undefined;
  }

  /** set on several rows, all or nothing (`set 0,1 disabled=yes`). */
  setMany(path: string, ids: readonly number[], raw: RawValues): ValueError | undefined {
    // Rows are replaced, never mutated, so copying the row arrays is enough to roll back.
    const savedLists = new Map([...this.lists].map(([p, st]) => [p, { nextId: st.nextId, rows: [...st.rows] }]));
    const savedValues = new Map([...this.values].map(([p, v]) => [p, { ...v }]));
    const listeners = [...this.listeners];
    this.listeners.clear();
    let failure: ValueError | undefined;
    try {
      for (const id of ids) {
        failure = this.set(path, id, raw);
        if (failure) break;
      }
    } finally {
      for (const l of listeners) this.listeners.add(l);
    }
    if (failure) {
      this.lists = savedLists;
      this.values = savedValues;
      return failure;
    }
    for (const id of ids) this.emit({ op: 'set', path, id });
    return undefined;
  }

  remove(path: string, ids: readonly number[]): ValueError | undefined {
    const menu = this.listMenu(path);
    if (menu instanceof ValueError) return menu;
    const state = this.lists.get(path)!;
    const byId = new Map(state.rows.map((r) => [r.id, r]));
    const rows = ids.map((id) => byId.get(id));
    if (rows.some((r) => r === undefined)) return new ValueError('no such item');
    for (const row of rows as StoredRow[]) {
      if (menu.hardwareKey) return new ValueError(`failure: ${path} entries come from the hardware`);
      if (menu.fixedRows) return new ValueError(`failure: ${path} has a fixed set of entries`);
      if (this.isBuiltin(path, row)) return new ValueError('failure: default entry cannot be removed');
      const user = this.referrer(path, row) ?? this.interfaceReferrer(path, row);
      if (user) return new ValueError(`failure: ${String(row.values.name)} is used by ${user}`);
    }
    const gone = new Set(ids);
    state.rows = state.rows.filter((r) => !gone.has(r.id));
    for (const id of ids) this.emit({ op: 'remove', path, id });
    return undefined;
  }

  /** Back to the factory configuration (hardware rows keep their identity, lose settings). */
  reset(): void {
    this.wipe();
    this.emit({ op: 'reset' });
  }

  /** Makes sure every Ethernet port has a row; new ports get their default name. */
  syncHardware(ports: readonly EthernetPort[]): void {
    const menu = this.portsMenu();
    if (!menu) return;
    const state = this.lists.get(menu.path)!;
    for (const port of ports) {
      const existing = state.rows.findIndex((r) => r.values['default-name'] === port.defaultName);
      if (existing >= 0) {
        const row = state.rows[existing]!;
        if (row.values['mac-address'] !== port.mac) {
          state.rows[existing] = { id: row.id, values: { ...row.values, 'mac-address': port.mac } };
        }
        continue;
      }
      const values: Record<string, Value> = {};
      for (const [key, spec] of Object.entries(menu.props)) if (spec.default !== undefined) values[key] = spec.default;
      values.name = port.defaultName;
      values['default-name'] = port.defaultName;
      values['mac-address'] = port.mac;
      if (port.mtu !== undefined && port.mtu >= 68 && port.mtu <= 9000) values.mtu = port.mtu;
      const id = this.allocateId(menu.path);
      state.rows.push({ id, values });
      this.emit({ op: 'add', path: menu.path, id });
    }
  }

  snapshot(): ConfigData {
    const lists: Record<string, { nextId: number; rows: StoredRow[] }> = {};
    for (const [path, s] of this.lists) lists[path] = { nextId: s.nextId, rows: s.rows.map((r) => ({ ...r })) };
    const settings: Record<string, Record<string, Value>> = {};
    for (const [path, v] of this.values) settings[path] = { ...v };
    return { format: 2, lists, settings };
  }

  // ---- internals --------------------------------------------------------------------------

  private wipe(): void {
    const ports = this.portsMenu();
    const oldEthernet = (ports ? this.lists.get(ports.path)?.rows : undefined) ?? [];
    this.lists = new Map();
    this.values = new Map();
    for (const menu of this.menus) {
      if (menu.kind !== 'list') continue;
      const state: ListState = { nextId: 1, rows: [] };
      for (const b of menu.builtin ?? []) {
        const values: Record<string, Value> = {};
        for (const [key, spec] of Object.entries(menu.props)) if (spec.default !== undefined) values[key] = spec.default;
        state.rows.push({ id: state.nextId++, values: { ...values, ...b } });
      }
      this.lists.set(menu.path, state);
    }
    // Ports stay; their settings go back to defaults.
    this.syncHardware(
      oldEthernet.map((r) => ({
        defaultName: String(r.values['default-name']),
        mac: String(r.values['mac-address']),
        running: false,
      })),
    );
  }

  /** The menu whose rows are the hardware's Ethernet ports (ListMenu.hardwareKey). */
  private portsMenu(): ListMenu | undefined {
    return this.menus.find((m): m is ListMenu => m.kind === 'list' && m.hardwareKey !== undefined);
  }

  private allocateId(path: string): number {
    if (INTERFACE_MENUS.includes(path)) return allocateInterfaceId(this.lists);
    return this.lists.get(path)!.nextId++;
  }

  private listMenu(path: string): ListMenu | ValueError {
    const menu = this.menu(path);
    if (!menu) return new ValueError('no such menu');
    if (menu.kind !== 'list') return new ValueError(`failure: ${path} has no items to add or remove`);
    return menu;
  }

  private applyRaw(
    menu: ListMenu | SettingsMenu,
    values: Record<string, Value>,
    raw: RawValues,
    old: StoredRow | undefined,
  ): ValueError | undefined {
    for (const [key, text] of Object.entries(raw)) {
      const spec = menu.props[key];
      if (!spec) return new ValueError(`expected end of command (unknown parameter ${key})`);
      if (spec.readOnly) return new ValueError(`failure: ${key} is read-only`);
      if (old && this.isBuiltin(menu.path, old) && key === 'name') {
        return new ValueError('failure: default entry cannot be renamed');
      }
      const v = spec.type.parse(text, key);
      if (v instanceof ValueError) return v;
      // An interface property that may be left empty (a firewall rule's in-interface) stores ''.
      if (spec.interfaceRef && v === '' && spec.default === '') {
        values[key] = '';
        continue;
      }
      const address = spec.interfaceRef === 'interface-or-address' && typeof v === 'string' && isIP(v) === 4;
      if (spec.interfaceRef && !address) {
        const ref = referenceFor(this.lists, String(v));
        if (ref === undefined || (spec.interfaceOf !== undefined && this.interfaceById(ref)?.path !== spec.interfaceOf)) {
          return new ValueError(`input does not match any value of ${key}`);
        }
        values[key] = ref;
        continue;
      }
      values[key] = v;
    }
    return undefined;
  }

  /** old: the row before a set; its name, if kept, is already known to be unique. */
  private checkRow(menu: ListMenu, values: Record<string, Value>, selfId: number | undefined, old?: StoredRow): ValueError | undefined {
    // Checked only when the name changes: `set [find] comment=x` over thousands of rows would
    // otherwise compare every row with every other.
    if (typeof values.name === 'string' && 'name' in menu.props && values.name !== old?.values.name) {
      const group = INTERFACE_MENUS.includes(menu.path) ? INTERFACE_MENUS : [menu.path];
      for (const path of group) {
        for (const r of this.rows(path)) {
          if (r.values.name === values.name && !(path === menu.path && r.id === selfId)) {
            return new ValueError(`failure: entry with name ${values.name} already exists`);
          }
        }
      }
    }
    const refErr = this.checkRefs(menu, values);
    if (refErr) return refErr;
    const problem = menu.validate?.(values);
    return problem === undefined ? undefined : new ValueError(problem);
  }

  private checkRefs(menu: ListMenu | SettingsMenu, values: Record<string, Value>): ValueError | undefined {
    for (const [key, spec] of Object.entries(menu.props)) {
      const v = values[key];
      if (!spec.ref || typeof v !== 'string' || v === '' || isIP(v) || spec.refAlso?.includes(v)) continue;
      if (!this.rows(spec.ref).some((r) => r.values.name === v)) {
        return new ValueError(`input does not match any value of ${key}`);
      }
    }
    return undefined;
  }

  private referrer(path: string, row: StoredRow): string | undefined {
    for (const m of this.menus) {
      if (m.kind === 'list') {
        for (const [key, spec] of Object.entries(m.props)) {
          if (spec.ref === path && this.rows(m.path).some((r) => r.values[key] === row.values.name)) return m.path;
        }
      } else if (m.kind === 'settings') {
        const v = this.settingsValues(m.path);
        for (const [key, spec] of Object.entries(m.props)) if (spec.ref === path && v[key] === row.values.name) return m.path;
      }
    }
    return undefined;
  }

  /**
   * The menu of an item that refers to this interface. Removing it is refused (RouterOS would
   * keep the item with a dangling `*N`; refusing leaves nothing silently inactive).
   */
  private interfaceReferrer(path: string, row: StoredRow): string | undefined {
    if (!INTERFACE_MENUS.includes(path)) return undefined;
    const ref = formatId(row.id);
    for (const m of this.menus) {
      if (m.kind !== 'list') continue;
      const keys = interfaceRefKeys(m);
      if (this.rows(m.path).some((r) => keys.some((k) => r.values[k] === ref))) return m.path;
    }
    return undefined;
  }

  private renameRefs(path: string, from: string, to: string): void {
    for (const m of this.menus) {
      if (m.kind === 'list') {
        const state = this.lists.get(m.path)!;
        for (const [key, spec] of Object.entries(m.props)) {
          if (spec.ref !== path) continue;
          state.rows = state.rows.map((r) => (r.values[key] === from ? { id: r.id, values: { ...r.values, [key]: to } } : r));
        }
      } else if (m.kind === 'settings') {
        const stored = this.values.get(m.path);
        for (const [key, spec] of Object.entries(m.props)) {
          if (spec.ref === path && this.settingsValues(m.path)[key] === from) this.values.set(m.path, { ...stored, [key]: to });
        }
      }
    }
  }

  private generateName(menu: ListMenu): string {
    const taken = new Set(INTERFACE_MENUS.flatMap((p) => this.rows(p).map((r) => r.values.name)));
    for (const r of this.rows(menu.path)) taken.add(r.values.name);
    let n = 1;
    while (taken.has(`${menu.defaultName}${n}`)) n++;
    return `${menu.defaultName}${n}`;
  }

  private loadData(data: unknown): ValueError | undefined {
    const bad = (why: string) => new ValueError(`configuration is damaged: ${why}`);
    if (typeof data !== 'object' || data === null) return bad('not an object');
    const d = data as Partial<ConfigData>;
    const format = (d as { format?: unknown }).format;
    if ((format !== 1 && format !== 2) || typeof d.lists !== 'object' || typeof d.settings !== 'object' || !d.lists || !d.settings) {
      return bad('unknown format');
    }
    for (const [path, state] of Object.entries(d.lists)) {
      const menu = this.menu(path);
      if (!menu || menu.kind !== 'list') return bad(`unknown menu ${path}`);
      if (!state || !Array.isArray(state.rows) || !Number.isInteger(state.nextId)) return bad(`${path} rows`);
      const rows: StoredRow[] = [];
      for (const row of state.rows) {
        if (!row || !Number.isInteger(row.id) || row.id >= state.nextId || typeof row.values !== 'object') {
          return bad(`${path} row`);
        }
        const values: Record<string, Value> = {};
        for (const [key, spec] of Object.entries(menu.props)) {
          let v = (row.values as Record<string, unknown>)[key];
          if (v === undefined && spec.readOnly) continue;
          // A property added in a later release is absent from older files: it takes its default,
          // checked like a stored value (a placeholder default such as a builtin row's port 0 is not one).
          if (v === undefined && spec.default !== undefined) {
            v = spec.default;
            this.migrated = true;
          }
          let kept: Value;
          if (spec.type.fromStored) {
            const checked = spec.type.fromStored(v, key);
            if (checked instanceof ValueError) return bad(`${path} ${key}`);
            if (checked !== v) this.migrated = true;
            kept = checked;
          } else {
            if (!sameAfterReparse(spec.type, v, key)) return bad(`${path} ${key}`);
            kept = v as Value;
          }
          const emptyAllowed = kept === '' && spec.default === '';
          if (spec.interfaceRef && format === 2 && !emptyAllowed && !storedRefValid(kept, spec.interfaceRef === 'interface-or-address')) {
            return bad(`${path} ${key}`);
          }
          values[key] = kept;
        }
        rows.push({ id: row.id, values });
      }
      this.lists.set(path, { nextId: state.nextId, rows });
    }
    if (format === 1) this.notes = migrate(this.lists, this.menus);
    else if (!interfaceIdsUnique(this.lists)) return bad('two interfaces share an id');
    for (const [path, stored] of Object.entries(d.settings)) {
      const menu = this.menu(path);
      if (!menu || menu.kind !== 'settings' || typeof stored !== 'object' || !stored) return bad(`settings ${path}`);
      for (const [key, v] of Object.entries(stored)) {
        const spec = menu.props[key];
        if (!spec) return bad(`${path} ${key}`);
        const ok = spec.type.fromStored ? !(spec.type.fromStored(v, key) instanceof ValueError) : sameAfterReparse(spec.type, v, key);
        if (!ok) return bad(`${path} ${key}`);
      }
      this.values.set(path, { ...stored });
    }
    return undefined;
  }
}

function sameAfterReparse(type: { parse(raw: string, p: string): unknown; format(v: never): string }, v: unknown, key: string): boolean {
  if (v === undefined || v === null) return false;
  try {
    const again = type.parse(type.format(v as never), key);
    return !(again instanceof ValueError) && JSON.stringify(again) === JSON.stringify(v);
  } catch {
    return false;
  }
}

/** Every property name of a menu in print order (for the CLI). */
export function menuPropOrder(menu: ListMenu | SettingsMenu): string[] {
  return propOrder(menu);
}
