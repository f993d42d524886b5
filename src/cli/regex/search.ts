// Unanchored search by simulating the NFA on all its states at once (Thompson's construction):
// each input character moves a set of at most program-length states, so a search costs
// O(text length × program length) whatever the pattern, and `(a+)+$` cannot backtrack.
import type { CharSet } from './parse.js';
import type { Instruction } from './program.js';

/** Charged one step per state visited; throws to stop a search that has run too long. */
export interface StepMeter {
  spend(steps: number): void;
}

export function inSet(set: CharSet, cp: number): boolean {
  let hit = false;
  for (const [lo, hi] of set.ranges) {
    if (cp >= lo && cp <= hi) {
      hit = true;
      break;
    }
  }
  return hit !== set.negated;
}

/** A set of program counters with O(1) add and clear (the sparse set of Briggs and Torczon). */
class StateList {
  readonly dense: Int32Array;
  readonly sparse: Int32Array;
  size = 0;
  constructor(n: number) {
    this.dense = new Int32Array(n);
    this.sparse = new Int32Array(n);
  }
  has(pc: number): boolean {
    const i = this.sparse[pc]!;
    return i < this.size && this.dense[i] === pc;
  }
  add(pc: number): void {
    this.sparse[pc] = this.size;
    this.dense[this.size++] = pc;
  }
}

export function search(prog: readonly Instruction[], text: string, meter?: StepMeter): boolean {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  let current = new StateList(prog.length);
  let next = new StateList(prog.length);
  const stack: number[] = [];

  /** Adds pc and everything reachable from it without consuming input; true once Match is reached. */
  const follow = (list: StateList, start: number, pos: number): boolean => {
    stack.push(start);
    let visited = 0;
    let matched = false;
    while (stack.length) {
      const pc = stack.pop()!;
      if (list.has(pc)) continue;
      list.add(pc);
      visited++;
      const ins = prog[pc]!;
      switch (ins.op) {
        case 'jump':
          stack.push(ins.to);
          break;
        case 'split':
          stack.push(ins.b, ins.a);
          break;
        case 'bol':
          if (pos === 0) stack.push(pc + 1);
          break;
        case 'eol':
          if (pos === cps.length) stack.push(pc + 1);
          break;
        case 'match':
          matched = true;
          break;
        case 'set':
          break;
      }
    }
    meter?.spend(visited);
    return matched;
  };

  for (let pos = 0; ; pos++) {
    // A thread starts at every position: the search is unanchored.
    if (follow(current, 0, pos)) return true;
    if (pos === cps.length) return false;
    const cp = cps[pos]!;
    next.size = 0;
    for (let i = 0; i < current.size; i++) {
      const pc = current.dense[i]!;
      const ins = prog[pc]!;
      if (ins.op === 'set' && inSet(ins.set, cp) && follow(next, pc + 1, pos + 1)) return true;
    }
    meter?.spend(current.size);
    [current, next] = [next, current];
  }
}
