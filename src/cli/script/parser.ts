// Parses a console script into statements (ast.ts). The whole script is parsed before any of it
// runs, so unknown syntax, an unknown `:command` or a variable never declared is one error line
// and nothing runs, as the RouterOS console refuses a line it cannot parse.
import type { BinaryOp, CommandPart, Expr, Stmt } from './ast.js';
import { EscapedText } from '../escapes.js';
import { BARE_CHAR, NAME_CHAR, Scanner, SCRIPT_COMMANDS, SyntaxFail } from './scanner.js';

export class ScriptSyntaxError {
  constructor(readonly message: string) {}
}

/** `globals`: names of globals that exist now, usable without declaring them first. */
export function parseScript(src: string, globals: ReadonlySet<string>): Stmt[] | ScriptSyntaxError {
  const p = new Parser(src, globals);
  try {
    const out = p.program('');
    if (!p.s.done) p.s.fail('syntax error');
    return out;
  } catch (e) {
    if (e instanceof SyntaxFail) return new ScriptSyntaxError(e.message);
    throw e;
  }
}

// Binding strength of the binary operators inside ( ): higher binds tighter.
const PRECEDENCE: readonly (readonly BinaryOp[])[] = [['||'], ['&&'], ['=', '!=', '<=', '>=', '<', '>'], ['.'], ['+', '-'], ['*', '/']];

class Parser {
  readonly s: Scanner;
  private readonly scopes: Set<string>[] = [new Set()];

  constructor(src: string, private readonly globals: ReadonlySet<string>) {
    this.s = new Scanner(src);
  }

  /** Statements up to `end` ('}' or ']', not consumed) or the end of the text (''). */
  program(end: '' | '}' | ']'): Stmt[] {
    const out: Stmt[] = [];
    const s: Scanner = this.s;
    for (;;) {
      s.space();
      while (s.ch === ';') {
        s.i++;
        s.space();
      }
      if (s.ch === '#') {
        s.run(/[^\n]/);
        continue;
      }
      if (s.done) {
        if (end) s.fail(`missing ${end}`);
        return out;
      }
      if (s.ch === end) return out;
      if (s.ch === '}' || s.ch === ']') s.fail('syntax error');
      out.push(this.statement());
      s.blanks();
      if (!(s.done || s.ch === ';' || s.ch === '\n' || s.ch === end)) s.fail('syntax error');
    }
  }

  private statement(): Stmt {
    const s: Scanner = this.s;
    if (s.ch === '(') return { k: 'value', e: this.primary() };
    if (s.ch !== ':') return this.menuCommand();
    const at = s.i;
    s.i++;
    const name = s.run(/[a-z]/);
    if (!(SCRIPT_COMMANDS as readonly string[]).includes(name)) {
      s.fail(`bad command name ${name || s.ch}`, at + 1);
    }
    if (name && NAME_CHAR.test(s.ch)) s.fail(`bad command name ${name}${s.run(/\S/)}`, at + 1);
    switch (name) {
      case 'put':
      case 'len':
      case 'tostr':
      case 'tonum':
        return { k: name, e: this.optionalExpr() } as Stmt;
      case 'local':
      case 'global': {
        const v = this.varName();
        const e = this.optionalExpr();
        this.scopes.at(-1)!.add(v);
        return { k: name, name: v, e };
      }
      case 'set': {
        s.blanks();
        const pos = s.i;
        const v = this.varName();
        this.mustKnow(v, pos);
        return { k: 'set', name: v, e: this.optionalExpr() };
      }
      case 'if':
        return this.ifStatement();
      default:
        return this.foreach();
    }
  }

  private ifStatement(): Stmt {
    const s: Scanner = this.s;
    let cond: Expr | undefined;
    let then: Stmt[] | undefined;
    let otherwise: Stmt[] | undefined;
    for (;;) {
      s.blanks();
      if (s.done || s.ch === ';' || s.ch === '\n' || s.ch === '}' || s.ch === ']') break;
      const key = this.key();
      if (key === undefined && cond === undefined) cond = this.primary();
      else if (key === 'condition' && cond === undefined) cond = this.primary();
      else if (key === 'do' && then === undefined) then = this.block();
      else if (key === 'else' && otherwise === undefined) otherwise = this.block();
      else s.fail('syntax error');
    }
    if (cond === undefined) s.fail('failure: :if needs a condition');
    if (then === undefined) s.fail('failure: :if needs do={...}');
    return { k: 'if', cond, then, else: otherwise };
  }

