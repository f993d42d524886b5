// Where a print goes: the console; a file (`file=NAME`, RouterOS's /file, here NAME.txt in the
// data directory); or the console again every interval (`interval=1`) until a key or Ctrl-C
// stops it, redrawn in place on a terminal as monitor is, as plain blocks on a line that is not
// one. Each redraw is its own command for the work budget: the wait between them holds nothing.
import type { PrintOptions } from './print-options.js';

export interface PrintSink {
  out(lines: readonly string[]): void;
  write(text: string): void;
  readonly ansi: boolean;
  readonly writeFile?: (name: string, text: string) => string | undefined;
  /** Starts a new work budget before a redraw. */
  freshBudget(): void;
  /** Marks the shell busy (a key stops it) while set; undefined when done. */
  running(abort: AbortController | undefined): void;
}

export async function printTo(
  opts: Pick<PrintOptions, 'file' | 'intervalMs'>,
  render: () => string[] | Promise<string[]>,
  sink: PrintSink,
): Promise<string | undefined> {
  let block = await render();
  if (opts.file !== undefined) {
    if (!sink.writeFile) return 'failure: no files on this console';
    return sink.writeFile(opts.file, block.length ? block.join('\n') + '\n' : '');
  }
  sink.out(block);
  if (opts.intervalMs === undefined) return undefined;
  const abort = new AbortController();
  sink.running(abort);
  try {
    for (;;) {
      await pause(opts.intervalMs, abort.signal);
      if (abort.signal.aborted) return undefined;
      sink.freshBudget();
      const next = await render();
      if (sink.ansi && block.length) sink.write(`\x1b[${block.length}A\x1b[J`);
      else if (!sink.ansi) sink.write('\n');
      sink.out(next);
      block = next;
    }
  } finally {
    sink.running(undefined);
  }
}

/** Waits ms, or less when signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
