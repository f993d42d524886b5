// The `?` help RouterOS gives inside a command: after `prop=` the values the property takes
// (an enum's words, the names of the items it refers to), after `print` the options print has.
import type { PropSpec } from '../config/schema.js';

/** `service=?`: the property's line, then the values that fit what is typed after the `=`. */
export function valueHelp(key: string, spec: PropSpec, values: readonly string[]): string[] {
  const lines = [`${key} -- ${spec.help} (${spec.type.describe})`];
  if (values.length) lines.push(...values.map((v) => `  ${v}`));
  return lines;
}

const PRINT_OPTIONS: readonly (readonly [string, string])[] = [
  ['as-value', 'the rows as values, one line each'],
  ['brief', 'the table form'],
  ['count-only', 'only how many rows there are'],
  ['detail', 'every property of each row'],
  ['file', 'write the print to FILE.txt in the data directory'],
  ['from', 'only these items (numbers, names, *ids)'],
  ['interval', 'print again every interval until a key is pressed'],
  ['terse', 'one line per row, key=value'],
  ['where', 'only rows matching the conditions that follow'],
  ['without-paging', 'all at once (the console never pages)'],
];

export function printHelp(stats: boolean): string[] {
  const options = stats ? [...PRINT_OPTIONS, ['stats', 'traffic counters'] as const] : PRINT_OPTIONS;
  return ['print -- print the items of this menu', ...options.map(([k, h]) => `  ${k.padEnd(16)} -- ${h}`)];
}

/** What Tab offers after `print`: the options, with `=` where one takes a value. */
export function printOptionWords(stats: boolean): string[] {
  const valued = new Set(['file', 'from', 'interval']);
  const words = PRINT_OPTIONS.map(([k]) => (valued.has(k) ? `${k}=` : k));
  return stats ? [...words, 'stats'] : words;
}
