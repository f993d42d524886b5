// The router's log, shaped like RouterOS's `/log`: every entry has a time, topics
// (e.g. ["pptp", "info"]) and a message. Entries are kept in a bounded ring for `/log print`
// and handed to sinks (the console, stderr, a test) as they arrive. Messages quote what peers
// send, so each is made printable once here, before any sink or `/log print` sees it.
import { printable } from './printable.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';

export interface LogEntry {
  readonly time: Date;
  readonly topics: readonly string[]; // first the subsystem(s), last the level: ["pptp", "info"]
  readonly level: LogLevel;
  readonly message: string;
}

export type LogSink = (entry: LogEntry) => void;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  critical(message: string): void;
  /** A logger for a sub-topic: log.child('ppp').info(...) has topics [..., 'ppp', 'info']. */
  child(topic: string): Logger;
}

export class LogBook {
  private readonly entries: LogEntry[] = [];
  private readonly sinks = new Set<LogSink>();

  /** now: the router's clock (src/wall-clock.ts), so entries are stamped with the time it keeps. */
  constructor(private readonly capacity = 1000, private readonly now: () => number = Date.now) {}

  write(topics: readonly string[], level: LogLevel, message: string): void {
    const entry: LogEntry = { time: new Date(this.now()), topics: [...topics, level], level, message: printable(message) };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    for (const sink of this.sinks) sink(entry);
  }

  list(): readonly LogEntry[] {
    return this.entries;
  }

  subscribe(sink: LogSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  logger(...topics: string[]): Logger {
    const write = (level: LogLevel) => (message: string) => this.write(topics, level, message);
    return {
      debug: write('debug'),
      info: write('info'),
      warning: write('warning'),
      error: write('error'),
      critical: write('critical'),
      child: (topic: string) => this.logger(...topics, topic),
    };
  }
}

/** A logger that drops everything; for tests that do not look at the log. */
export const silentLogger: Logger = new LogBook(0).logger();
