// How the last run of routerd ended, and what it left for the admin when it died. A run marks
// itself running (DATA/run/routerd.running) and unmarks at a proper stop, so the next start
// knows when it did not stop properly: killed, crashed, or the power cut (another boot). A run
// that dies of an uncaught exception first writes a short report (time, version, the error and
// its stack) to DATA/crash/, where the newest few are kept: RouterOS keeps autosupout.rif and
// logs "router was rebooted without proper shutdown"; this is that, small enough to read.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from './config/atomic-file.js';

export const CRASH_DIR = 'crash';
export const KEPT_REPORTS = 5;
const MARK = join('run', 'routerd.running');

interface RunMark {
  readonly pid: number;
  readonly boot: string;
  readonly started: string;
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** The version in the package.json above this module (dist/src/ or src/). */
export function routerdVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
      } catch {
        return 'unknown';
      }
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export class CrashRecorder {
  private readonly mark: string;
  readonly reportDir: string;

  constructor(
    dataDir: string,
    private readonly version = routerdVersion(),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.mark = join(dataDir, MARK);
    this.reportDir = join(dataDir, CRASH_DIR);
  }

  /**
   * Marks this run as running and says, in one line, how the previous one ended when it did not
   * stop properly (undefined when it did, or there was none).
   */
  start(): string | undefined {
    const previous = this.readMark();
    mkdirSync(dirname(this.mark), { recursive: true });
    const mark: RunMark = { pid: process.pid, boot: bootId(), started: this.now().toISOString() };
    writeFileAtomic(this.mark, JSON.stringify(mark) + '\n');
    if (!previous) return undefined;
    const since = stampOf(new Date(previous.started));
    const report = this.reports().find((r) => r.name.slice(6, 6 + since.length) >= since);
    if (report) return `previous run crashed: ${report.error} (report ${CRASH_DIR}/${report.name})`;
    if (previous.boot !== mark.boot) return 'router was rebooted without proper shutdown';
    return `previous run (pid ${previous.pid}) ended without proper shutdown: killed`;
  }

  /** A proper stop: the next start has nothing to report. */
  stopped(): void {
    rmSync(this.mark, { force: true });
  }

  /** Writes the report of a fatal error and keeps the newest KEPT_REPORTS; returns its file name. */
  record(error: unknown): string {
    const at = this.now();
    mkdirSync(this.reportDir, { recursive: true });
    const name = reportName(at, process.pid);
    const e = error instanceof Error ? error : new Error(String(error));
    const text = [
      `time: ${at.toISOString()}`,
      `version: ${this.version}`,
      `node: ${process.version}`,
      `pid: ${process.pid}`,
      `error: ${oneLine(`${e.name}: ${e.message}`)}`,
      'stack:',
      e.stack ?? '(none)',
      '',
    ].join('\n');
    writeFileSync(join(this.reportDir, name), text, { mode: 0o600 });
    for (const old of this.reports().slice(KEPT_REPORTS)) rmSync(join(this.reportDir, old.name), { force: true });
    return name;
  }

  /** Reports kept, newest first, with the error line of each. */
  reports(): { name: string; error: string }[] {
    if (!existsSync(this.reportDir)) return [];
    return readdirSync(this.reportDir)
      .filter((n) => /^crash-\d{8}T\d{6}\d{3}Z-\d+\.txt$/.test(n))
      .sort()
      .reverse()
      .map((name) => {
        const text = readFileSync(join(this.reportDir, name), 'utf8');
        return { name, error: /^error: (.*)$/m.exec(text)?.[1] ?? 'unknown error' };
      });
  }

  /**
   * Routes uncaught exceptions and unhandled rejections here: the report is written, one line
   * goes to standard error (the journal on the board), and the process exits as Node would (1).
   */
  install(): void {
    const die = (error: unknown): void => {
      let where = '';
      try {
        where = ` (report ${CRASH_DIR}/${this.record(error)})`;
      } catch (e) {
        where = ` (no report: ${(e as Error).message})`;
      }
      process.stderr.write(`routerd crashed: ${oneLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}${where}\n`);
      process.exit(1);
    };
    process.on('uncaughtException', die);
    process.on('unhandledRejection', die);
  }

  private readMark(): RunMark | undefined {
    try {
      const m = JSON.parse(readFileSync(this.mark, 'utf8')) as RunMark;
      return typeof m.pid === 'number' && typeof m.started === 'string' ? m : undefined;
    } catch {
      return undefined;
    }
  }
}

/** crash-20261207T180512345Z-1234.txt: sorts by time. */
function reportName(at: Date, pid: number): string {
  return `crash-${stampOf(at)}-${pid}.txt`;
}

function stampOf(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').slice(0, 300);
}
