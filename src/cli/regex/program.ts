// A parsed regular expression compiled to a Thompson NFA program (Ken Thompson 1968; the form
// Russ Cox describes for RE2's Pike VM): character tests, splits, jumps, anchors and a match.
// Counted repetition is expanded into copies, so the program size bounds the matching cost.
import type { CharSet, RegexNode } from './parse.js';

export type Instruction =
  | { readonly op: 'set'; readonly set: CharSet }
  | { readonly op: 'split'; readonly a: number; readonly b: number }
  | { readonly op: 'jump'; readonly to: number }
  | { readonly op: 'bol' }
  | { readonly op: 'eol' }
  | { readonly op: 'match' };

/** Instructions at most: each input character costs at most this many steps. */
export const MAX_PROGRAM = 20_000;

export class ProgramTooLarge {
  readonly message = `regular expression too large (more than ${MAX_PROGRAM} states)`;
}

type Split = { op: 'split'; a: number; b: number };

export function compileProgram(root: RegexNode): Instruction[] | ProgramTooLarge {
  const prog: Instruction[] = [];
  const emit = <I extends Instruction>(ins: I): I => {
    if (prog.length >= MAX_PROGRAM) throw new ProgramTooLarge();
    prog.push(ins);
    return ins;
  };
  // Splits and jumps are emitted before their targets exist; they are patched once known.
  const split = (): Split => emit<Split>({ op: 'split', a: 0, b: 0 });
  const gen = (node: RegexNode): void => {
    switch (node.kind) {
      case 'empty':
        return;
      case 'set':
        emit({ op: 'set', set: node.set });
        return;
      case 'bol':
      case 'eol':
        emit({ op: node.kind });
        return;
      case 'concat':
        for (const item of node.items) gen(item);
        return;
      case 'alternate': {
        // split L1 next; L1: item; jump end; next: split ...; the last item falls through.
        const jumps: { op: 'jump'; to: number }[] = [];
        node.items.forEach((item, i) => {
          if (i === node.items.length - 1) return gen(item);
          const s = split();
          s.a = prog.length;
          gen(item);
          jumps.push(emit<{ op: 'jump'; to: number }>({ op: 'jump', to: 0 }));
          s.b = prog.length;
        });
        for (const j of jumps) j.to = prog.length;
        return;
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) gen(node.node);
        if (node.max === undefined) {
          // loop: split body out; body; jump loop
          const loop = prog.length;
          const s = split();
          s.a = prog.length;
          gen(node.node);
          emit({ op: 'jump', to: loop });
          s.b = prog.length;
          return;
        }
        // (x(x(x)?)?)? for the optional copies: each skip goes to the very end.
        const skips: Split[] = [];
        for (let i = node.min; i < node.max; i++) {
          const s = split();
          s.a = prog.length;
          skips.push(s);
          gen(node.node);
        }
        for (const s of skips) s.b = prog.length;
        return;
      }
    }
  };
  try {
    gen(root);
    emit({ op: 'match' });
  } catch (e) {
    if (e instanceof ProgramTooLarge) return e;
    throw e;
  }
  return prog;
}