  private foreach(): Stmt {
    const s: Scanner = this.s;
    const name = this.varName();
    let list: Expr | undefined;
    let body: Stmt[] | undefined;
    for (;;) {
      s.blanks();
      if (s.done || s.ch === ';' || s.ch === '\n' || s.ch === '}' || s.ch === ']') break;
      const key = this.key();
      if (key === 'in' && list === undefined) list = this.primary();
      else if (key === 'do' && body === undefined) body = this.block(name);
      else s.fail('syntax error');
    }
    if (list === undefined) s.fail('failure: :foreach needs in=');
    if (body === undefined) s.fail('failure: :foreach needs do={...}');
    return { k: 'foreach', name, list, body };
  }

  /** `word=` in argument position; undefined (nothing read) when there is none. */
  private key(): string | undefined {
    const m = /^([a-z]+)=/.exec(this.s.src.slice(this.s.i, this.s.i + 20));
    if (!m) return undefined;
    this.s.i += m[0].length;
    return m[1];
  }

  private block(declare?: string): Stmt[] {
    const s: Scanner = this.s;
    s.expect('{');
    this.scopes.push(new Set(declare === undefined ? [] : [declare]));
    const body = this.program('}');
    this.scopes.pop();
    s.expect('}');
    return body;
  }

  private varName(): string {
    const s: Scanner = this.s;
    s.blanks();
    const name = s.run(NAME_CHAR);
    if (!name) s.fail('syntax error: variable name expected');
    return name;
  }

  private mustKnow(name: string, pos: number): void {
    if (this.globals.has(name) || this.scopes.some((sc) => sc.has(name))) return;
    this.s.fail(`failure: undefined variable $${name}`, pos);
  }

  private optionalExpr(): Expr | undefined {
    const s: Scanner = this.s;
    s.blanks();
    if (s.done || s.ch === ';' || s.ch === '\n' || s.ch === '}' || s.ch === ']') return undefined;
    return this.primary();
  }

  /** One value in argument position, or a whole expression in ( ). */
  private primary(inParens = false): Expr {
    const s: Scanner = this.s;
    const c = s.ch;
    if (c === '"') return this.quoted();
    if (c === '$') return this.variable();
    if (c === '[') {
      s.i++;
      s.space();
      const at = s.i;
      const body = this.program(']');
      s.expect(']');
      if (body.length !== 1) s.fail('syntax error', at);
      return { k: 'sub', body: body[0]! };
    }
    if (c === '(') {
      s.i++;
      s.space();
      const e = this.binary(0);
      s.space();
      s.expect(')');
      return e;
    }
    if (c === '{') {
      s.i++;
      const items: Expr[] = [];
      for (;;) {
        s.space();
        if (s.eat('}')) return { k: 'array', items };
        items.push(this.binary(0));
        s.space();
        if (!s.eat(';') && s.ch !== '}') s.fail('syntax error');
      }
    }
    if (inParens) {
      if (c === '!') {
        s.i++;
        s.space();
        return { k: 'not', a: this.primary(true) };
      }
      if (c === '-') {
        s.i++;
        return { k: 'neg', a: this.primary(true) };
      }
      // An address-like literal (10.0.0.1/24) is one word; a plain number stops at an operator.
      const word = /\d/.test(c) ? s.run(/[0-9.:/]/) : s.run(/[A-Za-z0-9_]/);
      if (!word) s.fail('syntax error');
      return literal(word);
    }
    const word = s.run(BARE_CHAR);
    if (!word) s.fail('syntax error');
    return literal(word);
  }

