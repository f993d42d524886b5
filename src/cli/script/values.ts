// Script values and the operations on them, as RouterOS scripts see them: strings, numbers,
// true/false, arrays (`{1;2;3}`, what `find` returns) and nothing (an unset variable).
import type { BinaryOp } from './ast.js';
import { quote } from '../tokens.js';

export type ScriptValue = string | number | boolean | undefined | readonly ScriptValue[];

/** A run-time error: the script stops and the console prints this one line. */
export class ScriptFailure extends Error {}

export function toStr(v: ScriptValue): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map(toStr).join(';');
  return String(v);
}

/** `:tonum`: a number, or nothing when the text is not one. */
export function toNum(v: ScriptValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

export function len(v: ScriptValue): number {
  if (v === undefined) return 0;
  if (Array.isArray(v)) return v.length;
  return toStr(v).length;
}

/** A value typed into a menu command: a list joined with commas, quoted when it must be. */
export function asArgument(v: ScriptValue): string {
  if (Array.isArray(v)) return quote(v.map(toStr).join(','));
  return quote(toStr(v));
}

function number(v: ScriptValue, op: string): number {
  const n = toNum(v);
  if (n === undefined) throw new ScriptFailure(`failure: ${op} needs numbers, got ${JSON.stringify(toStr(v))}`);
  return n;
}

export function binary(op: BinaryOp, a: ScriptValue, b: ScriptValue): ScriptValue {
  switch (op) {
    case '.':
      return toStr(a) + toStr(b);
    case '+':
      return number(a, op) + number(b, op);
    case '-':
      return number(a, op) - number(b, op);
    case '*':
      return number(a, op) * number(b, op);
    case '/': {
      const d = number(b, op);
      if (d === 0) throw new ScriptFailure('failure: division by zero');
      return Math.trunc(number(a, op) / d);
    }
    case '&&':
      return truth(a, op) && truth(b, op);
    case '||':
      return truth(a, op) || truth(b, op);
    default:
      return compare(op, a, b);
  }
}

/** Numbers compare as numbers (a number against numeric text too); anything else as text. */
function compare(op: '<' | '>' | '<=' | '>=' | '=' | '!=', a: ScriptValue, b: ScriptValue): boolean {
  const numeric = (typeof a === 'number' || typeof b === 'number') && toNum(a) !== undefined && toNum(b) !== undefined;
  const x: number | string = numeric ? toNum(a)! : toStr(a);
  const y: number | string = numeric ? toNum(b)! : toStr(b);
  switch (op) {
    case '=':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
  }
}

export function truth(v: ScriptValue, what: string): boolean {
  if (typeof v === 'boolean') return v;
  throw new ScriptFailure(`failure: ${what} needs true or false, got ${JSON.stringify(toStr(v))}`);
}
