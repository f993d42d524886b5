// The shape of the declarative menu schema (VyOS-style: data, not code). A menu lists its
// properties with type, default, help and print placement; the CLI generates print, add, set,
// remove, enable, disable, get, find, export and completion from these records, and the
// configuration model validates with them. Adding a property is one line in src/config/menus/.
import type { PropType, Value } from './types.js';
import type { Policy } from './policy.js';
import type { RuntimeState } from './runtime.js';

export interface PropSpec<T extends Value = Value> {
  readonly type: PropType<T>;
  readonly help: string;
  /** Value when the user does not give one; absent means the property is required on add. */
  readonly default?: T;
  /** The value must name a row of this menu (profile=default -> /ppp profile). */
  readonly ref?: string;
  /**
   * The value names an interface (a row of any interface menu). It is stored as that row's
   * internal id (`*3`), so it follows renames; the console types and prints the current name.
   * 'interface-or-address' also takes an IPv4 address (a route's gateway), kept as the address.
   */
  readonly interfaceRef?: 'interface' | 'interface-or-address';
  /** With interfaceRef: the interface must be a row of this menu (a port's bridge=). */
  readonly interfaceOf?: string;
  /** Values accepted for a ref besides the names of the referenced rows ("none", "*"). */
  readonly refAlso?: readonly string[];
  /** Not settable by the user; filled from hardware (ethernet default-name, mac-address). */
  readonly readOnly?: boolean;
  /** Shown as a flag, not as a property (disabled -> X). */
  readonly flag?: { readonly letter: string; readonly label: string };
  /** Left out of exports (hardware facts). */
  readonly noExport?: boolean;
  /** Never printed, exported or given by get, to anyone (the hash of a /user password). */
  readonly secret?: boolean;
  /**
   * Shown only to users whose group has the `sensitive` policy, and exported only with
   * `export show-sensitive` (RouterOS v7): passwords of PPP secrets and of tunnel clients.
   */
  readonly sensitive?: boolean;
}

/**
 * The policies a menu's commands need (RouterOS: read to look, write to change; user
 * management also needs policy). Menus that leave it out need read and write.
 */
export interface MenuPolicy {
  readonly read: readonly Policy[];
  readonly write: readonly Policy[];
}

export function prop<T extends Value>(type: PropType<T>, spec: Omit<PropSpec<T>, 'type'>): PropSpec<T> {
  return { type, ...spec };
}

export type Props = Readonly<Record<string, PropSpec>>;

export interface Column {
  readonly key: string; // a property or a runtime column
  readonly header: string;
  readonly width: number;
}

export type Layout =
  /** RouterOS's property list: ` 0 X name="test2" max-mtu=1460 ...` wrapped at 80 columns. */
  | { readonly style: 'inline' }
  | { readonly style: 'table'; readonly columns: readonly Column[] };

/** A read-only value computed at run time (uptime, client-address). */
export interface RuntimeColumn {
  readonly help: string;
  readonly quoted?: boolean;
}

/** What a row shows beyond its configuration: running flag and read-only columns. */
export interface RowStatus {
  readonly running: boolean;
  readonly values: Readonly<Record<string, string>>;
}

/** A row that exists only at run time (flag D): a connected user without a static entry. */
export interface DynamicRow {
  /** Handle passed back to remove (a session id). */
  readonly key: string;
  readonly running: boolean;
  readonly values: Readonly<Record<string, string>>;
  /** Run-time flags besides D and R (a route's A active, C connect, S static). */
  readonly flags?: string;
}

export interface RuntimeView {
  status?(row: StoredRow, runtime: RuntimeState): RowStatus;
  /** Run-time flags of a configured row (a static route: S, and A while it is on the host). */
  flags?(row: StoredRow, runtime: RuntimeState): string;
  /** The run-time rows; configured: the menu's own rows (a session on a static entry shows there). */
  dynamic?(runtime: RuntimeState, configured: readonly StoredRow[]): readonly DynamicRow[];
  /** Where dynamic rows are listed: the seed prints `0 DR <pptp-ex>` before static rows. */
  readonly dynamicFirst?: boolean;
  /** Removing a dynamic row (disconnect); returns an error line or undefined. */
  removeDynamic?(key: string, runtime: RuntimeState): string | undefined;
}

export interface StoredRow {
  /** Internal id, stable across renumbering (RouterOS's *1, *2 ...). */
  readonly id: number;
  readonly values: Readonly<Record<string, Value>>;
}

