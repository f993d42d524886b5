// Interfaces referred to by internal id, as RouterOS does: every row of an interface menu gets an
// id from one shared counter (`*1`, `*2` ... in hex, never reused while the configuration lives),
// and a property that names an interface stores that id. Renaming an interface therefore moves
// nothing, and giving a second port the old name cannot steal its addresses or routes.
// Configurations written before ids were used (format 1) stored names; migrate() converts them.
import { isIP } from 'node:net';
import { menus } from './menus/index.js';
import type { ListMenu, Menu, StoredRow } from './schema.js';
import type { Value } from './types.js';

/**
 * Menus whose rows are interfaces (ListMenu.interfaces): one id space and one name space across
 * all of them. The hardware's ports come first: on migration they keep their ids.
 */
export const INTERFACE_MENUS: readonly string[] = menus
  .filter((m): m is ListMenu => m.kind === 'list' && m.interfaces === true)
  .sort((a, b) => Number(b.hardwareKey !== undefined) - Number(a.hardwareKey !== undefined))
  .map((m) => m.path);

export interface IdList {
  nextId: number;
  rows: StoredRow[];
}

export function formatId(id: number): string {
  return `*${id.toString(16).toUpperCase()}`;
}

/** The id in a stored reference (`*1A` -> 26), or undefined for anything else. */
export function parseId(text: string): number | undefined {
  return /^\*[0-9A-F]+$/.test(text) ? parseInt(text.slice(1), 16) : undefined;
}

/** Whether a stored value of an interface property is well formed: an id, or an address where allowed. */
export function storedRefValid(v: Value, allowsAddress: boolean): boolean {
  if (typeof v !== 'string') return false;
  return parseId(v) !== undefined || (allowsAddress && isIP(v) === 4);
}

export function interfaceRefKeys(menu: ListMenu): string[] {
  return Object.entries(menu.props).filter(([, spec]) => spec.interfaceRef).map(([key]) => key);
}

function interfaceLists(lists: ReadonlyMap<string, IdList>): IdList[] {
  return INTERFACE_MENUS.map((p) => lists.get(p)).filter((s): s is IdList => s !== undefined);
}

/** The next id of the shared interface counter; every interface list moves past it. */
export function allocateInterfaceId(lists: ReadonlyMap<string, IdList>): number {
  const group = interfaceLists(lists);
  const id = Math.max(1, ...group.map((s) => s.nextId));
  for (const s of group) s.nextId = id + 1;
  return id;
}

/** Whether no two interface rows share an id (true of every configuration written with ids). */
export function interfaceIdsUnique(lists: ReadonlyMap<string, IdList>): boolean {
  const ids = interfaceLists(lists).flatMap((s) => s.rows.map((r) => r.id));
  return new Set(ids).size === ids.length;
}

export function findInterface(lists: ReadonlyMap<string, IdList>, ref: string): { path: string; row: StoredRow } | undefined {
  const id = parseId(ref);
  if (id === undefined) return undefined;
  for (const path of INTERFACE_MENUS) {
    const row = lists.get(path)?.rows.find((r) => r.id === id);
    if (row) return { path, row };
  }
  return undefined;
}

/** The reference of the interface now called name. */
export function referenceByName(lists: ReadonlyMap<string, IdList>, name: string): string | undefined {
  for (const path of INTERFACE_MENUS) {
    const row = lists.get(path)?.rows.find((r) => r.values.name === name);
    if (row) return formatId(row.id);
  }
  return undefined;
}

/** The stored reference for what a user typed: a current interface name, or an id that exists. */
export function referenceFor(lists: ReadonlyMap<string, IdList>, typed: string): string | undefined {
  const named = referenceByName(lists, typed);
  if (named !== undefined) return named;
  const id = parseId(typed.toUpperCase());
  return id !== undefined && findInterface(lists, formatId(id)) ? formatId(id) : undefined;
}

/**
 * Brings format-1 data to ids. Interface rows whose ids collide across menus (each list once
 * counted on its own) get fresh ids, ports first so they keep theirs; then every stored name
 * becomes the id of the interface holding that name. A name no interface holds (possible then:
 * nothing was checked) becomes an id of no interface, so it stays inactive and prints as `*N`
 * as RouterOS prints a reference to a removed interface, instead of later binding to whatever
 * takes that name. Returns one line per such reference.
 */
export function migrate(lists: Map<string, IdList>, menus: readonly Menu[]): string[] {
  const seen = new Set<number>();
  for (const path of INTERFACE_MENUS) {
    const state = lists.get(path);
    if (!state) continue;
    state.rows = state.rows.map((row) => {
      if (!seen.has(row.id)) {
        seen.add(row.id);
        return row;
      }
      const id = allocateInterfaceId(lists);
      seen.add(id);
      return { id, values: row.values };
    });
  }
  // Every interface list continues from the highest counter, so no kept id is handed out again.
  const group = interfaceLists(lists);
  const next = Math.max(1, ...group.map((s) => s.nextId));
  for (const s of group) s.nextId = next;
  const notes: string[] = [];
  for (const menu of menus) {
    if (menu.kind !== 'list') continue;
    const keys = interfaceRefKeys(menu);
    const state = lists.get(menu.path);
    if (keys.length === 0 || !state) continue;
    state.rows = state.rows.map((row) => {
      const values: Record<string, Value> = { ...row.values };
      for (const key of keys) {
        const v = values[key];
        const address = menu.props[key]!.interfaceRef === 'interface-or-address' && isIP(String(v)) === 4;
        if (typeof v !== 'string' || address) continue;
        const found = referenceByName(lists, v);
        if (found !== undefined) {
          values[key] = found;
        } else {
          values[key] = formatId(allocateInterfaceId(lists));
          notes.push(`${menu.path} ${key}=${v} names no interface; kept as ${String(values[key])}, inactive`);
        }
      }
      return { id: row.id, values };
    });
  }
  return notes;
}