  private binary(level: number): Expr {
    if (level >= PRECEDENCE.length) return this.primary(true);
    const s: Scanner = this.s;
    let left = this.binary(level + 1);
    for (;;) {
      s.space();
      const op = PRECEDENCE[level]!.find((o) => s.src.startsWith(o, s.i) && !(o === '<' && s.at(1) === '=') && !(o === '>' && s.at(1) === '='));
      if (!op) return left;
      s.i += op.length;
      s.space();
      left = { k: 'bin', op, a: left, b: this.binary(level + 1) };
    }
  }

  private variable(): Expr {
    const s: Scanner = this.s;
    const at = s.i;
    s.i++;
    const name = s.run(NAME_CHAR);
    if (!name) s.fail('syntax error: variable name expected', at);
    this.mustKnow(name, at);
    return { k: 'var', name, at };
  }

  /** "text": escapes applied, `$name` and `$(expr)` substituted. */
  private quoted(): Expr {
    const s: Scanner = this.s;
    const open = s.i;
    s.i++;
    const parts: (string | Expr)[] = [];
    const text = new EscapedText();
    for (;;) {
      if (s.done) s.fail('unterminated quote', open);
      const c = s.ch;
      if (c === '"') {
        s.i++;
        break;
      }
      if (c === '\\') {
        s.i += text.escape(s.src, s.i);
        continue;
      }
      if (c === '$' && (NAME_CHAR.test(s.at(1)) || s.at(1) === '(')) {
        const piece = text.take();
        if (piece) parts.push(piece);
        if (s.at(1) === '(') {
          s.i++;
          parts.push(this.primary());
        } else parts.push(this.variable());
        continue;
      }
      text.add(c);
      s.i++;
    }
    const last = text.take();
    if (last || parts.length === 0) parts.push(last);
    return parts.length === 1 && typeof parts[0] === 'string' ? { k: 'lit', value: parts[0] } : { k: 'str', parts };
  }

  /**
   * A menu command as text up to the end of the statement, with `$var`, "strings with $var"
   * and `[/menu ...]` / `[:cmd ...]` as pieces to substitute. A `[ find ... ]` without a menu
   * path stays text for the command's own item resolver, with its variables substituted.
   */
  private menuCommand(): Stmt {
    const s: Scanner = this.s;
    const at = s.i;
    const parts = this.commandParts();
    if (parts.every((p) => typeof p === 'string' && p.trim() === '')) s.fail('syntax error');
    return { k: 'menu', parts, at };
  }

  private commandParts(): CommandPart[] {
    const s: Scanner = this.s;
    const parts: CommandPart[] = [];
    let text = '';
    const flush = (): void => {
      if (text) parts.push(text);
      text = '';
    };
    for (;;) {
      s.blanks();
      const c = s.ch;
      if (s.done || c === ';' || c === '\n' || c === ']' || c === '}') break;
      if (c === '{') s.fail('syntax error');
      if (c === '"') {
        const start = s.i;
        const e = this.quoted();
        if (e.k === 'lit') text += s.src.slice(start, s.i);
        else {
          flush();
          parts.push(e);
        }
      } else if (c === '(' && text.endsWith('=')) {
        // comment=("a" . $b): the value is an expression.
        flush();
        parts.push(this.primary());
      } else if (c === '$') {
        flush();
        parts.push(this.variable());
      } else if (c === '[') {
        const ahead = /^\[\s*([/:])/.exec(s.src.slice(s.i, s.i + 40));
        if (ahead) {
          flush();
          parts.push(this.primary());
        } else {
          s.i++;
          text += '[';
          flush();
          parts.push(...this.commandParts());
          s.expect(']');
          text += ']';
        }
      } else {
        const word = s.ch === '(' ? s.src[s.i++]! : s.run(/[^\s;{}[\]"$(]/);
        if (!word) s.fail('syntax error');
        text += word;
      }
      if (/[ \t]/.test(s.ch)) text += ' ';
    }
    flush();
    return parts;
  }
}

function literal(word: string): Expr {
  if (/^-?\d+$/.test(word)) return { k: 'lit', value: Number(word) };
  if (word === 'true' || word === 'false') return { k: 'lit', value: word === 'true' };
  return { k: 'lit', value: word };
}
