// Runs a parsed script. Menu commands go to the host (the shell's own command executor, so
// user policies apply to each); every statement and loop turn goes through the host's tick,
// which lets the event loop run between slices of the script and stops one that runs too long.
import type { CommandPart, Expr, Stmt } from './ast.js';
import { asArgument, binary, len, ScriptFailure, toNum, toStr, truth, type ScriptValue } from './values.js';

export interface ScriptHost {
  /** A line for the console (`:put`). */
  put(text: string): void;
  /** Runs one menu command line; its value (find, get) or nothing. Throws on an error line. */
  command(line: string): Promise<ScriptValue>;
  /** Globals, shared by every console for the daemon's lifetime. */
  readonly globals: Map<string, ScriptValue>;
  /** Once per statement and loop turn: may yield to the event loop; throws to stop the script. */
  tick(): void | Promise<void>;
}

/** A name declared with :global in a scope refers to the global store. */
const GLOBAL = Symbol('global');
type Slot = ScriptValue | typeof GLOBAL;

class Scope {
  readonly vars = new Map<string, Slot>();
  constructor(readonly parent?: Scope) {}

  find(name: string): Scope | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.vars.has(name)) return s;
    return undefined;
  }
}

export async function runScript(stmts: readonly Stmt[], host: ScriptHost): Promise<void> {
  await block(stmts, new Scope(), host);
}

async function block(stmts: readonly Stmt[], scope: Scope, host: ScriptHost): Promise<ScriptValue> {
  let last: ScriptValue;
  for (const s of stmts) last = await statement(s, scope, host);
  return last;
}

async function statement(s: Stmt, scope: Scope, host: ScriptHost): Promise<ScriptValue> {
  await host.tick();
  switch (s.k) {
    case 'put':
      host.put(toStr(s.e && (await expr(s.e, scope, host))));
      return undefined;
    case 'local':
      scope.vars.set(s.name, s.e && (await expr(s.e, scope, host)));
      return undefined;
    case 'global':
      scope.vars.set(s.name, GLOBAL);
      if (s.e) host.globals.set(s.name, await expr(s.e, scope, host));
      else if (!host.globals.has(s.name)) host.globals.set(s.name, undefined);
      return undefined;
    case 'set': {
      const v = s.e && (await expr(s.e, scope, host));
      const owner = scope.find(s.name);
      if (owner && owner.vars.get(s.name) !== GLOBAL) owner.vars.set(s.name, v);
      else host.globals.set(s.name, v);
      return undefined;
    }
    case 'if': {
      const ok = truth(await expr(s.cond, scope, host), ':if');
      const body = ok ? s.then : s.else;
      if (body) await block(body, new Scope(scope), host);
      return undefined;
    }
    case 'foreach': {
      const list = await expr(s.list, scope, host);
      const items = Array.isArray(list) ? list : list === undefined ? [] : [list];
      for (const item of items) {
        await host.tick();
        const inner = new Scope(scope);
        inner.vars.set(s.name, item);
        await block(s.body, inner, host);
      }
      return undefined;
    }
    case 'len':
      return len(s.e && (await expr(s.e, scope, host)));
    case 'tostr':
      return toStr(s.e && (await expr(s.e, scope, host)));
    case 'tonum':
      return toNum(s.e && (await expr(s.e, scope, host)));
    case 'value':
      return expr(s.e, scope, host);
    case 'menu':
      return host.command(await commandLine(s.parts, scope, host));
  }
}

async function commandLine(parts: readonly CommandPart[], scope: Scope, host: ScriptHost): Promise<string> {
  let line = '';
  for (const p of parts) line += typeof p === 'string' ? p : asArgument(await expr(p, scope, host));
  return line.trim();
}

async function expr(e: Expr, scope: Scope, host: ScriptHost): Promise<ScriptValue> {
  switch (e.k) {
    case 'lit':
      return e.value;
    case 'str': {
      let out = '';
      for (const p of e.parts) out += typeof p === 'string' ? p : toStr(await expr(p, scope, host));
      return out;
    }
    case 'var': {
      const owner = scope.find(e.name);
      const v = owner?.vars.get(e.name);
      return owner === undefined || v === GLOBAL ? host.globals.get(e.name) : (v as ScriptValue);
    }
    case 'sub':
      return statement(e.body, scope, host);
    case 'array': {
      const out: ScriptValue[] = [];
      for (const item of e.items) out.push(await expr(item, scope, host));
      return out;
    }
    case 'bin': {
      if (e.op !== '&&' && e.op !== '||') return binary(e.op, await expr(e.a, scope, host), await expr(e.b, scope, host));
      // The right side runs only when it decides the result: `($n > 0 && [/x get $n y] = z)`.
      const a = truth(await expr(e.a, scope, host), e.op);
      if (a === (e.op === '||')) return a;
      return truth(await expr(e.b, scope, host), e.op);
    }
    case 'not':
      return !truth(await expr(e.a, scope, host), '!');
    case 'neg': {
      const n = toNum(await expr(e.a, scope, host));
      if (n === undefined) throw new ScriptFailure('failure: - needs a number');
      return -n;
    }
  }
}
