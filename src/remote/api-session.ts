// One RouterOS API connection after the framing (src/wire/routeros-api.ts): sentences in,
// reply sentences out. `/login` with name and password (RouterOS 6.43+) opens it; then a
// command word `/ppp/secret/print` names a console menu (`/ppp secret`) and one of its commands.
// Everything comes from the console's menu records through the same Shell a console uses (its
// listing, its permission check, the model's validation), so the API cannot drift from the CLI.
// Replies: `!re` per item, `!done` (with `=ret=` for add), `!trap =message=` for errors;
// every reply carries the command's `.tag`. listen and monitor run until `/cancel`.
import type { WallClock } from '../wall-clock.js';
import type { ConfigModel } from '../config/model.js';
import type { RuntimeState } from '../config/runtime.js';
import type { ListMenu, Menu } from '../config/schema.js';
import { ValueError, yesNo } from '../config/types.js';
import { verifyPassword } from '../config/password-hash.js';
import { Shell, type LicenseView, type ResourceView } from '../cli/shell.js';
import type { RowRef, RowView } from '../cli/listing.js';
import { userPolicies } from '../cli/permissions.js';
import type { LoginThrottle } from '../console/login-throttle.js';
import type { LogBook, Logger } from '../log.js';
import { attributeOf } from '../wire/routeros-api.js';
import type { ActiveUsers } from './active-users.js';
import { parseQuery, QueryError, queryMatches } from './api-query.js';

export interface ApiDeps {
  readonly model: ConfigModel;
  readonly runtime: RuntimeState;
  readonly log: LogBook;
  readonly license?: LicenseView;
  readonly resources?: ResourceView;
  readonly loginThrottle: LoginThrottle;
  readonly activeUsers: ActiveUsers;
  /** The router's clock (what /system/clock/print shows). */
  readonly clock?: WallClock;
}

export interface ApiPeer {
  readonly address: string;
  /** api or api-ssl. */
  readonly via: string;
}

type Attrs = Record<string, string>;

interface Parsed {
  readonly command: string;
  readonly attrs: Attrs;
  readonly api: Attrs;
  readonly query: string[];
  readonly tag: string | undefined;
}

/** RouterOS's words for a failed API login. */
export const LOGIN_FAILED = 'invalid user name or password (6)';
/** How often listen and monitor look at run-time state (sessions, tunnel status). */
const POLL_MS = 1000;

export class ApiSession {
  private user: string | undefined;
  private shell: Shell | undefined;
  private leave: (() => void) | undefined;
  private readonly running = new Map<string, () => void>();
  private readonly log: Logger;
  private closed = false;
  /** Sentences run one at a time, in order (a print may await the resource facts). */
  private chain: Promise<void> = Promise.resolve();
  private untagged = 0;

  constructor(
    private readonly deps: ApiDeps,
    private readonly peer: ApiPeer,
    private readonly send: (words: readonly string[]) => void,
    private readonly close: (reason: string) => void,
  ) {
    this.log = deps.log.logger('system');
  }

  /** One sentence from the client. */
  sentence(words: readonly string[]): void {
    this.chain = this.chain.then(() => this.handle(words)).catch((e: Error) => {
      this.log.error(`api: ${e.message}`);
    });
  }

