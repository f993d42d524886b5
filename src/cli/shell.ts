// The RouterOS shell: one instance per logged-in console session. It reads lines (with `\`
// continuation), walks the menu tree built from the schema (`/ip route`, `..`, `/`), and runs
// the commands every menu gets from its schema record: print, add, set, remove, enable,
// disable, get, find, export, monitor; plus /ping, /password, /system license import,
// /system reset-configuration, reboot and shutdown (each asks y/N first) and quit. Errors are
// one line and change nothing.
import type { ConfigModel, RawValues } from '../config/model.js';
import type { RuntimeState } from '../config/runtime.js';
import { propOrder, type Layout, type ListMenu, type Menu, type SettingsMenu, type StatusMenu } from '../config/schema.js';
import { ValueError, type PropType, type Value } from '../config/types.js';
import type { LogBook } from '../log.js';
import { exportScript } from './export.js';
import { asValueRow, inlineRow, legendLine, record, table, terseRow } from './format.js';
import { legend, listRows, matches, whereWords, type Condition, type Flag, type RowRef, type RowView } from './listing.js';
import { parseInterval, parsePrintOptions, type PrintOptions } from './print-options.js';
import { pause, printTo } from './print-output.js';
import { toggleInterfaces } from './interface-toggle.js';
import { printHelp, printOptionWords, valueHelp } from './help-details.js';
import { allowed, commandNeeds, DENIED, userPolicies } from './permissions.js';
import type { Policy } from '../config/policy.js';
import { changeOwnPassword, passwordQuestions } from './password.js';
import { Regex, RegexError } from './regex/index.js';
import { ConsoleError, MAX_STEPS, WorkBudget } from './work-budget.js';
import { parsePingInterval, runPing, type PingOptions } from './ping.js';
import { isYes, resetConfiguration, type Question } from './reset-configuration.js';
import { clockInstant, offsetMinutes, parseClockDate, parseClockTime, timeZoneName } from '../config/clock.js';
import type { WallClock } from '../wall-clock.js';
import { powerQuestion, type PowerControl } from './power.js';
import { applyDefaultConfiguration } from './default-configuration.js';
import { COMMAND_POLICIES } from '../config/menus/commands.js';
import { continues, tokenize, TokenError, type Token } from './tokens.js';
import type { ActiveUsers } from '../remote/active-users.js';
import { daemonGlobals, runConsoleScript, ScriptLines, ScriptPacer } from './script/console.js';
import { rowView, STATUS_SOURCES, type StatusReadContext, type StatusReader } from './status-sources.js';
import type { ScriptValue } from './script/values.js';

export interface LicenseView {
  status(): { readonly softwareId: string; readonly level: number; readonly limit: number };
  /** Installs a key given as text; returns an error line or undefined. */
  install(keyText: string): string | undefined;
  /** Reads a key file named by the user (relative to the data directory). */
  readKeyFile(name: string): string | ValueError;
}

export interface ResourceView {
  facts(): Promise<readonly (readonly [string, string])[]>;
}

/** The A/B system slots and the board (src/system/firmware-view.ts on the image). */
export interface FirmwareView {
  packages(): readonly { readonly slot: string; readonly version: string; readonly status: string }[] | string;
  updateRecord(): (readonly [string, string])[] | string;
  /** `/system package update install [file=]`: an error line, or undefined (lines went to `line`). */
  install(file: string | undefined, line: (s: string) => void): Promise<string | undefined>;
  /** `/tool fetch url= [dst-path=]`. */
  fetch(url: string, dstPath: string | undefined, line: (s: string) => void): Promise<string | undefined>;
  routerboard(): Promise<(readonly [string, string])[]>;
}

export interface ShellContext {
  readonly model: ConfigModel;
  readonly runtime: RuntimeState;
  readonly log: LogBook;
  readonly license?: LicenseView;
  readonly resources?: ResourceView;
  readonly firmware?: FirmwareView;
  readonly user: string;
  /** Receives output; lines end with "\n". */
  write(text: string): void;
  /** Whether the output is a terminal that understands cursor movement (monitor redraws). */
  readonly ansi?: boolean;
  /** Called by quit. */
  logout?(): void;
  /** Overrides the work budget of one command (tests); see work-budget.ts. */
  readonly workLimit?: { readonly steps: number; readonly ms: number };
  /** Who is logged in (`/user active`). */
  readonly activeUsers?: ActiveUsers;
  /** Reads a file the user names (relative to the data directory): `/user ssh-keys import`. */
  readFile?(name: string): string | ValueError;
  /** Writes NAME.txt in the data directory (`print file=NAME`); an error line or undefined. */
  writeFile?(name: string, text: string): string | undefined;
  /** The board's reboot and power-off (/system reboot, /system shutdown); absent: not available. */
  readonly power?: PowerControl;
  /** Script globals (:global); absent: the daemon's, shared by every console. */
  readonly globals?: Map<string, ScriptValue>;
  /** The router's clock (src/wall-clock.ts); absent: the host's, and `set time=` is refused. */
  readonly clock?: WallClock;
  /** Overrides the ping program (tests). */
  readonly ping?: (opts: PingOptions, line: (s: string) => void, signal: AbortSignal) => Promise<void>;
}

type Path = readonly string[];

export class Shell {
  private path: string[] = [];
  private pending = '';
  private readonly numbering = new Map<string, RowRef[]>();
  private abort: AbortController | undefined;
  /** The work the running command may still do on the event loop (see work-budget.ts). */
  private budget = new WorkBudget();
  /** A question waiting for its answer: the next line typed answers it. */
  private question: Question | undefined;
  /** A script's lines until its braces close; while a script runs, find and get give values. */
  private readonly scriptLines = new ScriptLines();
  private scripting = false;
  /** The running script's pacer: Ctrl-C stops the script through it. */
  private pacer: ScriptPacer | undefined;
  private returned: ScriptValue;

  constructor(private readonly ctx: ShellContext) {}

  get currentPath(): string {
    return '/' + this.path.join(' ');
  }

  prompt(): string {
    if (this.question) return this.question.ask;
    if (this.pending) return '\\... ';
    if (this.scriptLines.waiting) return '{... ';
    const identity = String(this.ctx.model.settingsValues('/system identity').name);
    const where = this.path.length ? `/${this.path.join(' ')}` : '';
    return `[${this.ctx.user}@${identity}] ${where}> `;
  }

  /** Whether a command (monitor, ping) is running and waits for interrupt(). */
  get busy(): boolean {
    return this.abort !== undefined;
  }

  /** Whether the shell waits for a password (`/password`'s questions): the console hides it. */
  get askingSecret(): boolean {
    return this.question?.secret === true;
  }