export interface ListMenu<P extends Props = Props> {
  /** Policies its commands need; absent: read and write. */
  readonly policy?: MenuPolicy;
  readonly kind: 'list';
  readonly path: string;
  readonly help: string;
  readonly props: P;
  /** Printed order of properties; defaults to the order of props. */
  readonly order?: readonly string[];
  /** Prefix of generated names: pptp-out -> pptp-out1, pptp-out2 ... */
  readonly defaultName?: string;
  /** Rows the factory configuration holds (profile default, user admin); flagged `*`, not removable. */
  readonly builtin?: readonly Readonly<Record<string, Value>>[];
  /** Built-in rows cannot be changed either (RouterOS's system groups read, write, full). */
  readonly fixedBuiltin?: boolean;
  /** The built-in rows are all there is (/ip service): no add or remove. */
  readonly fixedRows?: boolean;
  /** Rows are the hardware's (ethernet ports): no add or remove; identified by this property. */
  readonly hardwareKey?: string;
  /** Rows are interfaces: one id space and one name space with the other interface menus. */
  readonly interfaces?: boolean;
  /**
   * Commands besides print, set, unset, get, find, export, add, remove, enable, disable and
   * monitor: import (a key file), make-static (a lease), release and renew (a DHCP client).
   */
  readonly actions?: readonly ('import' | 'make-static' | 'release' | 'renew')[];
  readonly print: Layout;
  /** Layout of `print` when it differs from `print detail` (inline). */
  readonly runtime?: RuntimeView;
  /** Layout of `print stats` (firewall rule counters); the values come from runtime.status. */
  readonly printStats?: Layout;
  /**
   * A check of the whole row after add or set (properties that only make sense together): the
   * one line the console prints when the row is refused, or undefined.
   */
  readonly validate?: (values: Readonly<Record<string, Value>>) => string | undefined;
  readonly columns?: Readonly<Record<string, RuntimeColumn>>;
  /** Extra runtime flags in legend order, e.g. D dynamic, R running. */
  readonly runtimeFlags?: readonly { readonly letter: string; readonly label: string }[];
}

/** What a settings menu's run-time values are computed from. */
export interface SettingsStatusContext {
  readonly runtime: RuntimeState;
  /** The router's clock (ms since the Unix epoch). */
  readonly now: number;
  readonly values: Readonly<Record<string, Value>>;
}

export interface SettingsMenu<P extends Props = Props> {
  /** Policies its commands need; absent: read and write. */
  readonly policy?: MenuPolicy;
  readonly kind: 'settings';
  readonly path: string;
  readonly help: string;
  readonly props: P;
  readonly order?: readonly string[];
  /** Read-only values printed with the settings (/system clock's time, the NTP client's status). */
  readonly status?: (ctx: SettingsStatusContext) => readonly (readonly [string, string])[];
  /** Order of print when status values sit between the properties; default: properties first. */
  readonly printOrder?: readonly string[];
  /** set also takes these, which are not configuration: /system clock's date= and time= move the clock. */
  readonly clockArguments?: readonly string[];
}

/**
 * Where a status menu's rows come from: the console reads each (src/cli/status-sources.ts), so
 * the record says what the menu shows and the shell needs no branch per menu.
 */
export type StatusSource =
  | 'log'
  | 'script-globals'
  | 'console-users'
  | 'system-slots'
  | 'ppp-sessions'
  | 'login-throttle'
  | 'pptp-pending'
  | 'interfaces'
  | 'connections'
  | 'dns-cache'
  | 'default-configuration'
  | 'licence'
  | 'routerboard'
  | 'resources'
  | 'system-update';

/** A menu whose rows are all run-time state (/ppp active, /system resource). */
export interface StatusMenu {
  /** Policies its commands need; absent: read and write. */
  readonly policy?: MenuPolicy;
  readonly kind: 'status';
  readonly path: string;
  readonly help: string;
  readonly columns: Readonly<Record<string, RuntimeColumn>>;
  /** Table rows (ppp active) or one record printed as `name: value` (system resource). */
  readonly shape: 'rows' | 'record';
  readonly source: StatusSource;
  /** The commands it takes; default print and get (and find for rows). */
  readonly commands?: readonly string[];
  readonly print?: Layout;
  /** Layout of `print stats` (RouterOS's traffic counters view). */
  readonly printStats?: Layout;
  readonly flags?: readonly { readonly letter: string; readonly label: string }[];
}

export type Menu = ListMenu | SettingsMenu | StatusMenu;

type ValueOf<S> = S extends PropSpec<infer T> ? T : never;
/** The typed row of a list menu: RowOf<typeof pptpClient>['connect-to'] is a string. */
export type RowOf<M extends { props: Props }> = { readonly id: number } & {
  readonly [K in keyof M['props']]: ValueOf<M['props'][K]>;
};
export type SettingsOf<M extends { props: Props }> = {
  readonly [K in keyof M['props']]: ValueOf<M['props'][K]>;
};

export function propOrder(menu: ListMenu | SettingsMenu): string[] {
  return menu.order ? [...menu.order] : Object.keys(menu.props);
}