  /** The connection is gone: stop listens and monitors, leave /user active. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.running.values()) stop();
    this.running.clear();
    this.leave?.();
    if (this.user !== undefined) this.log.info(`user ${this.user} logged out from ${this.peer.address} via ${this.peer.via}`);
  }

  private reply(kind: string, tag: string | undefined, attrs: Attrs = {}): void {
    if (this.closed) return;
    const words = [kind, ...Object.entries(attrs).map(([k, v]) => `=${k}=${v}`)];
    if (tag !== undefined) words.push(`.tag=${tag}`);
    this.send(words);
  }

  private trap(tag: string | undefined, message: string, category?: number): void {
    this.reply('!trap', tag, category === undefined ? { message } : { category: String(category), message });
    this.reply('!done', tag);
  }

  private parse(words: readonly string[]): Parsed {
    const attrs: Attrs = {};
    const api: Attrs = {};
    const query: string[] = [];
    let tag: string | undefined;
    for (const w of words.slice(1)) {
      const a = attributeOf(w);
      if (a) attrs[a.key] = a.value;
      else if (w.startsWith('?')) query.push(w);
      else if (w.startsWith('.tag=')) tag = w.slice(5);
      else if (w.startsWith('.')) {
        const eq = w.indexOf('=');
        api[eq < 0 ? w.slice(1) : w.slice(1, eq)] = eq < 0 ? '' : w.slice(eq + 1);
      }
    }
    return { command: words[0] ?? '', attrs, api, query, tag };
  }

  private async handle(words: readonly string[]): Promise<void> {
    if (this.closed || words.length === 0) return;
    const p = this.parse(words);
    if (p.command === '/login') return this.login(p);
    if (p.command === '/quit') {
      if (!this.closed) this.send(['!fatal', 'session terminated on request']);
      this.close('quit');
      return;
    }
    if (!this.shell) {
      this.trap(p.tag, 'not logged in');
      return;
    }
    if (p.command === '/cancel') return this.cancel(p);
    const segments = p.command.split('/').filter((s) => s !== '');
    if (!p.command.startsWith('/') || segments.length < 2) {
      this.trap(p.tag, `no such command prefix`);
      return;
    }
    const path = '/' + segments.slice(0, -1).join(' ');
    const cmd = segments[segments.length - 1]!;
    const menu = this.deps.model.menu(path);
    if (!menu) {
      this.trap(p.tag, `no such command prefix`);
      return;
    }
    const looking = cmd === 'getall' || cmd === 'listen' ? 'print' : cmd;
    if (!this.shell.mayRun(path, looking)) {
      this.trap(p.tag, 'not enough permissions (9)');
      return;
    }
    switch (cmd) {
      case 'print':
      case 'getall':
        return this.print(menu, p);
      case 'get':
        return this.get(menu, p);
      case 'listen':
        return this.listen(menu, p);
      case 'monitor':
        return this.monitor(menu, p);
      case 'add':
      case 'set':
      case 'remove':
      case 'enable':
      case 'disable':
        return this.change(menu, cmd, p);
      default:
        this.trap(p.tag, `no such command`);
    }
  }

  // ---- login ------------------------------------------------------------------------------

  private async login(p: Parsed): Promise<void> {
    if (this.shell) {
      this.trap(p.tag, 'already logged in');
      return;
    }
    const name = p.attrs.name ?? '';
    const source = `${this.peer.via} ${this.peer.address}`;
    const row = this.deps.model.rows('/user').find((r) => r.values.name === name);
    const usable = row && row.values.disabled !== true ? String(row.values.password) : undefined;
    const ok = (await verifyPassword(usable, p.attrs.password ?? '')) && userPolicies(this.deps.model, name).has('api');
    if (this.closed) return;
    if (!ok) {
      // As at the consoles: a few failures are free, then each answer waits longer.
      const wait = this.deps.loginThrottle.failed(source);
      this.log.warning(`login failure for user ${name} from ${this.peer.address} via ${this.peer.via}`);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.trap(p.tag, LOGIN_FAILED);
      return;
    }
    this.deps.loginThrottle.succeeded(source);
    this.user = name;
    this.log.info(`user ${name} logged in from ${this.peer.address} via ${this.peer.via}`);
    this.leave = this.deps.activeUsers.add({ name, address: this.peer.address, via: this.peer.via, when: new Date() });
    this.shell = new Shell({
      model: this.deps.model,
      runtime: this.deps.runtime,
      log: this.deps.log,
      license: this.deps.license,
      resources: this.deps.resources,
      activeUsers: this.deps.activeUsers,
      clock: this.deps.clock,
      user: name,
      write: () => {},
    });
    this.reply('!done', p.tag);
  }

  private cancel(p: Parsed): void {
    const target = p.attrs.tag;
    for (const [tag, stop] of [...this.running]) {
      if (target !== undefined && tag !== target) continue;
      stop();
      this.running.delete(tag);
      this.trap(tag.startsWith('\0') ? undefined : tag, 'interrupted', 2);
    }
    this.reply('!done', p.tag);
  }

  // ---- items as the API shows them --------------------------------------------------------

  private idOf(ref: RowRef): string | undefined {
    if (ref.kind === 'config') return `*${ref.id.toString(16).toUpperCase()}`;
    return ref.key === '' ? undefined : `*D${ref.key}`;
  }

  /** A row's attributes: `.id`, values (yes/no as true/false), flags as true/false words. */
  private attrsOf(menu: Menu, row: RowView): Attrs {
    const out: Attrs = {};
    const id = this.idOf(row.ref);
    if (id !== undefined) out['.id'] = id;
    for (const key of Object.keys(row.values)) {
      const spec = menu.kind === 'status' ? undefined : menu.props[key];
      const v = row.values[key]!;
      out[key] = spec?.type === yesNo ? (v === 'yes' ? 'true' : 'false') : v;
    }
    if (menu.kind === 'list') {
      for (const [key, spec] of Object.entries(menu.props)) {
        if (spec.flag) out[key] = row.flags.includes(spec.flag.letter) ? 'true' : 'false';
      }
      if (menu.runtime?.dynamic) out.dynamic = row.flags.includes('D') ? 'true' : 'false';
      if (menu.runtime?.status) out.running = row.flags.includes('R') ? 'true' : 'false';
      // A route's active, connect and static, as RouterOS's API words them.
      for (const f of menu.runtimeFlags ?? []) if (!(f.label in out)) out[f.label] = row.flags.includes(f.letter) ? 'true' : 'false';
    }
    return out;
  }