  /** Ctrl-C at the prompt: a continued line, a half-pasted script or an open question is dropped. */
  cancelLine(): void {
    this.question = undefined;
    this.pending = '';
    this.scriptLines.clear();
    this.pacer?.stop();
  }

  /** Stops a running monitor or ping (a key press, Ctrl-C). */
  interrupt(): void {
    this.abort?.abort();
  }

  private out(lines: readonly string[] | string): void {
    const list = typeof lines === 'string' ? [lines] : lines;
    if (list.length) this.ctx.write(list.join('\n') + '\n');
  }

  /** One line typed at the prompt. Resolves when the command has finished. */
  async input(raw: string): Promise<void> {
    let line = raw.replace(/\r$/, '');
    if (this.question) {
      const q = this.question;
      this.question = undefined;
      const { lines, logout, next } = await q.answer(isYes(line), line);
      this.out(lines);
      this.question = next;
      // RouterOS drops the session after a reset; here it asks for a login with the defaults.
      if (logout) this.ctx.logout?.();
      return;
    }
    if (this.pending) {
      // The seed's transcripts show the continuation prompt; accept it when pasted along.
      line = this.pending + ' ' + line.replace(/^\s*\\\.\.\.\s?/, '');
      this.pending = '';
    }
    if (continues(line)) {
      this.pending = line.replace(/\s*\\\s*$/, '');
      return;
    }
    const script = this.scriptLines.feed(line);
    if (script !== undefined) {
      if (script !== '') await this.script(script);
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (trimmed.endsWith('?')) {
      this.out(this.help(trimmed.slice(0, -1)));
      return;
    }
    try {
      const err = await this.run(trimmed);
      if (err) this.out(err);
    } catch (e) {
      this.out(e instanceof ConsoleError ? e.message : `failure: ${(e as Error).message}`);
    }
  }

  // ---- menu tree --------------------------------------------------------------------------

  private menuAt(path: Path): Menu | undefined {
    const p = '/' + path.join(' ');
    return this.ctx.model.menus.find((m) => m.path === p);
  }

  private isNode(path: Path): boolean {
    const p = '/' + path.join(' ');
    return this.ctx.model.menus.some((m) => m.path === p || m.path.startsWith(p === '/' ? '/' : p + ' '));
  }

  children(path: Path): string[] {
    const p = path.length ? '/' + path.join(' ') + ' ' : '/';
    const words = new Set<string>();
    for (const m of this.ctx.model.menus) if (m.path.startsWith(p)) words.add(m.path.slice(p.length).split(' ')[0]!);
    return [...words];
  }

  /** What can be typed at path: generated from the menu record, or the menu-less commands there. */
  commands(path: Path): string[] {
    const menu = this.menuAt(path);
    if (!menu) {
      // /ping, /password, /system reboot ...: the commands that belong to no menu record.
      const prefix = path.length === 0 ? '/' : `/${path.join(' ')} `;
      const here = Object.keys(COMMAND_POLICIES)
        .filter((c) => c.startsWith(prefix))
        .map((c) => c.slice(prefix.length).split(' ')[0]!);
      return [...new Set(['export', ...here])];
    }
    if (menu.kind === 'settings') return ['print', 'set', 'get', 'export'];
    if (menu.kind === 'status') return [...(menu.commands ?? ['print', 'get'])];
    const cmds = ['print', 'set', 'unset', 'get', 'find', 'export'];
    if (!menu.hardwareKey && !menu.fixedRows) cmds.push('add', 'remove');
    if ('disabled' in menu.props) cmds.push('enable', 'disable');
    if (menu.columns && menu.runtime?.status && !menu.runtime.dynamic) cmds.push('monitor');
    return [...cmds, ...(menu.actions ?? [])];
  }

  /** Splits the leading menu words off a token list: `/ip route add` -> [ip, route], add ... */
  private walk(tokens: readonly Token[]): { path: string[]; rest: Token[] } {
    let path = [...this.path];
    const rest = [...tokens];
    if (rest[0] && !rest[0].key && rest[0].text.startsWith('/')) {
      path = [];
      const first = rest.shift()!;
      const words = first.text.split('/').filter((w) => w !== '');
      for (let i = words.length - 1; i >= 0; i--) rest.unshift({ ...first, text: words[i]! });
    }
    while (rest.length) {
      const t = rest[0]!;
      if (t.key !== undefined || t.expr !== undefined || t.quoted) break;
      if (t.text === '..') path.pop();
      else if (this.isNode([...path, t.text])) path.push(t.text);
      else break;
      rest.shift();
    }
    return { path, rest };
  }

  private async script(text: string): Promise<void> {
    const pacer = new ScriptPacer(this.ctx.workLimit?.steps ?? MAX_STEPS);
    this.pacer = pacer;
    this.scripting = true;
    try {
      const err = await runConsoleScript(text, {
        put: (s) => this.ctx.write(s + '\n'),
        globals: this.ctx.globals ?? daemonGlobals,
        tick: () => pacer.tick(),
        command: async (line) => {
          this.returned = undefined;
          const e = await this.run(line);
          if (e) throw new ConsoleError(e);
          return this.returned;
        },
      });
      if (err) this.out(err);
    } finally {
      this.scripting = false;
      this.pacer = undefined;
    }
  }

  /** find and get: a script takes the value, the console prints it. */
  private give(value: ScriptValue, printed: string): void {
    if (this.scripting) this.returned = value;
    else this.out(printed);
  }

  private async run(line: string): Promise<string | undefined> {
    this.budget = new WorkBudget(this.ctx.workLimit?.steps, this.ctx.workLimit?.ms);
    const tokens = tokenize(line);
    if (tokens instanceof TokenError) return tokens.message;
    const { path, rest } = this.walk(tokens);
    if (rest.length === 0) {
      this.path = path;
      return undefined;
    }
    const cmd = rest.shift()!;
    if (cmd.text === 'quit' || cmd.text === 'exit') {
      this.ctx.logout?.();
      return undefined;
    }
    if (!this.commands(path).includes(cmd.text) || cmd.key !== undefined) {
      return `bad command name ${cmd.key !== undefined ? cmd.key : cmd.text} (line 1 column ${cmd.start + 1})`;
    }
    const need = commandNeeds(this.menuAt(path), '/' + path.join(' '), cmd.text);
    if (!allowed(this.policies(), need)) return DENIED;
    const twice = repeatedArgument(rest);
    if (twice) return twice;
    if (path.length === 0) {
      if (cmd.text === 'ping') return this.ping(rest);
      if (cmd.text === 'tool') return this.toolCommand(rest);
      if (cmd.text === 'password') {
        const { pairs, words } = this.args(rest, []);
        if (words.length) return `expected end of command (line 1 column ${words[0]!.start + 1})`;
        // Typed bare, RouterOS asks for the three values, unechoed.
        if (Object.keys(pairs).length === 0) {
          this.question = passwordQuestions(this.ctx.model, this.ctx.user);
          return undefined;
        }
        return changeOwnPassword(this.ctx.model, this.ctx.user, pairs);
      }
      if (cmd.text === 'export') return this.exportCmd('', rest);
    }
    if (cmd.text === 'reset-configuration') {
      const q = resetConfiguration(this.ctx.model, rest, () => {
        const system = this.ctx.log.logger('system');
        void applyDefaultConfiguration(this.ctx.model, this.ctx.runtime, this.ctx.log).then((lines) => lines.forEach((l) => system.info(l)));
      });
      if (typeof q === 'string') return q;
      this.question = q;
      return undefined;
    }
    if (cmd.text === 'reboot' || cmd.text === 'shutdown') {
      const q = powerQuestion(cmd.text, rest, this.ctx.power);
      if (typeof q === 'string') return q;
      this.question = q;
      return undefined;
    }
    const menu = this.menuAt(path);
    if (!menu) return this.exportCmd('/' + path.join(' '), rest);
    switch (menu.kind) {
      case 'settings':
        return this.settingsCommand(menu, cmd.text, rest);
      case 'status':
        return this.statusCommand(menu, cmd.text, rest);
      case 'list':
        return this.listCommand(menu, cmd.text, rest);
    }
  }

  private policies(): ReadonlySet<Policy> {
    return userPolicies(this.ctx.model, this.ctx.user);
  }

  /** Whether sensitive values (PPP passwords) are shown to this user. */
  private sensitive(): boolean {
    return this.policies().has('sensitive');
  }

  // ---- arguments --------------------------------------------------------------------------

  /**
   * key=value pairs, plus `key value` pairs for property names (the seed's
   * `ip route add dst-address 10.150.1.0/24 gateway 10.0.103.2`); other words are positional.
   */
  private args(tokens: readonly Token[], known: readonly string[]): { pairs: Record<string, string>; words: Token[] } {
    const pairs: Record<string, string> = {};
    const words: Token[] = [];
    const put = (key: string, value: string, at: Token): void => {
      // repeatedArgument catches `user=u user=v`; this catches `name a name b` and a mix of both.
      if (key in pairs) throw new ConsoleError(`failure: argument ${key} given twice (line 1 column ${at.start + 1})`);
      pairs[key] = value;
    };
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.key !== undefined) put(t.key, t.text, t);
      else if (!t.quoted && !t.expr && known.includes(t.text) && tokens[i + 1] && tokens[i + 1]!.key === undefined) {
        put(t.text, tokens[++i]!.text, t);
      } else words.push(t);
    }
    return { pairs, words };
  }

  /**
   * The conditions after `where` (and inside `[ find ... ]`). With the menu given, a property it
   * does not have, or a bare word that is not one of its flags, is an error rather than a
   * condition that silently matches nothing.
   */
  private conditions(tokens: readonly Token[], menu?: Menu): Condition[] {
    const words = menu && whereWords(menu, this.ctx.model);
    const known = (key: string, t: Token): void => {
      if (words && !words.keys.has(key) && !words.flags.has(key)) {
        throw new ConsoleError(`syntax error: ${key} is not a property of ${menu!.path} (line 1 column ${t.start + 1})`);
      }
    };
    const out: Condition[] = [];
    for (const t of tokens) {
      if (t.text === 'where' && t.key === undefined) continue;
      if (t.text === 'and' && t.key === undefined) continue;
      if (t.key !== undefined) {
        known(t.key, t);
        out.push({ key: t.key, op: '=', value: t.text, letter: words?.flags.get(t.key) });
        continue;
      }
      const m = /^([a-z][a-z0-9-]*)(!=|~)(.*)$/.exec(t.text);
      if (m) known(m[1]!, t);
      if (m?.[2] === '~') {
        // Compiled before any row is looked at: a bad pattern stops the command before it changes anything.
        const regex = Regex.compile(m[3]!);
        if (regex instanceof RegexError) throw new ConsoleError(`invalid regular expression in where: ${regex.message}`);
        out.push({ key: m[1]!, op: '~', value: m[3]!, regex });
      } else if (m) out.push({ key: m[1]!, op: '!=', value: m[3]!, letter: words?.flags.get(m[1]!) });
      else {
        const negated = t.text.startsWith('!');
        const key = negated ? t.text.slice(1) : t.text;
        if (words && !words.flags.has(key)) {
          if (!words.yesNo.has(key)) {
            const what = words.keys.has(key) ? `${key} is not a flag of ${menu!.path}, give ${key}=value` : `${key} is not a property of ${menu!.path}`;
            throw new ConsoleError(`syntax error: ${what} (line 1 column ${t.start + 1})`);
          }
          // A yes/no property stands for itself: `where add-default-route`.
          out.push({ key, op: negated ? '!=' : '=', value: 'yes' });
          continue;
        }
        out.push({ key, op: negated ? '!flag' : 'flag', value: '', letter: words?.flags.get(key) });
      }
    }
    return out;
  }

  // ---- list menus -------------------------------------------------------------------------

  private listing(menu: ListMenu, only?: number): RowView[] {
    if (menu.hardwareKey) this.ctx.model.syncHardware(this.ctx.runtime.ethernetPorts());
    return listRows(menu, this.ctx.model, this.ctx.runtime, this.sensitive(), only);
  }

  /** Items typed by the user: numbers from the last print, names, *ids, [ find ... ]. */
  private resolve(menu: ListMenu, words: readonly Token[]): RowRef[] | string {
    const rows = this.listing(menu);
    const numbered = this.numbering.get(menu.path) ?? rows.map((r) => r.ref);
    const refs: RowRef[] = [];
    for (const w of words) {
      if (w.expr !== undefined) {
        const inner = tokenize(w.expr);
        if (inner instanceof TokenError) return inner.message;
        if (inner[0]?.text !== 'find') return `bad command name ${inner[0]?.text ?? ''}`;
        const conds = this.conditions(inner.slice(1), menu);
        refs.push(...rows.filter((r) => matches(r, conds, this.budget)).map((r) => r.ref));
        continue;
      }
      for (const part of w.text.split(',')) {
        if (/^\d+$/.test(part)) {
          const ref = numbered[Number(part)];
          if (!ref) return 'no such item';
          refs.push(ref);
        } else if (/^\*[0-9a-f]+$/i.test(part)) {
          const id = parseInt(part.slice(1), 16);
          if (!this.ctx.model.row(menu.path, id)) return 'no such item';
          refs.push({ kind: 'config', id });
        } else {
          const row = rows.find((r) => r.values.name === part);
          if (!row) return 'no such item';
          refs.push(row.ref);
        }
      }
    }
    // Rows that vanished since the last print (a user disconnected) are gone now. A set, not a
    // scan per item: `set [find] ...` over thousands of rows must not take quadratic time.
    const present = new Set(rows.map((r) => refKey(r.ref)));
    if (refs.some((ref) => !present.has(refKey(ref)))) return 'no such item';
    return refs;
  }

  private listCommand(menu: ListMenu, cmd: string, rest: Token[]): string | undefined | Promise<string | undefined> {
    const model = this.ctx.model;
    const known = Object.keys(menu.props);
    switch (cmd) {
      case 'print':
        return this.printList(menu, rest);
      case 'export':
        return this.exportCmd(menu.path, rest);
      case 'add': {
        const { pairs, words } = this.args(rest, known);
        if (words.length) return `expected end of command (line 1 column ${words[0]!.start + 1})`;
        const id = model.add(menu.path, pairs);
        return id instanceof ValueError ? id.message : undefined;
      }
      case 'find': {
        const conds = this.conditions(rest, menu);
        const rows = this.listing(menu);
        const hits = rows.map((r, i) => (matches(r, conds, this.budget) ? i : -1)).filter((i) => i >= 0);
        this.numbering.set(menu.path, rows.map((r) => r.ref));
        // A script gets ids (RouterOS's *1), which stay valid when rows are added or removed.
        this.give(hits.map((i) => idOf(rows[i]!.ref, i)), hits.join(','));
        return undefined;
      }
      case 'get': {
        // An *id (what a script's find gives) needs only its own row, not the whole listing.
        const id = /^\*[0-9a-f]+$/i.test(rest[0]?.text ?? '') && !rest[0]!.quoted ? parseInt(rest[0]!.text.slice(1), 16) : undefined;
        const items = id !== undefined ? [{ kind: 'config', id } as const] : this.resolve(menu, rest.slice(0, 1));
        if (typeof items === 'string') return items;
        const key = rest[1]?.text;
        const row = (id !== undefined ? this.listing(menu, id) : this.listing(menu)).find((r) => refKey(r.ref) === refKey(items[0]!));
        if (id !== undefined && !row) return 'no such item';
        if (!key || !row) return 'failure: get needs an item and a property';
        const spec = menu.props[key];
        if ((!spec && !menu.columns?.[key]) || spec?.secret) return `input does not match any value of value-name`;
        if (spec?.sensitive && !this.sensitive()) return DENIED;
        const value = row.values[key] ?? (spec?.flag ? (row.flags.includes(spec.flag.letter) ? 'yes' : 'no') : '');
        this.give(value, value);
        return undefined;
      }
      case 'monitor':
        return this.monitor(menu, rest);
      case 'unset':
        return this.unset(menu, rest);
      case 'make-static':
        return this.makeStatic(menu, rest);
      case 'release':
      case 'renew': {
        const refs = this.resolve(menu, rest);
        if (typeof refs === 'string') return refs;
        if (refs.length === 0) return 'failure: no item given';
        for (const ref of refs) {
          if (ref.kind !== 'config') continue;
          const act = this.ctx.runtime.dhcpClientAction;
          const err = act ? act.call(this.ctx.runtime, ref.id, cmd) : 'failure: the DHCP client is not running';
          if (err) return err;
        }
        return undefined;
      }
      case 'import':
        return this.importKey(menu, rest);
      case 'set':
      case 'enable':
      case 'disable':
      case 'remove': {
        const { pairs, words } = this.args(rest, cmd === 'set' ? known : []);
        if (words.length === 0) return 'failure: no item given';
        const refs = this.resolve(menu, words);
        if (typeof refs === 'string') return refs;
        if (cmd === 'remove') return this.removeRows(menu, refs);
        const change: RawValues = cmd === 'set' ? pairs : { disabled: cmd === 'disable' ? 'yes' : 'no' };
        if (refs.some((r) => r.kind === 'dynamic')) return 'failure: can not change dynamic entry';
        const ids = refs.map((r) => (r as { id: number }).id);
        return model.setMany(menu.path, ids, change)?.message;
      }
    }
    return undefined;
  }

  /**
   * `unset ITEMS value-name=PROP`, or the property as the last word (`unset s1 comment`): the
   * property goes back to its default. Required properties have none, so they cannot be unset.
   */
  private unset(menu: ListMenu, rest: Token[]): string | undefined {
    const { pairs, words } = this.args(rest, ['value-name']);
    for (const k of Object.keys(pairs)) if (k !== 'value-name') return `expected end of command (unknown parameter ${k})`;
    let key = pairs['value-name'];
    let items = words;
    if (key === undefined && words.length > 1 && words.at(-1)!.text in menu.props) {
      key = words.at(-1)!.text;
      items = words.slice(0, -1);
    }
    if (key === undefined) return 'failure: value-name must be given';
    const spec = menu.props[key];
    if (!spec || spec.readOnly || spec.flag || spec.secret) return 'input does not match any value of value-name';
    if (spec.default === undefined) return `failure: ${key} can not be unset`;
    if (items.length === 0) return 'failure: no item given';
    const refs = this.resolve(menu, items);
    if (typeof refs === 'string') return refs;
    if (refs.some((r) => r.kind === 'dynamic')) return 'failure: can not change dynamic entry';
    const ids = refs.map((r) => (r as { id: number }).id);
    return this.ctx.model.setMany(menu.path, ids, { [key]: spec.type.format(spec.default as never) })?.message;
  }

  /** A dynamic DHCP lease becomes a configured one: the host keeps its address for good. */
  private makeStatic(menu: ListMenu, rest: Token[]): string | undefined {
    if (rest.length === 0) return 'failure: no item given';
    const refs = this.resolve(menu, rest);
    if (typeof refs === 'string') return refs;
    const rows = this.listing(menu);
    for (const ref of refs) {
      if (ref.kind !== 'dynamic') continue; // already static: nothing to do, as in RouterOS
      const row = rows.find((r) => JSON.stringify(r.ref) === JSON.stringify(ref))!;
      // The row keeps what the record says it can configure; run-time columns (status, expiry) stay behind.
      const kept = Object.entries(row.values).filter(([k]) => menu.props[k] && !menu.props[k]!.readOnly && !menu.props[k]!.flag);
      const added = this.ctx.model.add(menu.path, Object.fromEntries(kept));
      if (added instanceof ValueError) return added.message;
    }
    this.numbering.delete(menu.path);
    return undefined;
  }

  private removeRows(menu: ListMenu, refs: RowRef[]): string | undefined {
    if (!menu.runtime?.removeDynamic && refs.some((r) => r.kind === 'dynamic')) return 'failure: can not change dynamic entry';
    const ids = refs.filter((r) => r.kind === 'config').map((r) => (r as { id: number }).id);
    const err = this.ctx.model.remove(menu.path, ids);
    if (err) return err.message;
    for (const r of refs) {
      if (r.kind !== 'dynamic') continue;
      const e = menu.runtime?.removeDynamic?.(r.key, this.ctx.runtime);
      if (e) return e;
    }
    this.numbering.delete(menu.path);
    return undefined;
  }

  private printList(menu: ListMenu, rest: Token[]): Promise<string | undefined> | string {
    const opts = parsePrintOptions(rest, { stats: menu.printStats !== undefined });
    if (typeof opts === 'string') return opts;
    const conds = this.conditions(opts.where, menu);
    const picked = opts.from ? this.resolve(menu, opts.from) : undefined;
    if (typeof picked === 'string') return picked;
    const keys = picked && new Set(picked.map((r) => JSON.stringify(r)));
    return this.emitPrint(opts, () => {
      const rows = this.listing(menu).filter((r) => (!keys || keys.has(JSON.stringify(r.ref))) && matches(r, conds, this.budget));
      return this.printRows(rows, opts, legend(menu, this.ctx.model), opts.stats ? menu.printStats : menu.print, menu.path);
    });
  }

  /** A print's lines to the console, to a file (file=), or again and again (interval=). */
  private emitPrint(opts: PrintOptions, render: () => string[] | Promise<string[]>): Promise<string | undefined> {
    return printTo(opts, render, {
      out: (lines) => this.out(lines),
      write: (text) => this.ctx.write(text),
      ansi: this.ctx.ansi === true,
      writeFile: this.ctx.writeFile,
      freshBudget: () => (this.budget = new WorkBudget(this.ctx.workLimit?.steps, this.ctx.workLimit?.ms)),
      running: (abort) => (this.abort = abort),
    });
  }

  /** The rows of a print in the layout its options ask for; numbering follows what is shown. */
  private printRows(rows: readonly RowView[], opts: PrintOptions, flags: readonly Flag[], layout: Layout | undefined, path: string): string[] {
    this.numbering.set(path, rows.map((r) => r.ref));
    if (opts.countOnly) return [String(rows.length)];
    if (opts.asValue) return rows.map(asValueRow);
    const lines = legendLine(flags);
    if (opts.terse) rows.forEach((r, i) => lines.push(terseRow(i, r)));
    else if (layout?.style === 'table' && !opts.detail) lines.push(...table(layout.columns, rows));
    else rows.forEach((r, i) => lines.push(...inlineRow(i, r), ...(opts.detail ? [''] : [])));
    return lines;
  }

  private async monitor(menu: ListMenu, rest: Token[]): Promise<string | undefined> {
    const once = rest.some((t) => t.text === 'once' && !t.key);
    const items = rest.filter((t) => !(t.text === 'once' && !t.key) && t.key === undefined);
    let everyMs = 1000;
    for (const t of rest) {
      if (t.key === undefined) continue;
      if (t.key !== 'interval') return `expected end of command (unknown parameter ${t.key})`;
      const ms = parseInterval(t.text);
      if (typeof ms === 'string') return ms;
      everyMs = ms;
    }
    const refs = this.resolve(menu, items);
    if (typeof refs === 'string') return refs;
    if (refs.length !== 1 || refs[0]!.kind !== 'config') return 'failure: monitor needs one item';
    const id = refs[0]!.id;
    const columns = Object.entries(menu.columns ?? {});
    const render = (): string[] | undefined => {
      const row = this.ctx.model.row(menu.path, id);
      if (!row) return undefined;
      const status = menu.runtime!.status!(row, this.ctx.runtime);
      return record(
        columns
          .filter(([key]) => status.values[key] !== undefined)
          .map(([key, col]) => [key, col.quoted ? `"${status.values[key]}"` : status.values[key]!]),
      );
    };
    let block = render();
    if (!block) return 'no such item';
    this.out(block);
    if (once) return undefined;
    const abort = new AbortController();
    this.abort = abort;
    try {
      while (!abort.signal.aborted) {
        await pause(everyMs, abort.signal);
        if (abort.signal.aborted) break;
        const next = render();
        if (!next) break;
        if (this.ctx.ansi) this.ctx.write(`\x1b[${block.length}A\x1b[J`);
        this.out(next);
        block = next;
      }
    } finally {
      this.abort = undefined;
    }
    return undefined;
  }

  // ---- settings and status menus ----------------------------------------------------------

  private async settingsCommand(menu: SettingsMenu, cmd: string, rest: Token[]): Promise<string | undefined> {
    const shown = (): Map<string, string> => new Map(this.settingsPairs(menu));
    if (cmd === 'print') {
      const opts = parsePrintOptions(rest, { stats: false });
      if (typeof opts === 'string') return opts;
      if (opts.from || opts.where.length) return 'failure: from and where are not available in this menu';
      return this.emitPrint(opts, () => record([...shown()]));
    }
    if (cmd === 'export') return this.exportCmd(menu.path, rest);
    if (cmd === 'get') {
      const key = rest[0]?.text ?? '';
      const value = shown().get(key);
      if (value === undefined) return 'input does not match any value of value-name';
      this.give(value, value);
      return undefined;
    }
    const { pairs, words } = this.args(rest, Object.keys(menu.props));
    if (words.length) return `expected end of command (line 1 column ${words[0]!.start + 1})`;
    if (menu.clockArguments) return this.setClock(menu, pairs);
    return this.ctx.model.set(menu.path, undefined, pairs)?.message;
  }

  /** A settings menu's properties and run-time values, in print order. */
  private settingsPairs(menu: SettingsMenu): (readonly [string, string])[] {
    const values = this.ctx.model.settingsValues(menu.path);
    const pairs = new Map(propOrder(menu)
      .filter((k) => !menu.props[k]!.secret && (!menu.props[k]!.sensitive || this.sensitive()))
      .map((k) => [k, menu.props[k]!.type.format(values[k] as never)] as const));
    for (const [k, v] of menu.status?.({ runtime: this.ctx.runtime, now: this.now(), values }) ?? []) pairs.set(k, v);
    const order = menu.printOrder ?? [];
    return [...order.filter((k) => pairs.has(k)).map((k) => [k, pairs.get(k)!] as const), ...[...pairs].filter(([k]) => !order.includes(k))];
  }

  /** The router's clock: the software clock the daemon keeps, else the host's. */
  private now(): number {
    return this.ctx.clock?.now() ?? Date.now();
  }

  /** The zone /system clock shows and the log is printed in. */
  private zone(): string {
    return String(this.ctx.model.settingsValues('/system clock')['time-zone-name'] ?? 'UTC');
  }

  /**
   * `/system clock set`: time= and date= move the router's clock (they are not configuration),
   * read in the time zone the same command sets, if it sets one. All is checked before anything
   * changes.
   */
  private setClock(menu: SettingsMenu, pairs: Record<string, string>): string | undefined {
    const { time: rawTime, date: rawDate, ...settings } = pairs;
    const time = rawTime === undefined ? undefined : parseClockTime(rawTime);
    const date = rawDate === undefined ? undefined : parseClockDate(rawDate);
    if (time instanceof ValueError) return time.message;
    if (date instanceof ValueError) return date.message;
    if ((time || date) && !this.ctx.clock) return 'failure: not available on this system';
    const zoneRaw = settings['time-zone-name'];
    const zone = zoneRaw === undefined ? this.zone() : timeZoneName.parse(zoneRaw, 'time-zone-name');
    if (zone instanceof ValueError) return zone.message;
    if (Object.keys(settings).length) {
      const err = this.ctx.model.set(menu.path, undefined, settings);
      if (err) return err.message;
    }
    if (time || date) void this.ctx.clock!.set(clockInstant(this.now(), zone, date, time));
    return undefined;
  }

  /** `/user ssh-keys import public-key-file=FILE user=NAME`: one key line from a file. */
  private importKey(menu: ListMenu, rest: Token[]): string | undefined {
    const { pairs, words } = this.args(rest, ['public-key-file', 'user']);
    if (words.length) return `expected end of command (line 1 column ${words[0]!.start + 1})`;
    const file = pairs['public-key-file'];
    if (file === undefined) return 'failure: public-key-file must be set';
    const user = pairs.user ?? this.ctx.user;
    const text = this.ctx.readFile ? this.ctx.readFile(file) : new ValueError('failure: no files on this console');
    if (text instanceof ValueError) return text.message;
    const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
    if (line === undefined) return `failure: ${file} holds no key`;
    const owner = line.split(/\s+/).slice(2).join(' ');
    const id = this.ctx.model.add(menu.path, { user, key: line, 'key-owner': owner });
    return id instanceof ValueError ? id.message : undefined;
  }

  // ---- what the RouterOS API lists (src/remote/api-session.ts): the rows print shows ---------

  /** The rows of the menu at path, as print lists them; a string: why not. */
  async rowsOf(path: string): Promise<RowView[] | string> {
    const menu = this.ctx.model.menu(path);
    if (!menu) return 'no such command prefix';
    if (menu.kind === 'list') return this.listing(menu);
    const one = (pairs: readonly (readonly [string, string])[]): RowView[] => [
      { ref: { kind: 'dynamic', key: '' }, flags: '', values: Object.fromEntries(pairs), quoted: new Set(), keys: pairs.map(([k]) => k) },
    ];
    if (menu.kind === 'settings') return one(this.settingsPairs(menu));
    if (menu.shape === 'record') {
      const rec = await this.record(menu);
      return typeof rec === 'string' ? rec : one(rec);
    }
    return await this.statusRows(menu);
  }

  /** Whether this user may run cmd in the menu at path (the console's own check). */
  mayRun(path: string, cmd: string): boolean {
    return allowed(this.policies(), commandNeeds(this.ctx.model.menu(path), path, cmd));
  }

  private statusReader(menu: StatusMenu): { reader: StatusReader; c: StatusReadContext } {
    return { reader: STATUS_SOURCES[menu.source], c: { shell: this.ctx, zone: this.zone() } };
  }

  private async statusRows(menu: StatusMenu): Promise<RowView[]> {
    const { reader, c } = this.statusReader(menu);
    return reader.rows ? (await reader.rows(c)).map((r) => rowView(menu, r)) : [];
  }

  private async record(menu: StatusMenu): Promise<(readonly [string, string])[] | string> {
    const { reader, c } = this.statusReader(menu);
    return reader.record ? await reader.record(c) : [];
  }

  private async statusCommand(menu: StatusMenu, cmd: string, rest: Token[]): Promise<string | undefined> {
    const { reader, c } = this.statusReader(menu);
    if (reader.printLines && cmd === 'print') {
      const opts = parsePrintOptions(rest, { stats: false });
      if (typeof opts === 'string') return opts;
      if (opts.from) return 'failure: from is not available in this menu';
      const conds = this.conditions(opts.where, menu);
      return this.emitPrint(opts, () => {
        const lines = reader.printLines!(c, conds, this.budget);
        return opts.countOnly ? [String(lines.length)] : lines;
      });
    }
    if (menu.shape === 'record') {
      if (cmd === 'import') return this.importLicense(rest);
      if (cmd === 'install') return this.installUpdate(rest);
      if (cmd === 'print') {
        // `/system resource print interval=1`: the record redrawn, as RouterOS does.
        const opts = parsePrintOptions(rest, { stats: false });
        if (typeof opts === 'string') return opts;
        if (opts.from || opts.where.length) return 'failure: from and where are not available in this menu';
        const first = await this.record(menu);
        if (typeof first === 'string') return first;
        let next: (readonly [string, string])[] | undefined = first;
        return this.emitPrint(opts, async () => {
          const rec = next ?? (await this.record(menu));
          next = undefined;
          if (typeof rec === 'string') throw new ConsoleError(rec);
          return record(rec);
        });
      }
      const rec = await this.record(menu);
      if (typeof rec === 'string') return rec;
      if (cmd === 'get') {
        const hit = rec.find(([k]) => k === rest[0]?.text);
        if (!hit) return 'input does not match any value of value-name';
        this.give(hit[1], hit[1]);
        return undefined;
      }
      this.out(record(rec));
      return undefined;
    }
    if (cmd === 'flush') {
      if (rest.length) return `expected end of command (line 1 column ${rest[0]!.start + 1})`;
      return reader.flush ? await reader.flush(c) : 'failure: nothing to flush here';
    }
    const rows = await this.statusRows(menu);
    if (cmd === 'print') {
      const opts = parsePrintOptions(rest, { stats: menu.printStats !== undefined });
      if (typeof opts === 'string') return opts;
      if (opts.from) return 'failure: from is not available in this menu';
      const conds = this.conditions(opts.where, menu);
      const layout = opts.stats ? menu.printStats : menu.print;
      return this.emitPrint(opts, async () => {
        const shown = (await this.statusRows(menu)).filter((r) => matches(r, conds, this.budget));
        return this.printRows(shown, opts, menu.flags ?? [], layout, menu.path);
      });
    }
    if (cmd === 'enable' || cmd === 'disable') {
      const shown = this.numbering.get(menu.path)?.map((r) => (r.kind === 'dynamic' ? r.key : ''));
      return toggleInterfaces(this.ctx.model, rows, shown, rest, cmd === 'disable');
    }
    const numbered = this.numbering.get(menu.path) ?? rows.map((r) => r.ref);
    const pick = (w: Token): RowRef | undefined =>
      /^\d+$/.test(w.text) ? numbered[Number(w.text)] : rows.find((r) => r.values.name === w.text)?.ref;
    if (cmd === 'find') {
      const conds = this.conditions(rest, menu);
      const hits = rows.map((r, i) => (matches(r, conds, this.budget) ? i : -1)).filter((i) => i >= 0);
      this.numbering.set(menu.path, rows.map((r) => r.ref));
      this.give(hits.map(String), hits.join(','));
      return undefined;
    }
    if (cmd === 'get') {
      const ref = rest[0] && pick(rest[0]);
      const row = rows.find((r) => JSON.stringify(r.ref) === JSON.stringify(ref));
      if (!row) return 'no such item';
      const value = row.values[rest[1]?.text ?? ''] ?? '';
      this.give(value, value);
      return undefined;
    }
    if (cmd === 'remove') {
      const err = reader.remove ? reader.remove(c, rows, this.numbering.get(menu.path), rest) : 'failure: nothing to remove here';
      this.numbering.delete(menu.path);
      return err;
    }
    return undefined;
  }

  /** `/tool fetch url=http://... [dst-path=NAME]` (the only /tool command so far). */
  private async toolCommand(rest: Token[]): Promise<string | undefined> {
    const sub = rest.shift();
    if (!sub || sub.key !== undefined || sub.text !== 'fetch') return `bad command name ${sub?.text ?? 'tool'} (line 1 column ${(sub?.start ?? 0) + 1})`;
    if (!allowed(this.policies(), commandNeeds(undefined, '/tool', 'fetch'))) return DENIED;
    const { pairs, words } = this.args(rest, []);
    if (words.length) return `expected end of command (line 1 column ${words[0]!.start + 1})`;
    const unknown = Object.keys(pairs).find((k) => k !== 'url' && k !== 'dst-path');
    if (unknown) return `expected end of command (unknown argument ${unknown})`;
    if (!pairs.url) return 'failure: give url=http://HOST/FILE';
    if (!this.ctx.firmware) return 'failure: fetch not available';
    return this.ctx.firmware.fetch(pairs.url, pairs['dst-path'], (l) => this.out(l));
  }

  /** `/system package update install [file=NAME]`. */
  private async installUpdate(rest: Token[]): Promise<string | undefined> {
    const { pairs, words } = this.args(rest, []);
    if (words.length) return `expected end of command (line 1 column ${words[0]!.start + 1})`;
    const unknown = Object.keys(pairs).find((k) => k !== 'file');
    if (unknown) return `expected end of command (unknown argument ${unknown})`;
    if (!this.ctx.firmware) return 'failure: not booted from an A/B system image';
    return this.ctx.firmware.install(pairs.file, (l) => this.out(l));
  }

  private importLicense(rest: Token[]): string | undefined {
    const lic = this.ctx.license;
    if (!lic) return 'failure: licence store not available';
    const { pairs, words } = this.args(rest, ['file-name', 'key']);
    let text: string | ValueError;
    if (pairs.key !== undefined) text = pairs.key;
    else if (pairs['file-name'] !== undefined || words[0]) text = lic.readKeyFile(pairs['file-name'] ?? words[0]!.text);
    else return 'failure: give file-name=FILE or key="KEY"';
    if (text instanceof ValueError) return text.message;
    const err = lic.install(text);
    if (err) return err;
    const s = lic.status();
    this.out(`licence level ${s.level} installed`);
    return undefined;
  }

  // ---- export, ping -----------------------------------------------------------------------

  /**
   * export [hide-sensitive | show-sensitive]: as RouterOS v7, sensitive values (PPP passwords)
   * are left out unless show-sensitive is given by a user with the sensitive policy;
   * hide-sensitive is v6's spelling of the default. /user passwords are never exported.
   */
  private exportCmd(under: string, rest: Token[]): string | undefined {
    let show = false;
    for (const t of rest) {
      if (t.key === undefined && t.text === 'show-sensitive') show = true;
      else if (t.key === undefined && t.text === 'hide-sensitive') show = false;
      else return `expected end of command (line 1 column ${t.start + 1})`;
    }
    if (show && !this.sensitive()) return DENIED;
    const header = [`${new Date(this.now() + offsetMinutes(new Date(this.now()), this.zone()) * 60000).toISOString().replace('T', ' ').slice(0, 19)} by routerd`];
    const soft = this.ctx.license?.status().softwareId;
    if (soft) header.push(`software id = ${soft}`);
    this.out(exportScript(this.ctx.model, under === '/' ? '' : under, header, { showSensitive: show }));
    return undefined;
  }

  private async ping(rest: Token[]): Promise<string | undefined> {
    const known = ['count', 'size', 'src-address', 'interval', 'address', 'do-not-fragment'];
    const { pairs, words } = this.args(rest, ['count', 'size', 'src-address', 'interval', 'address']);
    for (const k of Object.keys(pairs)) if (!known.includes(k)) return `expected end of command (unknown parameter ${k})`;
    const flags = words.filter((w) => w.text === 'do-not-fragment');
    const targets = words.filter((w) => w.text !== 'do-not-fragment');
    const address = pairs.address ?? targets[0]?.text;
    if (!address) return 'failure: address must be set';
    const interval = pairs.interval !== undefined ? parsePingInterval(pairs.interval) : undefined;
    if (typeof interval === 'string') return interval;
    const opts: PingOptions = {
      address,
      count: pairs.count !== undefined ? Number(pairs.count) : undefined,
      size: pairs.size !== undefined ? Number(pairs.size) : undefined,
      srcAddress: pairs['src-address'],
      intervalMs: interval,
      doNotFragment: flags.length > 0 || pairs['do-not-fragment'] === 'yes',
    };
    const abort = new AbortController();
    this.abort = abort;
    try {
      const err = await (this.ctx.ping ?? runPing)(opts, (s) => this.out(s), abort.signal);
      return err ?? undefined;
    } finally {
      this.abort = undefined;
    }
  }

  // ---- help and completion ----------------------------------------------------------------

  /** `?` help for what is typed so far. */
  help(line: string): string[] {
    const tokens = tokenize(line);
    if (tokens instanceof TokenError) return [tokens.message];
    const { path, rest } = this.walk(tokens);
    const menu = this.menuAt(path);
    if (rest.length === 0) {
      const lines = [menu ? `${menu.path}: ${menu.help}` : `/${path.join(' ')}`];
      for (const c of this.children(path)) {
        const sub = this.menuAt([...path, c]);
        lines.push(`  ${c.padEnd(16)} -- ${sub?.help ?? 'menu'}`);
      }
      for (const c of this.commands(path)) lines.push(`  ${c.padEnd(16)} -- command`);
      return lines;
    }
    const last = rest.at(-1)!;
    const spec = menu && menu.kind !== 'status' && last.key !== undefined && !/\s$/.test(line) ? menu.props[last.key] : undefined;
    if (spec) {
      // In a set (allow=pap,?) the choices are the elements not given yet.
      const typed = last.text.split(',').slice(0, -1);
      const choices = this.valueChoices(spec.type, spec.ref, last.text, !!spec.interfaceRef).map((c) => c.slice(c.lastIndexOf(',') + 1));
      return valueHelp(last.key!, spec, choices.filter((c) => !typed.includes(c)));
    }
    if (rest[0]!.text === 'print' && rest[0]!.key === undefined && menu && this.commands(path).includes('print')) {
      return printHelp(menu.kind !== 'settings' && menu.printStats !== undefined);
    }
    if (menu && menu.kind !== 'status') {
      return propOrder(menu)
        .filter((k) => !menu.props[k]!.readOnly)
        .map((k) => {
          const spec = menu.props[k]!;
          const def = spec.default === undefined ? '' : `; default: ${spec.type.format(spec.default as never) || '""'}`;
          return `  ${k.padEnd(18)} -- ${spec.help} (${spec.type.describe}${def})`;
        });
    }
    return [];
  }

  /** Tab completion in readline's shape: [candidates, the fragment they complete]. */
  complete(line: string): [string[], string] {
    const full = this.pending ? this.pending + ' ' + line : line;
    const fragment = /(\S*)$/.exec(full)![1]!;
    const tokens = tokenize(full.slice(0, full.length - fragment.length));
    if (tokens instanceof TokenError) return [[], fragment];
    const { path, rest } = this.walk(tokens);
    let candidates: string[];
    let word = fragment;
    if (rest.length === 0) {
      candidates = [...this.children(path), ...this.commands(path), ...(path.length ? ['..'] : [])];
      if (fragment.startsWith('/')) {
        const parts = fragment.split('/');
        word = parts.pop()!;
        const base = parts.filter((p) => p);
        const sub = this.children(base).concat(this.commands(base));
        const prefix = fragment.slice(0, fragment.length - word.length);
        return [sub.filter((c) => c.startsWith(word)).map((c) => prefix + c), fragment];
      }
    } else {
      const menu = this.menuAt(path);
      const eq = fragment.indexOf('=');
      if (menu && menu.kind !== 'status' && eq > 0) {
        const key = fragment.slice(0, eq);
        word = fragment.slice(eq + 1);
        const spec = menu.props[key];
        const choices = spec ? this.valueChoices(spec.type, spec.ref, word, !!spec.interfaceRef) : [];
        return [choices.map((c) => `${key}=${c}`), fragment];
      }
      const cmd = rest[0]!.key === undefined ? rest[0]!.text : '';
      if (menu && cmd === 'print' && this.commands(path).includes('print')) {
        // After `print` its options; after `where` what a condition may name.
        if (rest.some((t) => t.key === undefined && t.text === 'where')) {
          const words = whereWords(menu, this.ctx.model);
          candidates = [...[...words.keys].map((k) => `${k}=`), ...words.flags.keys()];
        } else candidates = printOptionWords(menu.kind !== 'settings' && menu.printStats !== undefined);
      } else if (menu?.kind === 'list' && cmd === 'monitor') {
        candidates = ['once', 'interval=', ...this.listing(menu).map((r) => r.values.name ?? '').filter((n) => n)];
      } else {
        candidates = menu && menu.kind !== 'status' ? propOrder(menu).filter((k) => !menu.props[k]!.readOnly).map((k) => `${k}=`) : [];
        // Not configuration, but what `set` takes there (setClock).
        if (menu?.kind === 'settings') candidates.push(...(menu.clockArguments ?? []).map((k) => `${k}=`));
        if (menu?.kind === 'list') candidates.push(...this.listing(menu).map((r) => r.values.name ?? '').filter((n) => n));
      }
    }
    // A word that is both a menu and a command (/tool) is one candidate, completed with its space.
    return [[...new Set(candidates.filter((c) => c.startsWith(word)))], fragment];
  }

  private valueChoices(type: PropType<Value>, ref: string | undefined, word: string, interfaces = false): string[] {
    const out = [...type.choices];
    if (ref) out.push(...this.ctx.model.rows(ref).map((r) => String(r.values.name)));
    if (interfaces) out.push(...this.ctx.model.interfaceNames());
    // A set completes its last element: allow=pap,ch -> allow=pap,chap
    const comma = word.lastIndexOf(',');
    if (comma >= 0 && type.describe.startsWith('multiple')) {
      const head = word.slice(0, comma + 1);
      return out.filter((c) => (head + c).startsWith(word)).map((c) => head + c);
    }
    return out.filter((c) => c.startsWith(word));
  }
}

function refKey(ref: RowRef): string {
  return ref.kind === 'config' ? `*${ref.id}` : `d:${ref.key}`;
}

/** A row as a script holds it: a configured row's *id, a run-time row's number in the listing. */
function idOf(ref: RowRef, index: number): string {
  return ref.kind === 'config' ? `*${ref.id.toString(16).toUpperCase()}` : String(index);
}



/**
 * A property given twice (`user=u user=v`) would otherwise silently take the last value; the
 * conditions after `where` may name a property more than once.
 */
function repeatedArgument(tokens: readonly Token[]): string | undefined {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.key === undefined && t.text === 'where') return undefined;
    if (t.key === undefined) continue;
    if (seen.has(t.key)) return `failure: argument ${t.key} given twice (line 1 column ${t.start + 1})`;
    seen.add(t.key);
  }
  return undefined;
}
