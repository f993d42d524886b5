// RouterOS print layouts, shared by every menu: the flag legend, numbered property lists wrapped
// at 80 columns (` 0 X name="test2" max-mtu=1460 ...`), tables with a `#` column, and records
// printed as right-aligned `name: value` lines.
import type { Column } from '../config/schema.js';
import { printable } from '../printable.js';
import type { Flag, RowView } from './listing.js';

export const WIDTH = 80;

export function legendLine(flags: readonly Flag[]): string[] {
  if (flags.length === 0) return [];
  return [`Flags: ${flags.map((f) => `${f.letter} - ${f.label}`).join(', ')}`];
}

// Values may hold what a peer sent (a user name with a domain part, a caller's host name).
function cell(row: RowView, key: string): string {
  return printable(row.values[key] ?? '');
}

function rendered(row: RowView, key: string): string {
  const v = cell(row, key);
  return row.quoted.has(key) ? `"${v.replace(/(["\\])/g, '\\$1')}"` : v;
}

/**
 * One row as `key=value` words after ` N FLAGS `, continued lines indented one column less than
 * the first word (the seed's pptp-client and ppp secret prints).
 */
export function inlineRow(number: number, row: RowView): string[] {
  const prefix = `${String(number).padStart(2)} ${row.flags} `;
  const indent = ' '.repeat(prefix.length - 1);
  const lines: string[] = [];
  let line = prefix;
  if (row.comment) {
    lines.push(`${prefix};;; ${printable(row.comment)}`);
    line = ' '.repeat(prefix.length);
  }
  let words = 0;
  for (const key of row.keys) {
    if ((row.values[key] ?? '') === '' && !row.quoted.has(key)) continue;
    const word = `${key}=${rendered(row, key)}`;
    if (words > 0 && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent + word;
    } else {
      line += (words > 0 ? ' ' : '') + word;
    }
    words++;
  }
  lines.push(line);
  return lines;
}

/** `print terse`: one line per row, every property, nothing wrapped (for scripts and grep). */
export function terseRow(number: number, row: RowView): string {
  const words = row.keys.filter((k) => (row.values[k] ?? '') !== '' || row.quoted.has(k)).map((k) => `${k}=${rendered(row, k)}`);
  if (row.comment) words.unshift(`comment=${rendered({ ...row, quoted: new Set(['comment']) }, 'comment')}`);
  return `${String(number).padStart(2)} ${row.flags ? row.flags + ' ' : ''}${words.join(' ')}`;
}

/** `print as-value`: `.id=*1;name=x;...`, the form scripts take apart (RouterOS ids in hex). */
export function asValueRow(row: RowView): string {
  const id = row.ref.kind === 'config' ? `*${row.ref.id.toString(16).toUpperCase()}` : row.ref.key;
  const pairs = [`.id=${id}`, ...row.keys.map((k) => `${k}=${cell(row, k)}`)];
  if (row.comment) pairs.push(`comment=${printable(row.comment)}`);
  return pairs.join(';');
}

export function table(columns: readonly Column[], rows: readonly RowView[], numbered = true): string[] {
  const flagWidth = Math.max(0, ...rows.map((r) => r.flags.length));
  const lead = (n: string, flags: string) => (numbered ? `${n.padStart(2)} ${flags.padEnd(flagWidth)} ` : '');
  const line = (lead: string, cells: string[]) =>
    (lead + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(columns[i]!.width))).join(' ')).replace(/\s+$/, '');
  const out = [line(lead('#', ''), columns.map((c) => c.header))];
  rows.forEach((row, i) => {
    if (row.comment) {
      out.push(lead(String(i), row.flags) + `;;; ${printable(row.comment)}`);
      out.push(line(lead('', ''), columns.map((c) => cell(row, c.key))));
    } else {
      out.push(line(lead(String(i), row.flags), columns.map((c) => cell(row, c.key))));
    }
  });
  return out;
}

/** `name: value` lines with the names right-aligned (settings, monitor, /system resource). */
export function record(entries: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padStart(width + 1)}: ${printable(v)}`);
}