  private async items(menu: Menu, p: Parsed): Promise<Attrs[] | string> {
    const query = parseQuery(p.query);
    if (query instanceof QueryError) return query.message;
    const rows = await this.shell!.rowsOf(menu.path);
    if (typeof rows === 'string') return rows;
    const props = (p.api.proplist ?? p.attrs['.proplist'])?.split(',').filter((k) => k !== '');
    return rows
      .map((r) => this.attrsOf(menu, r))
      .filter((a) => queryMatches(query, a))
      .map((a) => (props ? Object.fromEntries(props.filter((k) => a[k] !== undefined).map((k) => [k, a[k]!])) : a));
  }

  private async print(menu: Menu, p: Parsed): Promise<void> {
    const items = await this.items(menu, p);
    if (typeof items === 'string') return this.trap(p.tag, items);
    if (p.attrs['count-only'] !== undefined) {
      this.reply('!done', p.tag, { ret: String(items.length) });
      return;
    }
    for (const item of items) this.reply('!re', p.tag, item);
    this.reply('!done', p.tag);
  }

  private async get(menu: Menu, p: Parsed): Promise<void> {
    const key = p.attrs['value-name'] ?? '';
    const rows = await this.shell!.rowsOf(menu.path);
    if (typeof rows === 'string') return this.trap(p.tag, rows);
    const all = rows.map((r) => this.attrsOf(menu, r));
    const wanted = p.attrs['.id'] ?? p.attrs.number;
    const item = menu.kind === 'list' ? all.find((a) => a['.id'] === wanted || a.name === wanted) : all[0];
    if (!item) return this.trap(p.tag, 'no such item');
    if (item[key] === undefined) return this.trap(p.tag, 'no such property');
    this.reply('!done', p.tag, { ret: item[key]! });
  }

  // ---- changes ----------------------------------------------------------------------------

  /** The items named by `.id` or `numbers` (ids from a print, or names), comma separated. */
  private async refs(menu: ListMenu, p: Parsed): Promise<RowRef[] | string> {
    const named = p.attrs['.id'] ?? p.attrs.numbers;
    if (named === undefined || named === '') return 'no such item';
    const rows = await this.shell!.rowsOf(menu.path);
    if (typeof rows === 'string') return rows;
    const refs: RowRef[] = [];
    for (const word of named.split(',')) {
      const row = rows.find((r) => this.idOf(r.ref) === word || r.values.name === word);
      if (!row) return 'no such item';
      refs.push(row.ref);
    }
    return refs;
  }

  private async change(menu: Menu, cmd: string, p: Parsed): Promise<void> {
    const model = this.deps.model;
    // `.id`, `.proplist` and the like address the command, not the item.
    const values: Attrs = Object.fromEntries(Object.entries(p.attrs).filter(([k]) => !k.startsWith('.') && k !== 'numbers'));
    let err: ValueError | string | undefined;
    if (menu.kind === 'settings') {
      err = cmd === 'set' ? model.set(menu.path, undefined, values) : 'no such command';
    } else if (menu.kind === 'status') {
      err = cmd === 'remove' ? await this.removeDynamic(menu.path, p) : 'no such command';
    } else if (cmd === 'add') {
      const id = model.add(menu.path, values);
      if (id instanceof ValueError) err = id;
      else {
        this.reply('!done', p.tag, { ret: `*${id.toString(16).toUpperCase()}` });
        return;
      }
    } else {
      const refs = await this.refs(menu, p);
      if (typeof refs === 'string') err = refs;
      else if (cmd === 'remove') {
        err = model.remove(menu.path, refs.filter((r) => r.kind === 'config').map((r) => (r as { id: number }).id));
        for (const r of refs) if (!err && r.kind === 'dynamic') err = menu.runtime?.removeDynamic?.(r.key, this.deps.runtime);
      } else if (refs.some((r) => r.kind === 'dynamic')) err = 'failure: can not change dynamic entry';
      else {
        const change = cmd === 'set' ? values : { disabled: cmd === 'disable' ? 'yes' : 'no' };
        err = model.setMany(menu.path, refs.map((r) => (r as { id: number }).id), change);
      }
    }
    if (err !== undefined) {
      this.trap(p.tag, (typeof err === 'string' ? err : err.message).replace(/^failure: /, ''));
      return;
    }
    this.reply('!done', p.tag);
  }

  private async removeDynamic(path: string, p: Parsed): Promise<string | undefined> {
    const rows = await this.shell!.rowsOf(path);
    if (typeof rows === 'string') return rows;
    for (const word of (p.attrs['.id'] ?? p.attrs.numbers ?? '').split(',')) {
      const row = rows.find((r) => this.idOf(r.ref) === word);
      if (!row || row.ref.kind !== 'dynamic' || !this.deps.runtime.disconnect(row.ref.key)) return 'no such item';
    }
    return undefined;
  }

  // ---- listen and monitor -----------------------------------------------------------------

  /** Registers a long-running command under its tag (an untagged one gets a private key). */
  private track(tag: string | undefined, stop: () => void): void {
    const key = tag ?? `\0${++this.untagged}`;
    this.running.get(key)?.();
    this.running.set(key, stop);
  }

  /** `listen`: every later change of an item (`.dead=yes` when it is gone) until /cancel. */
  private async listen(menu: Menu, p: Parsed): Promise<void> {
    const seen = new Map<string, string>();
    const snapshot = async (): Promise<Attrs[] | string> => this.items(menu, { ...p, api: {} });
    const first = await snapshot();
    if (typeof first === 'string') return this.trap(p.tag, first);
    for (const a of first) seen.set(a['.id'] ?? '', JSON.stringify(a));
    let busy = false;
    const look = async (): Promise<void> => {
      if (busy || this.closed) return;
      busy = true;
      try {
        const now = await snapshot();
        if (typeof now === 'string') return;
        const ids = new Set<string>();
        for (const a of now) {
          const id = a['.id'] ?? '';
          ids.add(id);
          const text = JSON.stringify(a);
          if (seen.get(id) !== text) this.reply('!re', p.tag, a);
          seen.set(id, text);
        }
        for (const id of [...seen.keys()]) {
          if (ids.has(id)) continue;
          seen.delete(id);
          this.reply('!re', p.tag, { '.id': id, '.dead': 'true' });
        }
      } finally {
        busy = false;
      }
    };
    const offModel = this.deps.model.onChange(() => void look());
    const timer = setInterval(() => void look(), POLL_MS);
    this.track(p.tag, () => {
      offModel();
      clearInterval(timer);
    });
  }

  /** `monitor`: the run-time status of one item; `=once=` gives it once, else every second. */
  private async monitor(menu: Menu, p: Parsed): Promise<void> {
    if (menu.kind !== 'list' || !menu.runtime?.status) return this.trap(p.tag, 'no such command');
    const refs = await this.refs(menu, p);
    if (typeof refs === 'string') return this.trap(p.tag, refs);
    if (refs.length !== 1 || refs[0]!.kind !== 'config') return this.trap(p.tag, 'monitor needs one item');
    const id = refs[0]!.id;
    const status = (): Attrs | undefined => {
      const row = this.deps.model.row(menu.path, id);
      return row ? { ...menu.runtime!.status!(row, this.deps.runtime).values } : undefined;
    };
    const once = status();
    if (!once) return this.trap(p.tag, 'no such item');
    this.reply('!re', p.tag, once);
    if (p.attrs.once !== undefined) {
      this.reply('!done', p.tag);
      return;
    }
    const timer = setInterval(() => {
      const s = status();
      if (s) this.reply('!re', p.tag, s);
    }, POLL_MS);
    this.track(p.tag, () => clearInterval(timer));
  }
}
